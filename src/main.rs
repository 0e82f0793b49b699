// glibc's malloc maps and unmaps tree-sitter's large transient query-analysis buffers on every
// compile (the few queries tree-sitter still compiles: repetitions, user specs' checks);
// mimalloc keeps and reuses them. It serves Rust's allocations and, in a heap of their own,
// tree-sitter's (see `tree_sitter_heap`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    keep_memory_in_small_pages();
    tree_sitter_heap::install();
    std::process::exit(pulumi_fix::cli::main());
}

/// mimalloc asks for transparent huge pages for its arenas and returns memory to the system in
/// their size, late: with them a run's peak RSS was a third higher (1 000 files: 63 MB against
/// 35 MB; 100 000 files: 147-156 MB against 123 MB), at the same speed without. This is what
/// `MIMALLOC_ALLOW_THP=0` does, which mimalloc reads before `main` runs.
fn keep_memory_in_small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes integer arguments and changes only this
    // process's paging policy; a kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// tree-sitter allocates in a mimalloc heap of its own, apart from the matching's allocations.
/// Sharing pages with them, a file's parse found its blocks spread over more memory, and out of
/// the CPU's caches: 10 000 files, one thread, 2-5 % more CPU time in alternating runs (the
/// parse-only floor is the same either way).
mod tree_sitter_heap {
    use libmimalloc_sys::{mi_free, mi_heap_calloc, mi_heap_malloc, mi_heap_new, mi_heap_realloc, mi_heap_t};
    use std::ffi::c_void;
    use std::sync::atomic::{AtomicPtr, Ordering};

    /// Set once, before tree-sitter allocates anything; any thread may allocate from a heap.
    static HEAP: AtomicPtr<mi_heap_t> = AtomicPtr::new(std::ptr::null_mut());

    fn heap() -> *mut mi_heap_t {
        HEAP.load(Ordering::Relaxed)
    }

    unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        // SAFETY: the heap was made before tree-sitter was given this function.
        unsafe { mi_heap_malloc(heap(), size) }
    }

    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        // SAFETY: as in `malloc`.
        unsafe { mi_heap_calloc(heap(), count, size) }
    }

    unsafe extern "C" fn realloc(block: *mut c_void, size: usize) -> *mut c_void {
        // SAFETY: as in `malloc`; `block` is null or tree-sitter's, from this heap.
        unsafe { mi_heap_realloc(heap(), block, size) }
    }

    pub fn install() {
        // SAFETY: nothing tree-sitter allocated exists yet, so every block it frees was allocated
        // in the heap; `mi_free` frees a block of any heap.
        unsafe {
            HEAP.store(mi_heap_new(), Ordering::Relaxed);
            tree_sitter::set_allocator(Some(malloc), Some(calloc), Some(realloc), Some(mi_free));
        }
    }
}
