// glibc's malloc maps and unmaps tree-sitter's large transient query-analysis buffers on every
// compile (the few queries tree-sitter still compiles: repetitions, user specs' checks);
// mimalloc keeps and reuses them. It serves Rust's allocations and, through `set_allocator`,
// tree-sitter's C code.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // SAFETY: nothing tree-sitter allocated exists yet, so no block is freed by another allocator
    // than the one that made it.
    unsafe {
        use libmimalloc_sys::{mi_calloc, mi_free, mi_malloc, mi_realloc};
        tree_sitter::set_allocator(Some(mi_malloc), Some(mi_calloc), Some(mi_realloc), Some(mi_free));
    }
    std::process::exit(pulumi_fix::cli::main());
}
