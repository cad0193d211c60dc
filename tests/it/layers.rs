//! The house rule: the library's top-level modules are layers, and each imports only the
//! layers before it. Read from `src/` as text, so a cycle or a step backwards fails here
//! with the file and the path that made it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers in order; modules in one layer may not import each other either.
const LAYERS: &[&[&str]] = &[
    &["errors", "support"],
    &["input"],
    &["pair"],
    &["result"],
    &["check"],
    &["matching"],
    &["compare"],
    &["plan"],
    &["report"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Top-level module a file under `src/` belongs to (`src/matching/solver/mod.rs` → matching).
fn owner(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy()
        .to_string();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::name` in the code (comments removed), with the line it is on. A unit-test
/// module (`#[cfg(test)]` at the start of a line, up to the `}` that closes it at the start
/// of a line) is not part of the library and is skipped: it may build fixtures with a later
/// layer's generator.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_test = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("#[cfg(test)]") {
            in_test = true;
        }
        if in_test {
            in_test = line != "}";
            continue;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a::X, b}`: the first segment of each entry.
                group
                    .split('}')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(|e| e.trim().split("::").next().unwrap_or("").to_string())
                    .collect()
            } else {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                // `crate::name!` is a `#[macro_export]` macro, and only `support` defines those.
                let is_macro = rest[name.len()..].starts_with('!');
                vec![if is_macro { "support".to_string() } else { name }]
            };
            out.extend(names.into_iter().filter(|n| !n.is_empty()).map(|n| (i + 1, n)));
        }
    }
    out
}

/// Every import of a later or equal layer, as "file:line: module -> module".
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in &files {
        let from = owner(src, f);
        if from == "lib" || from == "main" {
            continue;
        }
        let Some(lf) = layer_of(&from) else {
            out.push(format!(
                "{}: module `{from}` is in no layer (add it to LAYERS)",
                f.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (line, to) in crate_paths(&text) {
            if to == from {
                continue;
            }
            match layer_of(&to) {
                Some(lt) if lt < lf => {}
                Some(_) => out.push(format!(
                    "{}:{line}: `{from}` imports `{to}`, which is not before it",
                    f.display()
                )),
                None => out.push(format!(
                    "{}:{line}: `{from}` imports `crate::{to}`, which is in no layer",
                    f.display()
                )),
            }
        }
    }
    out
}

#[test]
fn every_module_imports_only_the_layers_before_it() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let v = violations(&src);
    assert!(v.is_empty(), "layering violations:\n{}", v.join("\n"));
}

#[test]
fn every_top_level_module_is_in_a_layer() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(declared.len() >= 10, "lib.rs declares {declared:?}");
    let mut seen = BTreeMap::new();
    for m in &declared {
        assert!(layer_of(m).is_some(), "`{m}` is declared in lib.rs but in no layer");
        seen.insert(*m, ());
    }
    for l in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(seen.contains_key(l), "layer module `{l}` is not declared in lib.rs");
    }
}

#[test]
fn the_checker_catches_a_step_backwards() {
    // The rule itself, on a made-up tree: input importing matching must be reported.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("input")).unwrap();
    std::fs::write(
        src.join("input/read.rs"),
        "use crate::errors::X;\nuse crate::matching::solver::Y;\n",
    )
    .unwrap();
    std::fs::write(src.join("errors.rs"), "// crate::cli in a comment is not an import\n").unwrap();
    std::fs::write(src.join("cli.rs"), "use crate::{input::read, report::Z};\n").unwrap();
    std::fs::write(
        src.join("pair.rs"),
        "use crate::input::X;\n#[cfg(test)]\nmod tests {\n    use crate::compare::G;\n}\nuse crate::{errors::E, plan::P};\n",
    )
    .unwrap();
    let v = violations(src);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(
        v[0].contains("read.rs:2") && v[0].contains("`input` imports `matching`"),
        "{v:?}"
    );
    assert!(
        v[1].contains("pair.rs:6") && v[1].contains("`pair` imports `plan`"),
        "{v:?}"
    );
}
