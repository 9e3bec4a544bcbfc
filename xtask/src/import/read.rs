//! Reading a definition: API Explorer's per-operation record as the
//! `huawei-cloud-api-definitions-*` packages ship it, a plain Swagger 2.0 document, or an
//! OpenAPI 3.0 document, in JSON or YAML; what it is, whether it can be imported, and where
//! it comes from.
//!
//! Every refusal is a [`Diagnostic`] naming the file and, where there is one, the line and
//! column: text that is not JSON or YAML, a document that is none of the three, an operation
//! without an `operationId` (or with one that is not URL-safe), a `$ref` that does not
//! resolve, a parameter or response that does not have the shape its format requires.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::model::spec::{Diagnostic, MAX_SPEC_BYTES, Pos, Spec};
use crate::model::walk::{self, item_operations, path_items};
use crate::workspace::display_path;

/// What a definition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// API Explorer's record: Swagger 2.0's `paths` and `definitions` inside API Explorer's
    /// own keys (`version: "2.0"`, `consumes` as a JSON string, `base_path`, `host`, ...).
    ApiExplorer,
    /// A Swagger 2.0 document (`swagger: "2.0"`).
    Swagger2,
    /// An OpenAPI 3.0.x document.
    OpenApi3,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ApiExplorer => "API Explorer definition",
            Kind::Swagger2 => "Swagger 2.0 document",
            Kind::OpenApi3 => "OpenAPI 3.0 document",
        }
    }
}

/// The package a definition was shipped in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub version: String,
}

/// Where a definition comes from, as each imported operation records it (`x-vendor-source`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// The package, when the file is one of its files byte for byte.
    pub package: Option<Package>,
    /// The file's name in the package, or its path (relative to the workspace root).
    pub file: String,
    /// Why the file is not credited to a package that seems to hold it.
    pub note: Option<String>,
}

impl Provenance {
    /// The `x-vendor-source` object.
    pub fn to_value(&self) -> Value {
        match &self.package {
            Some(p) => json!({"package": p.name, "version": p.version, "file": self.file}),
            None => json!({ "file": self.file }),
        }
    }
}

/// A definition that can be imported.
#[derive(Clone, Debug)]
pub struct Definition {
    /// The name used in messages.
    pub file: String,
    /// The document as written, with the position of every node.
    pub spec: Spec,
    pub kind: Kind,
    pub provenance: Provenance,
}

impl Definition {
    /// A diagnostic about the node at `pointer` of the definition.
    pub fn diag(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        self.spec.diag(pointer, message)
    }

    /// The document as Swagger 2.0 (API Explorer's record with its `consumes` string parsed,
    /// its `base_path`, `host` and `schemes` under Swagger's names, its own keys left out);
    /// `None` for an OpenAPI 3.0 document.
    pub fn swagger(&self) -> Option<Value> {
        let root = &self.spec.root;
        match self.kind {
            Kind::OpenApi3 => None,
            Kind::Swagger2 => Some(root.clone()),
            Kind::ApiExplorer => {
                let mut doc = serde_json::Map::new();
                doc.insert("swagger".into(), json!("2.0"));
                if let Some(h) = root.get("host").filter(|v| v.is_string()) {
                    doc.insert("host".into(), h.clone());
                }
                if let Some(b) = root.get("base_path").filter(|v| v.is_string()) {
                    doc.insert("basePath".into(), b.clone());
                }
                if let Some(Value::Array(s)) = root.get("schemes") {
                    let lower: Vec<Value> = s
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|s| json!(s.to_ascii_lowercase()))
                        .collect();
                    doc.insert("schemes".into(), Value::Array(lower));
                }
                if let Some(c) = consumes(root) {
                    doc.insert("consumes".into(), c);
                }
                for key in ["paths", "definitions", "parameters", "responses"] {
                    if let Some(v) = root.get(key).filter(|v| v.is_object()) {
                        doc.insert(key.into(), v.clone());
                    }
                }
                if let Some(s) = root.get("security_definitions").filter(|v| v.is_object()) {
                    doc.insert("securityDefinitions".into(), s.clone());
                }
                Some(Value::Object(doc))
            }
        }
    }
}

/// API Explorer's `consumes`: a JSON string holding a list, or a list.
fn consumes(root: &Value) -> Option<Value> {
    match root.get("consumes")? {
        Value::String(s) => serde_json::from_str::<Value>(s)
            .ok()
            .filter(Value::is_array),
        v @ Value::Array(_) => Some(v.clone()),
        _ => None,
    }
}

/// Why a definition was not loaded: an argument that cannot be used (exit 2) or a file that
/// cannot be imported (exit 1).
#[derive(Debug)]
pub enum Refusal {
    Usage(Diagnostic),
    Bad(Diagnostic),
}

impl Refusal {
    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            Refusal::Usage(d) | Refusal::Bad(d) => d,
        }
    }
}

/// The definition files an argument names: the file, or a directory's `*.json`, `*.yaml`
/// and `*.yml` files in name order.
pub fn expand(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    crate::review::lint::specs_under(path)
}

/// Reads and checks one definition.
pub fn load(root: &Path, path: &Path) -> Result<Definition, Refusal> {
    let file = display_path(root, path);
    let usage = |m: String| Refusal::Usage(Diagnostic::new(&file, None, m));
    let meta = std::fs::metadata(path).map_err(|e| usage(format!("cannot read it: {e}")))?;
    if meta.len() > MAX_SPEC_BYTES as u64 {
        return Err(Refusal::Bad(Diagnostic::new(
            &file,
            None,
            format!(
                "it is {} bytes; definitions over {MAX_SPEC_BYTES} bytes are refused",
                meta.len()
            ),
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| usage(format!("cannot read it: {e}")))?;
    let definition = parse(&file, &bytes).map_err(Refusal::Bad)?;
    check(&definition).map_err(Refusal::Bad)?;
    Ok(Definition {
        provenance: provenance(root, path, &bytes),
        ..definition
    })
}

/// Parses a definition's text and finds what it is. A `.json` file is parsed as JSON first,
/// so that a JSON syntax error is reported as one (the YAML loader, which reads JSON too,
/// then gives every node its position).
pub fn parse(file: &str, bytes: &[u8]) -> Result<Definition, Diagnostic> {
    if file.ends_with(".json")
        && let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
    {
        return Err(Diagnostic::new(
            file,
            Some(Pos {
                line: e.line(),
                col: e.column(),
            })
            .filter(|p| p.line > 0),
            format!("not valid JSON: {e}"),
        ));
    }
    let spec = Spec::parse(file, bytes).map_err(|d| {
        if d.message.contains("must be a YAML mapping") {
            Diagnostic::new(
                file,
                d.pos,
                "not a definition: the document is not a mapping (an object)",
            )
        } else {
            d
        }
    })?;
    let root = &spec.root;
    let kind = if let Some(v) = root.get("openapi") {
        match v.as_str() {
            Some(s) if s.starts_with("3.0.") => Kind::OpenApi3,
            Some(s) => {
                return Err(spec.diag(
                    "/openapi",
                    format!("OpenAPI {s} is not supported: import reads OpenAPI 3.0.x, Swagger 2.0 and API Explorer's records"),
                ));
            }
            None => {
                return Err(spec.diag(
                    "/openapi",
                    "`openapi` must be a version string such as \"3.0.3\"",
                ));
            }
        }
    } else if let Some(v) = root.get("swagger") {
        if v.as_str() != Some("2.0") {
            return Err(spec.diag(
                "/swagger",
                format!(
                    "Swagger {} is not supported: only Swagger 2.0 (`swagger: \"2.0\"`)",
                    crate::review::vendor::show(Some(v))
                ),
            ));
        }
        Kind::Swagger2
    } else if root.get("version").and_then(Value::as_str) == Some("2.0") {
        Kind::ApiExplorer
    } else {
        return Err(Diagnostic::new(
            file,
            None,
            "not a definition import reads: it has no `openapi: 3.0.x` (OpenAPI 3.0), no \
             `swagger: \"2.0\"` (Swagger 2.0) and no `version: \"2.0\"` beside `paths` \
             (API Explorer's record)",
        ));
    };
    Ok(Definition {
        file: file.to_string(),
        provenance: Provenance {
            package: None,
            file: file.to_string(),
            note: None,
        },
        spec,
        kind,
    })
}

/// What a definition must be to be imported.
pub fn check(def: &Definition) -> Result<(), Diagnostic> {
    let root = &def.spec.root;
    let kind = def.kind.name();
    match root.get("paths") {
        Some(Value::Object(_)) => {}
        Some(_) => return Err(def.diag("/paths", "`paths` must be an object")),
        None => {
            return Err(def.diag(
                "",
                format!("this {kind} has no `paths`: it defines no operation"),
            ));
        }
    }
    if def.kind == Kind::ApiExplorer {
        match root.get("consumes") {
            None | Some(Value::Null | Value::Array(_)) => {}
            Some(Value::String(s)) => {
                if serde_json::from_str::<Vec<String>>(s).is_err() {
                    return Err(def.diag(
                        "/consumes",
                        format!("`consumes` is not a JSON list of media types: {s:?}"),
                    ));
                }
            }
            Some(_) => {
                return Err(def.diag(
                    "/consumes",
                    "`consumes` must be a list of media types (or API Explorer's JSON string of one)",
                ));
            }
        }
    }
    let mut operations = 0;
    for (item_ptr, path, item) in path_items(root) {
        if !item.is_object() {
            return Err(def.diag(&item_ptr, format!("path item `{path}` must be an object")));
        }
        if !path.starts_with('/') {
            return Err(def.diag(&item_ptr, format!("path `{path}` must start with /")));
        }
        for (ptr, method, op) in item_operations(&item_ptr, item) {
            operations += 1;
            let name = format!("{} {path}", method.to_uppercase());
            if !op.is_object() {
                return Err(def.diag(&ptr, format!("operation {name} must be an object")));
            }
            let id = match op.get("operationId") {
                None => {
                    return Err(def.diag(
                        &ptr,
                        format!("operation {name} has no operationId: the spec names its client method and command after it"),
                    ));
                }
                Some(Value::String(s)) => s,
                Some(_) => {
                    return Err(def.diag(
                        &format!("{ptr}/operationId"),
                        format!("the operationId of {name} must be a string"),
                    ));
                }
            };
            let url_safe = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
            if !url_safe {
                return Err(def.diag(
                    &format!("{ptr}/operationId"),
                    format!(
                        "operationId `{id}` of {name} has characters that are not URL-safe (A-Z a-z 0-9 - . _ ~)"
                    ),
                ));
            }
            if def.kind != Kind::OpenApi3 {
                check_swagger_operation(def, &ptr, &name, op)?;
            }
        }
    }
    if operations == 0 {
        return Err(def.diag("/paths", format!("this {kind} defines no operation")));
    }
    for (ptr, target) in walk::refs(root) {
        let ok = target
            .strip_prefix('#')
            .is_some_and(|local| root.pointer(local).is_some());
        if !ok {
            return Err(def.diag(
                &ptr,
                format!("`$ref` to `{target}`, which is not in this document (only local references can be imported)"),
            ));
        }
    }
    if def.kind == Kind::OpenApi3
        && let Err((ptr, msg)) = crate::model::spec::to_openapi(root)
    {
        return Err(def.diag(&ptr, msg));
    }
    Ok(())
}

/// The shape Swagger 2.0 gives an operation's parameters and responses.
fn check_swagger_operation(
    def: &Definition,
    ptr: &str,
    name: &str,
    op: &Value,
) -> Result<(), Diagnostic> {
    match op.get("parameters") {
        None | Some(Value::Array(_)) => {}
        Some(_) => {
            return Err(def.diag(
                &format!("{ptr}/parameters"),
                format!("the parameters of {name} must be a list"),
            ));
        }
    }
    for (pptr, p) in walk::declared_parameters(ptr, op) {
        let p = walk::resolve(&def.spec.root, p);
        let location = p.get("in").and_then(Value::as_str);
        if p.get("name").and_then(Value::as_str).is_none() {
            return Err(def.diag(&pptr, format!("a parameter of {name} has no `name`")));
        }
        match location {
            Some("path" | "query" | "header" | "formData") => {}
            Some("body") => {
                if !p.get("schema").is_some_and(Value::is_object) {
                    return Err(def.diag(
                        &pptr,
                        format!("the body parameter of {name} has no `schema`"),
                    ));
                }
            }
            other => {
                return Err(def.diag(
                    &pptr,
                    format!(
                        "a parameter of {name} is in {}: Swagger 2.0 parameters are in path, query, header, body or formData",
                        other.map_or("no location".to_string(), |o| format!("`{o}`"))
                    ),
                ));
            }
        }
    }
    match op.get("responses") {
        Some(Value::Object(r)) if !r.is_empty() => {
            for (status, resp) in r {
                if !resp.is_object() {
                    return Err(def.diag(
                        &format!(
                            "{ptr}/responses/{}",
                            crate::model::spec::escape_pointer(status)
                        ),
                        format!("response `{status}` of {name} must be an object"),
                    ));
                }
            }
            Ok(())
        }
        _ => Err(def.diag(
            ptr,
            format!("operation {name} has no responses (Swagger 2.0 requires at least one)"),
        )),
    }
}

/// Where the file comes from. A file is credited to a package only when it is one of the
/// package's files byte for byte: a copy beside `package.toml` (the package's name and
/// version) and `SHA256SUMS`, as `openapi/vendor/corpus/` keeps them; or the package as
/// cargo has it (`<package>/src/<file>` beside its `Cargo.toml`), either vendored (each
/// file's SHA-256 in `.cargo-checksum.json`) or unpacked in cargo's registry cache
/// (`.cargo-ok`: cargo checked the package's checksum when it unpacked it). A file that is
/// not credited is named by its path in the workspace, or by its name alone when it is
/// outside (a path on one machine says nothing on another).
pub fn provenance(root: &Path, path: &Path, bytes: &[u8]) -> Provenance {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let file = if path.starts_with(&root) {
        display_path(&root, &path)
    } else {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let plain = Provenance {
        package: None,
        file,
        note: None,
    };
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return plain;
    };
    let Some(dir) = path.parent() else {
        return plain;
    };
    let sha = hex(&Sha256::digest(bytes));
    let credited = |package: Package| Provenance {
        package: Some(package),
        file: name.to_string(),
        note: None,
    };
    let refused = |why: String| Provenance {
        note: Some(why),
        ..plain.clone()
    };
    // A vendored copy.
    if let Some(package) = read_package(&dir.join("package.toml"), false) {
        let listed = std::fs::read_to_string(dir.join("SHA256SUMS"))
            .ok()
            .and_then(|sums| {
                sums.lines().find_map(|l| {
                    let (hash, file) = l.split_once(char::is_whitespace)?;
                    (file.trim_start().trim_start_matches('*') == name)
                        .then(|| hash.to_ascii_lowercase())
                })
            });
        return match listed {
            Some(h) if h == sha => credited(package),
            Some(_) => refused(format!(
                "it differs from {} {}'s copy (SHA256SUMS beside it), so it is not credited to the package",
                package.name, package.version
            )),
            None => refused(format!(
                "SHA256SUMS beside it does not list it, so it is not credited to {} {}",
                package.name, package.version
            )),
        };
    }
    // The package as cargo unpacks it.
    if dir.file_name().and_then(|n| n.to_str()) == Some("src")
        && let Some(pkg_dir) = dir.parent()
        && let Some(package) = read_package(&pkg_dir.join("Cargo.toml"), true)
    {
        let listed = std::fs::read_to_string(pkg_dir.join(".cargo-checksum.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| {
                v.pointer(&format!(
                    "/files/src~1{}",
                    crate::model::spec::escape_pointer(name)
                ))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
            });
        return match listed {
            Some(h) if h == sha => credited(package),
            Some(_) => refused(format!(
                "it differs from the file {} {} shipped (.cargo-checksum.json), so it is not credited to the package",
                package.name, package.version
            )),
            None if pkg_dir.join(".cargo-ok").is_file()
                && !pkg_dir.join(".cargo-checksum.json").exists() =>
            {
                credited(package)
            }
            None => refused(format!(
                "nothing vouches for it as {} {}'s (no .cargo-checksum.json listing src/{name}, not cargo's unpacked copy), so it is not credited to the package",
                package.name, package.version
            )),
        };
    }
    plain
}

/// A package's name and version: `package.toml` (`name`, `version`) or a `Cargo.toml`'s
/// `[package]` table.
fn read_package(path: &Path, cargo: bool) -> Option<Package> {
    #[derive(serde::Deserialize)]
    struct Fields {
        name: String,
        version: String,
    }
    #[derive(serde::Deserialize)]
    struct Manifest {
        package: Fields,
    }
    let text = std::fs::read_to_string(path).ok()?;
    let fields = if cargo {
        toml::from_str::<Manifest>(&text).ok()?.package
    } else {
        toml::from_str::<Fields>(&text).ok()?
    };
    Some(Package {
        name: fields.name,
        version: fields.version,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(file: &str, text: &str) -> String {
        match parse(file, text.as_bytes()).and_then(|d| check(&d).map(|()| d)) {
            Ok(_) => panic!("{file} was accepted"),
            Err(d) => d.to_string(),
        }
    }

    #[test]
    fn what_is_refused_is_named_with_its_place() {
        assert_eq!(
            refusal("a.json", "{\"paths\": {\n  \"/x\": [1,]\n}}"),
            "a.json:2:12: not valid JSON: expected value at line 2 column 12"
        );
        assert!(
            refusal("a.yaml", "paths:\n  /x: [1\n").starts_with("a.yaml:3:1: YAML syntax error"),
            "{}",
            refusal("a.yaml", "paths:\n  /x: [1\n")
        );
        assert_eq!(
            refusal("a.yaml", "- 1\n"),
            "a.yaml:1:1: not a definition: the document is not a mapping (an object)"
        );
        assert!(
            refusal("a.yaml", "paths: {}\n").starts_with("a.yaml: not a definition import reads")
        );
        assert_eq!(
            refusal("a.yaml", "openapi: 3.1.0\npaths: {}\n"),
            "a.yaml:1:1: OpenAPI 3.1.0 is not supported: import reads OpenAPI 3.0.x, Swagger 2.0 and API Explorer's records"
        );
        assert_eq!(
            refusal(
                "a.yaml",
                "swagger: '2.0'\npaths:\n  /x:\n    get:\n      responses: {'200': {description: ok}}\n"
            ),
            "a.yaml:4:5: operation GET /x has no operationId: the spec names its client method and command after it"
        );
        assert_eq!(
            refusal(
                "a.yaml",
                "swagger: '2.0'\npaths:\n  /x:\n    get:\n      operationId: a b\n      responses: {'200': {description: ok}}\n"
            ),
            "a.yaml:5:7: operationId `a b` of GET /x has characters that are not URL-safe (A-Z a-z 0-9 - . _ ~)"
        );
        assert_eq!(
            refusal(
                "a.yaml",
                "swagger: '2.0'\npaths:\n  /x:\n    get:\n      operationId: A\n      responses:\n        '200': {description: ok, schema: {$ref: '#/definitions/B'}}\n"
            ),
            "a.yaml:7:43: `$ref` to `#/definitions/B`, which is not in this document (only local references can be imported)"
        );
        assert_eq!(
            refusal(
                "a.json",
                "{\"version\": \"2.0\", \"consumes\": \"[application/json\", \"paths\": {}}"
            ),
            "a.json:1:20: `consumes` is not a JSON list of media types: \"[application/json\""
        );
        assert_eq!(
            refusal("a.yaml", "swagger: '2.0'\npaths: {}\n"),
            "a.yaml:2:1: this Swagger 2.0 document defines no operation"
        );
        assert_eq!(
            refusal(
                "a.yaml",
                "swagger: '2.0'\npaths:\n  /x:\n    get:\n      operationId: A\n      parameters: [{name: b, in: cookie}]\n      responses: {'200': {description: ok}}\n"
            ),
            "a.yaml:6:20: a parameter of GET /x is in `cookie`: Swagger 2.0 parameters are in path, query, header, body or formData"
        );
        let bad = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: A\n      responses: 7\n";
        let message = refusal("a.yaml", bad);
        assert!(
            message.starts_with("a.yaml:3:1: not a valid OpenAPI 3.0 document at `/paths`"),
            "{message}"
        );
    }

    #[test]
    fn api_explorer_records_read_as_swagger() {
        let text = r#"{"version": "2.0", "consumes": "[\"application/json;charset=UTF-8\"]", "base_path": "/", "host": "h", "schemes": ["HTTPS"],
            "tags": "t", "name": "A", "paths": {"/x": {"get": {"operationId": "A", "responses": {"200": {"description": "ok"}}}}}, "definitions": {}}"#;
        let d = parse("a.json", text.as_bytes()).unwrap();
        check(&d).unwrap();
        assert_eq!(d.kind, Kind::ApiExplorer);
        assert_eq!(
            d.swagger().unwrap(),
            json!({"swagger": "2.0", "host": "h", "basePath": "/", "schemes": ["https"],
                   "consumes": ["application/json;charset=UTF-8"],
                   "paths": {"/x": {"get": {"operationId": "A", "responses": {"200": {"description": "ok"}}}}},
                   "definitions": {}})
        );
    }
}
