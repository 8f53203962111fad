//! The boundary's invariants (ARCHITECTURE.md, "The boundary"), checked on the crate's
//! sources: values cross through serde derives and `serde-wasm-bindgen`, each wire name
//! is declared once, and there is no `unsafe` and no hand-written JSON.

use std::fs;
use std::path::{Path, PathBuf};

fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("src")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("src readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = fs::read_to_string(&p).expect("source readable");
                out.push((p, text));
            }
        }
    }
    out.sort();
    assert!(out.len() > 10, "the sources are found");
    out
}

/// The sources and the build script (which writes the statics).
fn sources_and_build_script() -> Vec<(PathBuf, String)> {
    let build = Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs");
    let text = fs::read_to_string(&build).expect("build.rs readable");
    let mut out = sources();
    out.push((build, text));
    out
}

/// Lines of code (comments left out) of the sources and the build script that match
/// `pred`, as `file:line: text`.
fn lines_where(pred: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources_and_build_script() {
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if pred(code) {
                found.push(format!("{}:{}: {}", path.file_name().unwrap_or_default().to_string_lossy(), i + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_crate_forbids_unsafe_and_has_no_allocator_of_its_own() {
    let lib = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).expect("lib.rs");
    assert!(lib.contains("#![forbid(unsafe_code)]"));
    assert_eq!(lines_where(|l| l.replace("unsafe_code", "").contains("unsafe")), Vec::<String>::new());
    assert_eq!(lines_where(|l| l.contains("global_allocator") || l.contains("GlobalAlloc")), Vec::<String>::new());
}

#[test]
fn values_cross_through_serde_wasm_bindgen_and_no_hand_written_json() {
    let manifest = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("serde-wasm-bindgen"), "crate/Cargo.toml lists serde-wasm-bindgen");
    let wasm = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/wasm.rs")).expect("wasm.rs");
    assert!(wasm.contains("serde_wasm_bindgen::from_value") && wasm.contains("Serializer::json_compatible()"));
    // No serializer, deserializer, visitor or JSON reader of the crate's own, build script
    // included: the derives do it (serde's, and databake's for the statics).
    let hand_written = lines_where(|l| {
        ["Serializer for", "Deserializer for", "Deserializer<'de> for", "SerializeStruct for", "SerializeSeq for",
         "impl<'de> Visitor", "impl<'de> serde::de::Visitor", "impl Serialize for", "impl serde::Serialize for",
         "impl<'de> Deserialize<'de> for", "impl<'de> serde::Deserialize<'de> for", "JSON::parse", "JSON::stringify"]
            .iter()
            .any(|p| l.contains(p))
    });
    assert_eq!(hand_written, Vec::<String>::new());
}

/// The camelCase wire name of a snake_case field.
fn camel(field: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_wire_name_is_declared_once() {
    // The fields of every struct renamed to camelCase: their wire names appear nowhere as
    // string literals (a second declaration a hand-written reader or writer would need).
    let mut names = Vec::new();
    for (_, text) in sources() {
        let mut camel_struct = false;
        let mut depth = 0usize;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with("#[serde(") && t.contains("rename_all = \"camelCase\"") {
                camel_struct = true;
                continue;
            }
            if camel_struct && depth == 0 && (t.starts_with("pub struct") || t.starts_with("struct")) && t.ends_with('{') {
                depth = 1;
                continue;
            }
            if depth > 0 {
                if t == "}" {
                    depth = 0;
                    camel_struct = false;
                } else if let Some(field) = t.trim_start_matches("pub ").split(':').next().filter(|f| t.contains(':') && f.chars().all(|c| c.is_ascii_lowercase() || c == '_') && f.contains('_')) {
                    names.push(camel(field));
                }
            } else if !t.starts_with("#[") && !t.starts_with("///") && !t.is_empty() {
                camel_struct = false;
            }
        }
    }
    assert!(names.len() > 30, "the scan finds the renamed fields ({})", names.len());
    assert!(names.iter().any(|n| n == "checkedAt") && names.iter().any(|n| n == "contextText"));
    let again = lines_where(|l| names.iter().any(|n| l.contains(&format!("\"{n}\""))));
    assert_eq!(again, Vec::<String>::new(), "wire names written out by hand");
}
