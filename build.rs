//! Embeds every built-in codemod spec under `codemods/` into the binary, with the catalog index
//! (`src/spec/catalog_index_generated.rs`, see `src/spec/catalog_index.rs`) and the hash of the specs
//! that tells a run whether that index describes them; compiles the node table's tree reader
//! (`src/lang/read_tree.c`) against tree-sitter's private headers.
use std::{env, fs, path::Path};

/// FNV-1a: stable across builds and toolchains, which the index's recorded hash relies on.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn collect(dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("read codemods dir").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    // Read at run time: a build script compiled for one checkout can be run for another that
    // shares the target directory (worktrees, `cargo install --path` from a temporary clone).
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR for build scripts");
    let root = Path::new(&manifest_dir);
    let codemods = root.join("codemods");
    println!("cargo:rerun-if-changed={}", codemods.display());
    let mut files = Vec::new();
    collect(&codemods, &mut files);
    // Upgrade catalogs (`codemods/upgrades/`) are not specs: they expand into specs at load time.
    let upgrades_dir = format!("{}/upgrades/", codemods.display().to_string().replace('\\', "/"));
    let (upgrades, specs): (Vec<&String>, Vec<&String>) = files.iter().partition(|f| f.starts_with(&upgrades_dir));
    let mut generated = String::new();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, list) in [("BUILTIN_SPECS", specs), ("BUILTIN_UPGRADES", upgrades)] {
        generated.push_str(&format!("pub static {name}: &[(&str, &str)] = &[\n"));
        for file in list {
            println!("cargo:rerun-if-changed={file}");
            let relative = file.strip_prefix(&format!("{}/", root.display())).unwrap_or(file);
            // Line endings as the TOML reader sees them: a Windows checkout hashes as a Unix one.
            let text = fs::read_to_string(file).expect("read a codemod spec").replace("\r\n", "\n");
            hash = fnv1a(fnv1a(fnv1a(hash, relative.as_bytes()), &[0]), text.as_bytes());
            generated.push_str(&format!("    ({relative:?}, include_str!({file:?})),\n"));
        }
        generated.push_str("];\n");
    }
    generated.push_str(&format!("pub static BUILTIN_CATALOG_HASH: &str = \"{hash:016x}\";\n"));
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    fs::write(Path::new(&out_dir).join("builtin_specs.rs"), generated).unwrap();
    // Without the generated index (deleted to rebuild it), every run reads the whole catalog.
    let index = root.join("src/spec/catalog_index_generated.rs");
    println!("cargo:rerun-if-changed={}", index.display());
    let index = if index.is_file() {
        format!("include!({:?});\n", index.display().to_string().replace('\\', "/"))
    } else {
        "static INDEX: CatalogIndex = CatalogIndex { catalog: \"\", specs: &[] };\n".to_string()
    };
    fs::write(Path::new(&out_dir).join("catalog_index.rs"), index).unwrap();
    compile_tree_reader(root);
}

/// The tree reader includes tree-sitter's private headers: tree-sitter's build script publishes
/// its public include directory (`links = "tree-sitter"`), and the private ones sit beside it.
fn compile_tree_reader(root: &Path) {
    let include = env::var("DEP_TREE_SITTER_INCLUDE").expect("the tree-sitter crate publishes its include directory");
    let private = Path::new(&include).parent().expect("tree-sitter's include directory has a parent").join("src");
    let source = root.join("src/lang/read_tree.c");
    println!("cargo:rerun-if-changed={}", source.display());
    cc::Build::new().file(&source).include(&private).include(&include).flag_if_supported("-std=c11").warnings(false).compile("pulumi_fix_read_tree");
}
