//! Embeds every built-in codemod spec under `codemods/` into the binary.
use std::{env, fs, path::Path};

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
    for (name, list) in [("BUILTIN_SPECS", specs), ("BUILTIN_UPGRADES", upgrades)] {
        generated.push_str(&format!("pub static {name}: &[(&str, &str)] = &[\n"));
        for file in list {
            println!("cargo:rerun-if-changed={file}");
            let relative = file.strip_prefix(&format!("{}/", root.display())).unwrap_or(file);
            generated.push_str(&format!("    ({relative:?}, include_str!({file:?})),\n"));
        }
        generated.push_str("];\n");
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("builtin_specs.rs");
    fs::write(out, generated).unwrap();
}
