//! Snapshots that make drift visible in review: the generated types' public surface, the JSON
//! Schema of the response type, and the page's example as the client decodes it.
//!
//! Update with `cargo insta review` (or `INSTA_UPDATE=always cargo test`). Under `CI=true` a
//! mismatch fails and writes nothing; the last test checks exactly that.

use std::fmt::Write as _;

use quote::ToTokens;
use taurusdb::types::StarRocksReplicationConfig;

/// A type by the last segment of each path: `Option<Vec<DbConfigCheckResult>>`.
fn ty(t: &syn::Type) -> String {
    match t {
        syn::Type::Path(p) => {
            let last = p.path.segments.last().expect("a path has a segment");
            match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => {
                    let inner: Vec<String> = args
                        .args
                        .iter()
                        .map(|a| match a {
                            syn::GenericArgument::Type(t) => ty(t),
                            other => other.to_token_stream().to_string(),
                        })
                        .collect();
                    format!("{}<{}>", last.ident, inner.join(", "))
                }
                _ => last.ident.to_string(),
            }
        }
        other => other.to_token_stream().to_string(),
    }
}

/// Types, fields (with their JSON names and aliases) and variants of the generated `types`
/// module, one per line, in the generated order.
fn types_surface() -> String {
    let source = include_str!("../crates/taurusdb/src/generated.rs");
    let file: syn::File = syn::parse_str(source).expect("the generated file parses");
    let types = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .expect("a types module");
    let serde = |attrs: &[syn::Attribute]| {
        let mut names = Vec::new();
        for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let _ = a.parse_nested_meta(|m| {
                if m.path.is_ident("rename") || m.path.is_ident("alias") {
                    let key = m.path.get_ident().unwrap().to_string();
                    let lit: syn::LitStr = m.value()?.parse()?;
                    names.push(format!("{key} = {:?}", lit.value()));
                } else if m.input.peek(syn::Token![=]) {
                    let _: syn::Expr = m.value()?.parse()?;
                }
                Ok(())
            });
        }
        if names.is_empty() {
            String::new()
        } else {
            format!("  [{}]", names.join(", "))
        }
    };
    let mut out = String::new();
    for item in types {
        match item {
            syn::Item::Struct(s) => {
                let _ = writeln!(out, "struct {}{}", s.ident, serde(&s.attrs));
                for f in &s.fields {
                    let name = f
                        .ident
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| "0".into());
                    let _ = writeln!(out, "    {name}: {}{}", ty(&f.ty), serde(&f.attrs));
                }
            }
            syn::Item::Enum(e) => {
                let _ = writeln!(out, "enum {}", e.ident);
                for v in &e.variants {
                    let fields = if v.fields.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "({})",
                            v.fields
                                .iter()
                                .map(|f| ty(&f.ty))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    let _ = writeln!(out, "    {}{fields}{}", v.ident, serde(&v.attrs));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn generated_types() {
    insta::assert_snapshot!(types_surface());
}

#[test]
fn response_json_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(StarRocksReplicationConfig));
}

#[test]
fn decoded_page_example() {
    let decoded: StarRocksReplicationConfig =
        serde_json::from_value(taurusdb_tests::page_example()).expect("the page example decodes");
    insta::assert_debug_snapshot!(decoded);
}

/// Run by `snapshot_mismatches_under_ci_fail_and_write_nothing` in a child process.
#[test]
#[ignore = "run in a child process with CI=true"]
fn ci_child_mismatching_snapshot() {
    let dir = std::env::var("TAURUSDB_TEST_SNAPSHOT_DIR").expect("set by the parent test");
    insta::with_settings!({ snapshot_path => dir, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("ci_probe", "the new value");
    });
}

#[test]
fn snapshot_mismatches_under_ci_fail_and_write_nothing() {
    let dir = tempfile_dir();
    let committed = "---\nsource: tests/snapshots.rs\nexpression: \"\\\"the new value\\\"\"\n---\nthe committed value\n";
    std::fs::write(dir.join("ci_probe.snap"), committed).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "ci_child_mismatching_snapshot",
            "--nocapture",
        ])
        .env("CI", "true")
        .env("TAURUSDB_TEST_SNAPSHOT_DIR", &dir)
        .env_remove("INSTA_UPDATE")
        .env_remove("INSTA_FORCE_PASS")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the mismatch fails the test");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["ci_probe.snap"], "no .snap.new is written");
    assert_eq!(
        std::fs::read_to_string(dir.join("ci_probe.snap")).unwrap(),
        committed
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("taurusdb-insta-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
