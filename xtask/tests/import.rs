//! `cargo xtask import`: Huawei's definitions into a spec. Every test works on temporary
//! copies; the fixtures are in `tests/fixtures/import/` (see its README).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use xtask::import::{self, read, swagger};
use xtask::model::spec::Spec;
use xtask::model::walk;
use xtask::review::lint::{self, Severity};
use xtask::review::vendor::{self, VendorDoc};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn corpus(name: &str) -> PathBuf {
    root()
        .join("openapi/vendor/corpus")
        .join(format!("{name}.json"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("xtask/tests/fixtures/import").join(name)
}

/// A hand-written spec of one operation: the product spec as it stood before issue 18 brought
/// its operations in, frozen (the product spec now has the operations these tests import).
const PRODUCT: &str = "xtask/tests/fixtures/import/hand-written.yaml";
/// The product spec itself.
const PRODUCT_SPEC: &str = "openapi/taurusdb.yaml";

/// `cargo xtask import ARGS`: (exit code, stdout, stderr).
fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("--root").arg(root()).arg("import");
    for a in args {
        cmd.arg(a);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The spec an import would write (nothing is written).
fn imported(spec: &Path, definitions: &[PathBuf], replace: bool) -> String {
    import::import(&root(), spec, definitions, replace)
        .unwrap_or_else(|e| panic!("import failed: {e:?}"))
        .text
        .expect("something was added")
}

fn parse(text: &str) -> Spec {
    Spec::parse("spec.yaml", text.as_bytes()).unwrap_or_else(|d| panic!("{d}"))
}

/// A temporary directory with a copy of the hand-written spec [`PRODUCT`] at `spec.yaml`.
fn product_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    std::fs::copy(root().join(PRODUCT), &spec).unwrap();
    (dir, spec)
}

/// Compares `text` with the committed `expected/<name>`; `XTASK_BLESS=1` rewrites it.
fn expect_file(name: &str, text: &str) {
    let path = fixture("expected").join(name);
    if std::env::var_os("XTASK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != text {
        let diff = similar::TextDiff::from_lines(&committed, text)
            .unified_diff()
            .header("committed", "imported")
            .to_string();
        panic!(
            "{} is not what import writes now (XTASK_BLESS=1 cargo test -p xtask --test import rewrites it):\n{}",
            path.display(),
            diff.lines().take(120).collect::<Vec<_>>().join("\n")
        );
    }
}

fn operation<'a>(root: &'a Value, id: &str) -> &'a Value {
    walk::operations(root)
        .into_iter()
        .find(|(_, _, _, op)| op["operationId"] == id)
        .map(|(_, _, _, op)| op)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

fn schema<'a>(root: &'a Value, name: &str) -> &'a Value {
    root.pointer(&format!("/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("no schema {name}"))
}

/// Every value of `key` anywhere in `v`, outside examples.
fn all<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if k == key {
                    out.push(c);
                }
                if !matches!(
                    k.as_str(),
                    "example" | "examples" | "x-vendor-example" | "x-vendor-examples"
                ) {
                    all(c, key, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| all(c, key, out)),
        _ => {}
    }
}

#[test]
fn api_explorer_records_make_a_new_spec_in_the_workspaces_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("new/taurusdb.yaml");
    let files = [
        "ListStarRocksDataReplications",
        "DownloadImportExcelTemplate",
        "BatchChangeInstanceSpecification",
        "ShowGaussMySqlQuotas",
    ];
    let paths: Vec<PathBuf> = files.iter().map(|f| corpus(f)).collect();
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--spec", &spec];
    args.extend(paths.iter().map(|p| p as &dyn AsRef<std::ffi::OsStr>));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("import: created "), "{out}");
    assert!(
        out.contains(
            "note: openapi/vendor/corpus/BatchChangeInstanceSpecification.json:1:753: BatchChangeInstanceSpecificationRequestBody.is_auto_pay: Huawei's definition declares a string whose enumeration values are the JSON values [true,false]"
        ),
        "{out}"
    );
    let text = std::fs::read_to_string(&spec).unwrap();
    expect_file("api-explorer.yaml", &text);
    let doc = parse(&text).root;
    let product = parse(&std::fs::read_to_string(root().join(PRODUCT_SPEC)).unwrap()).root;
    assert_eq!(doc["servers"], product["servers"], "the region servers");
    assert_eq!(
        doc["security"],
        json!([{"iamToken": []}, {"akskSignature": []}])
    );
    for scheme in ["iamToken", "akskSignature"] {
        assert!(doc["components"]["securitySchemes"][scheme].is_object());
    }
    for (_, _, path, op) in walk::operations(&doc) {
        let id = op["operationId"].as_str().unwrap();
        assert_eq!(
            op["x-vendor-source"],
            json!({"package": "huawei-cloud-api-definitions-GaussDB", "version": "0.1.20260828", "file": format!("{id}.json")})
        );
        assert!(
            op["x-vendor-text"]
                .as_array()
                .unwrap()
                .contains(&json!("summary"))
        );
        for p in op["parameters"].as_array().unwrap() {
            let name = p["name"].as_str().unwrap().to_ascii_lowercase();
            assert!(
                !["x-auth-token", "content-type"].contains(&name.as_str()),
                "{id}: {name} is left to the security schemes and the client"
            );
            let setting = match (p["in"].as_str().unwrap(), name.as_str()) {
                ("path", "project_id") => json!("project-id"),
                ("header", "x-language") => json!("language"),
                _ => Value::Null,
            };
            assert_eq!(p["x-client-setting"], setting, "{id} {name}");
        }
        for status in op["responses"].as_object().unwrap().keys() {
            let r = &op["responses"][status];
            for media in r["content"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(m, _)| m)
            {
                assert!(!media.contains(';'), "{id} {path} {status}: {media}");
            }
            if !status.starts_with('2') {
                assert_eq!(
                    r["content"]["application/json"]["schema"],
                    json!({"$ref": "#/components/schemas/ErrorResponse"})
                );
            }
        }
    }
    assert_eq!(
        schema(&doc, "ErrorResponse")["x-error-body"],
        json!({"code": "error_code", "message": "error_msg"})
    );
    let file = &operation(&doc, "DownloadImportExcelTemplate")["responses"]["200"]["content"];
    assert_eq!(
        file.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["application/octet-stream"]
    );
    assert_eq!(
        file["application/octet-stream"]["schema"]["format"],
        "binary"
    );
    let auto_pay =
        &schema(&doc, "BatchChangeInstanceSpecificationRequestBody")["properties"]["is_auto_pay"];
    assert_eq!(auto_pay["enum"], json!(["true", "false"]));
    assert_eq!(auto_pay["x-discrepancies"].as_array().unwrap().len(), 1);
    let quota = schema(&doc, "quota");
    assert!(
        !quota["required"]
            .as_array()
            .unwrap()
            .contains(&json!("availability_vcpus_quota "))
    );
    assert!(
        quota["x-discrepancies"][0]
            .as_str()
            .unwrap()
            .contains("probably `availability_vcpus_quota`")
    );
    // The request example, which the CLI's demo needs.
    let body = &operation(&doc, "BatchChangeInstanceSpecification")["requestBody"]["content"]["application/json"];
    assert!(
        body["examples"]["vendor-1"]["value"]["instance_ids"].is_array(),
        "{body}"
    );
    let tags: Vec<&Value> = doc["tags"].as_array().unwrap().iter().collect();
    assert!(
        tags.iter()
            .any(|t| t["name"] == "HTAP (Standard Edition)"
                && t["x-rust-feature"] == "htap-standard")
    );
    // Everything the generator and lint read: lint is clean.
    lints_clean(&parse(&text), &[]);
}

/// An import lints clean: no error, and only the warnings in `warnings` (rule, why it is
/// right), each of which must occur.
fn lints_clean(spec: &Spec, warnings: &[(&str, &str)]) {
    let findings = lint::lint(spec);
    for f in &findings {
        match f.severity {
            Severity::Error => panic!("{f}"),
            Severity::Warning => assert!(
                warnings.iter().any(|(rule, _)| *rule == f.rule),
                "{f}: a warning no test accounts for"
            ),
        }
    }
    for (rule, why) in warnings {
        assert!(
            findings.iter().any(|f| f.rule == *rule),
            "no `{rule}` warning any more ({why}): drop it from the list"
        );
    }
}

#[test]
fn plain_swagger_and_openapi_3_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("widgets.yaml");
    let (code, out, err) = run(&[&"--spec", &spec, &fixture("widgets.swagger.yaml")]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("tag `新的分组` is not in import's table (xtask/src/import/tags.rs); its cargo feature is `xin-de-fen-zu`"),
        "{out}"
    );
    let text = std::fs::read_to_string(&spec).unwrap();
    expect_file("widgets.yaml", &text);
    let doc = parse(&text).root;
    // The base path is in the paths; the path item's parameter is in each operation.
    let list = &doc["paths"]["/v2/{project_id}/widgets"]["get"];
    assert_eq!(list["operationId"], "ListWidgets");
    assert_eq!(
        list["x-vendor-source"],
        json!({"file": "xtask/tests/fixtures/import/widgets.swagger.yaml"})
    );
    assert_eq!(
        list["description"],
        "Lists the widgets of a project.\nOne page at a time."
    );
    let params: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["project_id", "x-language", "limit", "ids"]);
    let limit = &list["parameters"][2];
    assert_eq!(limit["x-vendor-example"], "10");
    assert!(limit.get("example").is_none());
    assert_eq!(
        (
            &list["parameters"][3]["style"],
            &list["parameters"][3]["explode"]
        ),
        (&json!("form"), &json!(false))
    );
    assert_eq!(list["parameters"][1]["x-client-setting"], "language");
    assert_eq!(
        schema(&doc, "Widget")["properties"]["note"]["nullable"],
        true
    );
    assert_eq!(
        schema(&doc, "Widget")["properties"]["owner"],
        json!({"description": "Who owns the widget.", "x-vendor-text": ["description"], "allOf": [{"$ref": "#/components/schemas/Owner"}]})
    );
    assert_eq!(schema(&doc, "Widget")["required"], json!(["id"]));
    let create = &doc["paths"]["/v2/{project_id}/widgets"]["post"];
    assert_eq!(create["tags"], json!(["新的分组"]));
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["examples"]["vendor-1"],
        json!({"summary": "A square widget.", "x-vendor-text": ["summary"], "value": {"id": "w2", "kind": "square", "enabled": "false"}})
    );
    let upload = &doc["paths"]["/v2/{project_id}/widgets/{widget_id}/file"]["put"];
    assert!(upload["requestBody"]["content"]["multipart/form-data"].is_object());

    // The same API as OpenAPI 3.0 (swagger2openapi's conversion) imports to the same spec,
    // but for the source file and the description beside a $ref, which swagger2openapi drops.
    let spec3 = dir.path().join("widgets3.yaml");
    let (code, out, err) = run(&[&"--spec", &spec3, &fixture("widgets.openapi.yaml")]);
    assert_eq!(code, 0, "{out}\n{err}");
    let mut doc3 = parse(&std::fs::read_to_string(&spec3).unwrap()).root;
    let mut doc = doc;
    for d in [&mut doc, &mut doc3] {
        for (ptr, ..) in walk::operations(&d.clone()) {
            d.pointer_mut(&ptr)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove("x-vendor-source");
        }
        for s in d["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .values_mut()
        {
            if let Some(p) = s.get_mut("properties").and_then(|p| p.get_mut("owner")) {
                *p = Value::Null;
            }
        }
    }
    assert_eq!(doc, doc3);
}

#[test]
fn bad_definitions_are_refused_with_their_place_and_the_spec_is_untouched() {
    let cases: &[(&str, &str)] = &[
        (
            "bad/not-json.json",
            "bad/not-json.json:4:39: not valid JSON: key must be a string at line 4 column 39",
        ),
        (
            "bad/not-yaml.yaml",
            "bad/not-yaml.yaml:4:1: YAML syntax error",
        ),
        (
            "bad/list.yaml",
            "bad/list.yaml:1:1: not a definition: the document is not a mapping",
        ),
        (
            "bad/not-a-definition.yaml",
            "bad/not-a-definition.yaml: not a definition import reads",
        ),
        (
            "bad/openapi-3.1.yaml",
            "bad/openapi-3.1.yaml:2:1: OpenAPI 3.1.0 is not supported",
        ),
        (
            "bad/no-operation-id.json",
            "bad/no-operation-id.json:136:4: operation GET /v3/{project_id}/instances/{instance_id}/starrocks/databases/replication has no operationId",
        ),
        (
            "bad/dangling-ref.yaml",
            "bad/dangling-ref.yaml:12:13: `$ref` to `#/definitions/Missing`, which is not in this document",
        ),
        (
            "bad/consumes-not-json.json",
            "bad/consumes-not-json.json:4:2: `consumes` is not a JSON list of media types",
        ),
    ];
    for (file, expected) in cases {
        let (dir, spec) = product_copy();
        let before = std::fs::read(&spec).unwrap();
        let (code, out, err) = run(&[
            &"--spec",
            &spec,
            &corpus("ListStarRocksDataReplications"),
            &fixture(file),
        ]);
        assert_eq!(code, 1, "{file}: {out}\n{err}");
        let expected = format!("error: xtask/tests/fixtures/import/{expected}");
        assert!(
            err.lines().any(|l| l.starts_with(&expected)),
            "{file}: expected `{expected}` in\n{err}"
        );
        assert!(
            err.contains("import: nothing written: 1 of 2 definitions refused"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(&spec).unwrap(),
            before,
            "{file}: the spec changed"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{file}: no temporary file is left");
    }
    // Arguments that cannot be used: exit 2, nothing written.
    let (_dir, spec) = product_copy();
    let before = std::fs::read(&spec).unwrap();
    let (code, _, err) = run(&[&"--spec", &spec, &fixture("missing.json")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("xtask/tests/fixtures/import/missing.json: cannot read it"),
        "{err}"
    );
    let empty = spec.with_file_name("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, err) = run(&[&"--spec", &spec, &empty]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a directory with no definition"), "{err}");
    let broken = spec.with_file_name("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\npaths: [\n").unwrap();
    let (code, _, err) = run(&[&"--spec", &broken, &corpus("ListStarRocksDataReplications")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.yaml:3:1: YAML syntax error"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "openapi: 3.0.3\npaths: [\n"
    );
    assert_eq!(std::fs::read(&spec).unwrap(), before);
}

#[test]
fn two_definitions_of_one_operation() {
    let (_dir, spec) = product_copy();
    let before = std::fs::read(&spec).unwrap();
    let (code, out, err) = run(&[
        &"--spec",
        &spec,
        &corpus("ListStarRocksDataReplications"),
        &fixture("conflict.yaml"),
    ]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("error: xtask/tests/fixtures/import/conflict.yaml:7:5: ListStarRocksDataReplications (GET /v3/{project_id}/instances/{instance_id}/starrocks/databases/replication) is also defined, differently, by openapi/vendor/corpus/ListStarRocksDataReplications.json:1:"),
        "{err}"
    );
    assert_eq!(std::fs::read(&spec).unwrap(), before);
    // The same definition twice (a copy elsewhere) is imported once.
    let copy = spec.with_file_name("ListStarRocksDataReplications.json");
    std::fs::copy(corpus("ListStarRocksDataReplications"), &copy).unwrap();
    let (code, out, err) = run(&[
        &"--spec",
        &spec,
        &copy,
        &corpus("ListStarRocksDataReplications"),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("(GET /v3/{project_id}/instances/{instance_id}/starrocks/databases/replication) is also in "), "{out}");
    assert!(out.contains(", identically; imported once, from "), "{out}");
    let doc = parse(&std::fs::read_to_string(&spec).unwrap()).root;
    assert_eq!(walk::operations(&doc).len(), 2);
}

#[test]
fn colliding_component_names_are_resolved_by_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    // The order on the command line does not matter: /a comes before /b.
    let text = imported(
        &spec,
        &[fixture("collide-b.yaml"), fixture("collide-a.yaml")],
        false,
    );
    let doc = parse(&text).root;
    let names: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    // Identical content is shared (`Item`); other content under a taken name (`Thing`, and
    // `thing`, the same Rust type) is named after the operation that brings it.
    assert_eq!(names, ["Thing", "Item", "GetBThing", "GetBThing2"]);
    assert_eq!(schema(&doc, "GetBThing")["description"], "A thing of B.");
    assert_eq!(
        schema(&doc, "GetBThing")["properties"]["item"]["$ref"],
        "#/components/schemas/Item"
    );
    assert_eq!(
        schema(&doc, "GetBThing2")["description"],
        "Another thing of B."
    );
    let b = operation(&doc, "GetB");
    assert_eq!(
        b["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/GetBThing"
    );
    assert_eq!(
        b["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/GetBThing2"
    );
    assert_eq!(
        operation(&doc, "GetA")["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Thing"
    );

    // With the product spec: its hand-written `TableReplConfig` keeps its name; the vendor's
    // (the same in both definitions) is named after the first operation that brings it,
    // shared by the second, and requests and responses get their own copies.
    let (_dir, spec) = product_copy();
    let text = imported(
        &spec,
        &[corpus("CheckTableConfig"), corpus("CheckDataBaseConfig")],
        false,
    );
    let doc = parse(&text).root;
    let product = parse(&std::fs::read_to_string(root().join(PRODUCT)).unwrap()).root;
    assert_eq!(
        schema(&doc, "TableReplConfig"),
        schema(&product, "TableReplConfig")
    );
    let vendor = schema(&doc, "CheckDataBaseConfigTableReplConfig");
    assert_eq!(vendor["properties"]["repl_scope"]["default"], "all");
    for (request, id) in [
        ("DbConfigCheckRequestV3", "CheckDataBaseConfig"),
        ("TableConfigCheckRequestV3", "CheckTableConfig"),
    ] {
        let body = &operation(&doc, id)["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["$ref"], format!("#/components/schemas/{request}"));
        let mut refs = Vec::new();
        all(schema(&doc, request), "$ref", &mut refs);
        assert!(
            refs.contains(&&json!(
                "#/components/schemas/CheckDataBaseConfigTableReplConfig"
            )),
            "{id}: {refs:?}"
        );
    }
}

/// A definition whose error object has the spec's error schema's name: its error responses
/// reference the spec's schema, and the vendor's object is not imported under another name.
#[test]
fn the_error_schema_is_the_specs_whatever_the_definition_calls_its_own() {
    let (dir, spec) = product_copy();
    let def = dir.path().join("errors.yaml");
    std::fs::write(
        &def,
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /v3/errors:\n    get:\n      operationId: ShowErrors\n      summary: s\n      description: d\n      responses:\n        '200': {description: ok, schema: {$ref: '#/definitions/Thing'}}\n        '400': {description: bad, schema: {$ref: '#/definitions/ErrorResponse'}}\ndefinitions:\n  Thing: {type: object, properties: {a: {type: string, description: A.}}}\n  ErrorResponse:\n    type: object\n    properties:\n      error_code: {type: string, description: C.}\n      error_msg: {type: string, description: M.}\n      detail: {type: string, description: D.}\n",
    )
    .unwrap();
    let doc = parse(&imported(&spec, &[def], false)).root;
    let op = operation(&doc, "ShowErrors");
    assert_eq!(
        op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorResponse"
    );
    let product = parse(&std::fs::read_to_string(root().join(PRODUCT)).unwrap()).root;
    assert_eq!(
        schema(&doc, "ErrorResponse"),
        schema(&product, "ErrorResponse")
    );
    let names: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("ErrorResponse") && *n != "ErrorResponse"),
        "{names:?}"
    );
}

#[test]
fn an_operation_the_spec_has_is_reported_then_replaced() {
    let (dir, spec) = product_copy();
    let before = std::fs::read_to_string(&spec).unwrap();
    let (code, out, err) = run(&[
        &"--spec",
        &spec,
        &corpus("ListStarRocksDataReplicationConfig"),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let ptr = "/paths/~1v3~1{project_id}~1instances~1{instance_id}~1starrocks~1databases~1replication~1configuration/get";
    let at = parse(&before).exact_pos(ptr).unwrap();
    assert!(
        out.contains(&format!(
            ":{}:{}: ListStarRocksDataReplicationConfig (GET",
            at.line, at.col
        )),
        "{out}"
    );
    assert!(out.contains(": ListStarRocksDataReplicationConfig (GET /v3/{project_id}/instances/{instance_id}/starrocks/databases/replication/configuration) is already in the spec; left alone (--replace replaces it with openapi/vendor/corpus/ListStarRocksDataReplicationConfig.json)"), "{out}");
    // As `cargo xtask vendor` compares the same file: every difference listed.
    assert!(out.contains("107 facts compared, as `cargo xtask vendor` compares them: 22 differ (22 listed in openapi/vendor/deviations.yaml)"), "{out}");
    assert!(out.contains("    listed (follows page): StarRocksReplicationConfig.target_database_name maxLength: spec 128, vendor 64"), "{out}");
    assert!(out.contains("import: nothing added to"), "{out}");
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), before);
    // Huawei changes a fact: the report names it, at the spec's line.
    let changed = dir.path().join("ListStarRocksDataReplicationConfig.json");
    let mut v: Value = serde_json::from_slice(
        &std::fs::read(corpus("ListStarRocksDataReplicationConfig")).unwrap(),
    )
    .unwrap();
    v["definitions"]["QueryDataReplicationConfigResponseV3"]["properties"]["target_database_name"]
        ["maxLength"] = json!(32);
    std::fs::write(&changed, serde_json::to_vec(&v).unwrap()).unwrap();
    let (code, out, _) = run(&[&"--spec", &spec, &changed]);
    assert_eq!(code, 0);
    let unlisted = out
        .lines()
        .find(|l| l.contains("target_database_name maxLength: spec 128, vendor 32"))
        .unwrap_or_else(|| panic!("{out}"));
    let at = parse(&before)
        .exact_pos("/components/schemas/StarRocksReplicationConfig/properties/target_database_name")
        .unwrap();
    assert!(
        unlisted.contains(&format!(
            "spec.yaml:{}:{}: StarRocksReplicationConfig",
            at.line, at.col
        )),
        "{unlisted}"
    );
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), before);

    // --replace: the operation is the vendor's now; nothing else changes.
    let (code, out, err) = run(&[
        &"--replace",
        &"--spec",
        &spec,
        &corpus("ListStarRocksDataReplicationConfig"),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("1 operation (1 replaced)"), "{out}");
    assert!(out.contains("note: component `StarRocksReplicationConfig` (schemas) served only the replaced operations"), "{out}");
    let after = std::fs::read_to_string(&spec).unwrap();
    let doc = parse(&after).root;
    let op = operation(&doc, "ListStarRocksDataReplicationConfig");
    assert_eq!(
        op["x-vendor-source"]["file"],
        "ListStarRocksDataReplicationConfig.json"
    );
    assert!(op.get("x-rust-method").is_none());
    let old = parse(&before);
    let start = old.exact_pos(ptr).unwrap().line;
    let lines: Vec<&str> = before.lines().collect();
    let head = lines[..start - 1].join("\n");
    assert!(
        after.starts_with(&head),
        "the text before the operation is kept"
    );
    let tail_start = lines.iter().position(|l| *l == "components:").unwrap();
    let tail = lines[tail_start..].join("\n");
    assert!(
        after.contains(&tail.lines().take(150).collect::<Vec<_>>().join("\n")),
        "the components are kept"
    );
}

/// The OpenAPI 3.0 input of an operation the spec has: the report is what `--replace`
/// would change, as `cargo xtask diff` classifies it.
#[test]
fn an_openapi_3_operation_the_spec_has_is_reported_as_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    let (code, ..) = run(&[&"--spec", &spec, &fixture("widgets.swagger.yaml")]);
    assert_eq!(code, 0);
    let before = std::fs::read(&spec).unwrap();
    let (code, out, err) = run(&[&"--spec", &spec, &fixture("widgets.openapi.yaml")]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("ListWidgets (GET /v2/{project_id}/widgets) is already in the spec"),
        "{out}"
    );
    assert!(out.contains("--replace would make "), "{out}");
    assert_eq!(std::fs::read(&spec).unwrap(), before);
}

/// The operations issue 18 brings into the product: every byte of the product spec stays.
#[test]
fn importing_into_the_product_spec_keeps_every_byte() {
    let (_dir, spec) = product_copy();
    let before = std::fs::read_to_string(&spec).unwrap();
    let names = [
        "ListStarRocksDataReplications",
        "CreateStarRocksDataReplication",
        "ModifyDataSync",
        "DeleteStarRocksDataReplication",
        "PauseStarRocksDataReplication",
        "ListStarRocksDataReplicationConfig",
        "ListStarRocksDataReplicationConfigByDataBase",
        "CheckDataBaseConfig",
        "CheckTableConfig",
        "ListStarRocksDbParameters",
        "ListStarRocksDataBases",
        "ShowGaussMySqlJobInfo",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| corpus(n)).collect();
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--spec", &spec];
    args.extend(paths.iter().map(|p| p as &dyn AsRef<std::ffi::OsStr>));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("11 operations (0 replaced)"), "{out}");
    assert!(out.contains("1 existing operation left alone"), "{out}");
    let after = std::fs::read_to_string(&spec).unwrap();
    // Every line of the spec is in the new text, in order: lines were only inserted.
    let mut old = before.lines().enumerate().peekable();
    for line in after.lines() {
        if old.peek().is_some_and(|(_, l)| *l == line) {
            old.next();
        }
    }
    if let Some((n, l)) = old.next() {
        panic!("line {} of the spec is gone or changed: {l:?}", n + 1);
    }
    assert!(after.ends_with('\n'));
    let doc = parse(&after);
    assert_eq!(walk::operations(&doc.root).len(), 12);
    // The product spec's own components are used where they fit: its error schema and tag.
    for id in names {
        let op = operation(&doc.root, id);
        let tag = if id == "ShowGaussMySqlJobInfo" {
            "Task Center"
        } else {
            "HTAP (Standard Edition)"
        };
        assert_eq!(op["tags"], json!([tag]), "{id}");
        assert_eq!(
            op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorResponse",
            "{id}"
        );
    }
    assert_eq!(doc.root["tags"].as_array().unwrap().len(), 2);
    lints_clean(&doc, &[]);
}

#[test]
fn the_output_is_deterministic() {
    let names = [
        "ShowGaussMySqlJobInfo",
        "CheckDataBaseConfig",
        "ListStarRocksDataBases",
        "ModifyDataSync",
    ];
    let forward: Vec<PathBuf> = names.iter().map(|n| corpus(n)).collect();
    let backward: Vec<PathBuf> = forward.iter().rev().cloned().collect();
    let (_d1, spec) = product_copy();
    let a = imported(&spec, &forward, false);
    let b = imported(&spec, &backward, false);
    assert_eq!(a, b, "the order on the command line changes the output");
    assert_eq!(imported(&spec, &forward, false), a);
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.yaml");
    assert_eq!(
        imported(&new, &forward, false),
        imported(&new, &backward, false)
    );
}

/// Every corpus file as the package ships it, into an empty spec: lint finds nothing but
/// what the generator's robustness work changes; `cargo xtask vendor`'s comparison of the
/// result with the files finds nothing but the workspace's conventions and the recorded
/// contradictions.
#[test]
fn the_whole_corpus_into_an_empty_spec() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("all.yaml");
    let text = imported(&spec, &[root().join("openapi/vendor/corpus")], false);
    let doc = parse(&text);
    assert_eq!(walk::operations(&doc.root).len(), 183);
    let vendor_docs: Vec<VendorDoc> = corpus_files()
        .iter()
        .map(|p| VendorDoc {
            file: p.file_name().unwrap().to_string_lossy().into_owned(),
            root: serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap(),
        })
        .collect();
    // Properties without a description are so in Huawei's definitions; one operation has
    // no 4xx response there either.
    for f in lint::lint(&doc) {
        if f.rule == "description-present" {
            let node = doc.root.pointer(&f.pointer).unwrap();
            assert!(
                node.get("description").is_none() && node.get("x-vendor-text").is_none(),
                "{f}"
            );
        }
        if f.rule == "operation-4xx-response" {
            let id = doc
                .root
                .pointer(&f.pointer.replace("/responses", "/operationId"))
                .unwrap();
            let v = vendor_docs
                .iter()
                .find(|d| d.file == format!("{}.json", id.as_str().unwrap()))
                .unwrap();
            let ops = walk::operations(&v.root);
            assert!(
                !ops[0].3["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .any(|s| s.starts_with('4')),
                "{f}"
            );
        }
    }
    lints_clean(
        &doc,
        &[
            (
                "description-present",
                "the property has no description in Huawei's definition",
            ),
            (
                "operation-4xx-response",
                "Huawei's definition of the operation has no 4xx response",
            ),
        ],
    );
    // Faithful to the definitions.
    let comparison = vendor::compare(&doc.root, &vendor_docs);
    assert!(comparison.problems.is_empty(), "{:?}", comparison.problems);
    assert!(comparison.facts.len() > 5_000, "{}", comparison.facts.len());
    let unexplained: Vec<String> = comparison
        .differences
        .iter()
        .filter(|d| explained(d, &doc.root).is_none())
        .map(|d| d.to_string())
        .collect();
    assert!(
        unexplained.is_empty(),
        "differences from the definitions that no convention explains:\n{}",
        unexplained.join("\n")
    );
}

/// Why the imported spec differs from Huawei's definition in this fact: a convention of the
/// workspace, or a contradiction the import recorded.
fn explained(d: &vendor::Difference, root: &Value) -> Option<&'static str> {
    let subject = d.subject.to_ascii_lowercase();
    let name = |v: &Option<Value>| {
        v.as_ref()
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let recorded = |ptr: &str| {
        let mut p = ptr.to_string();
        loop {
            if root
                .pointer(&p)
                .is_some_and(|n| n.get("x-discrepancies").is_some())
            {
                return true;
            }
            match p.rsplit_once('/') {
                Some((parent, _)) if !parent.is_empty() => p = parent.to_string(),
                _ => return false,
            }
        }
    };
    if subject.ends_with("parameter x-auth-token") {
        Some("the token header is the security scheme iamToken")
    } else if subject.ends_with("parameter content-type") && d.constraint == "declared" {
        Some("the client sets Content-Type")
    } else if d.subject == "ErrorResponse" || d.subject.starts_with("ErrorResponse.") {
        Some("one error schema for every operation")
    } else if d.constraint == "name"
        && name(&d.spec)
            .trim_end_matches("Response")
            .ends_with(&name(&d.vendor))
    {
        Some("the collision rule (the operation's name before it), or a response's own copy")
    } else if d.constraint == "produces" {
        Some("JSON is application/json; a file is application/octet-stream")
    } else if (d.constraint == "type" && d.vendor == Some(json!("file")))
        || (d.constraint == "format" && d.spec == Some(json!("binary")))
    {
        Some("a file body is type: string, format: binary")
    } else if recorded(&d.pointer) {
        Some("a contradiction, recorded in x-discrepancies")
    } else {
        None
    }
}

/// The package as cargo unpacks it (`cargo info huawei-cloud-api-definitions-GaussDB@0.1.20260828`
/// puts it in cargo's registry cache), when it is there: its files import to the same bytes
/// as the corpus, credited to the package.
#[test]
fn the_raw_package_files_import_as_the_corpus_does() {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let package = home.and_then(|h| {
        std::fs::read_dir(h.join("registry/src"))
            .ok()?
            .flatten()
            .find_map(|index| {
                let src = index
                    .path()
                    .join("huawei-cloud-api-definitions-GaussDB-0.1.20260828/src");
                src.is_dir().then_some(src)
            })
    });
    let Some(src) = package else {
        eprintln!(
            "skipped: huawei-cloud-api-definitions-GaussDB 0.1.20260828 is not in cargo's registry cache (`cargo info huawei-cloud-api-definitions-GaussDB@0.1.20260828` puts it there)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    let raw = imported(&spec, &[src], false);
    let vendored = imported(&spec, &[root().join("openapi/vendor/corpus")], false);
    assert!(
        raw == vendored,
        "the package's files and the corpus import differently"
    );
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("openapi/vendor/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_is_the_package_byte_for_byte() {
    let dir = root().join("openapi/vendor/corpus");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let listed: BTreeSet<String> = sums
        .lines()
        .map(|l| {
            let (hash, name) = l
                .split_once("  ")
                .unwrap_or_else(|| panic!("not a sha256sum line: {l}"));
            let actual = Sha256::digest(std::fs::read(dir.join(name)).unwrap());
            let actual: String = actual.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(actual, hash, "{name} is not the package's");
            name.to_string()
        })
        .collect();
    let files: BTreeSet<String> = corpus_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, files, "SHA256SUMS lists every file and no other");
    assert_eq!(files.len(), 183);
    let package = std::fs::read_to_string(dir.join("package.toml")).unwrap();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(
        package.contains("name = \"huawei-cloud-api-definitions-GaussDB\"")
            && package.contains("version = \"0.1.20260828\"")
    );
    assert!(
        readme.contains("`huawei-cloud-api-definitions-GaussDB`")
            && readme.contains("**0.1.20260828**")
    );
}

/// A file is credited to its package only when it is the package's byte for byte: beside
/// `package.toml` and `SHA256SUMS`, or in the package as cargo unpacks it.
#[test]
fn provenance_is_credited_only_to_the_packages_own_files() {
    let name = "ListStarRocksDataBases.json";
    let original = std::fs::read(corpus("ListStarRocksDataBases")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for f in ["package.toml", "SHA256SUMS"] {
        std::fs::copy(root().join("openapi/vendor/corpus").join(f), copy.join(f)).unwrap();
    }
    std::fs::write(copy.join(name), &original).unwrap();
    let p = read::provenance(&root(), &copy.join(name), &original);
    assert_eq!(
        p.to_value(),
        json!({"package": "huawei-cloud-api-definitions-GaussDB", "version": "0.1.20260828", "file": name})
    );
    let mut changed = original.clone();
    changed.extend_from_slice(b"\n");
    let p = read::provenance(&root(), &copy.join(name), &changed);
    assert!(p.package.is_none());
    assert_eq!(
        p.note.as_deref(),
        Some(
            "it differs from huawei-cloud-api-definitions-GaussDB 0.1.20260828's copy (SHA256SUMS beside it), so it is not credited to the package"
        )
    );
    // The package as cargo unpacks it.
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(pkg.join("src")).unwrap();
    std::fs::write(
        pkg.join("Cargo.toml"),
        "[package]\nname = \"some-definitions\"\nversion = \"1.2.3\"\n",
    )
    .unwrap();
    std::fs::write(pkg.join("src").join(name), &original).unwrap();
    let hash: String = Sha256::digest(&original)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        pkg.join(".cargo-checksum.json"),
        json!({"files": {format!("src/{name}"): hash}, "package": "x"}).to_string(),
    )
    .unwrap();
    let p = read::provenance(&root(), &pkg.join("src").join(name), &original);
    assert_eq!(
        p.to_value(),
        json!({"package": "some-definitions", "version": "1.2.3", "file": name})
    );
    let p = read::provenance(&root(), &pkg.join("src").join(name), &changed);
    assert!(p.package.is_none() && p.note.is_some());
    // Cargo's registry cache: cargo checked the package when it unpacked it (`.cargo-ok`).
    std::fs::remove_file(pkg.join(".cargo-checksum.json")).unwrap();
    let p = read::provenance(&root(), &pkg.join("src").join(name), &original);
    assert!(p.package.is_none(), "not cargo's copy");
    assert_eq!(
        p.file, name,
        "a file outside the workspace is named, not located"
    );
    std::fs::write(pkg.join(".cargo-ok"), "{\"v\":1}").unwrap();
    let p = read::provenance(&root(), &pkg.join("src").join(name), &original);
    assert_eq!(
        p.to_value(),
        json!({"package": "some-definitions", "version": "1.2.3", "file": name})
    );
}

#[test]
fn a_new_spec_has_the_product_specs_servers() {
    let template = parse(import::TEMPLATE).root;
    let product = parse(&std::fs::read_to_string(root().join(PRODUCT_SPEC)).unwrap()).root;
    assert_eq!(template["servers"], product["servers"]);
    assert_eq!(template["security"], product["security"]);
    let findings = lint::lint(&parse(import::TEMPLATE));
    let rules: BTreeSet<&str> = findings.iter().map(|f| f.rule).collect();
    assert!(
        rules
            .iter()
            .all(|r| *r == "oas3-unused-component" || *r == "oas3-api-servers"),
        "{findings:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The converter against swagger2openapi.

/// What swagger2openapi and the converter must agree on: `servers`, `paths` and
/// `components`, with swagger2openapi's path-level parameters given to each operation, its
/// `*/*` (for an operation without `produces`) read as API Explorer's `application/json`,
/// the siblings of a `$ref` left out (swagger2openapi drops them by default; the converter
/// keeps them for the conventions, which keep a property's description), numbers compared as
/// JavaScript holds them (a double: `8.0` is `8`, 2^63 - 1 is 2^63), and the `null` values of
/// extension examples (`x-response-examples-N`) left out, as swagger2openapi drops them.
fn comparable(doc: &Value) -> Value {
    fn normalize(v: &mut Value, in_extension_example: bool) {
        match v {
            Value::Object(m) => {
                if m.contains_key("$ref") && !in_extension_example {
                    m.retain(|k, _| k == "$ref");
                }
                if in_extension_example {
                    m.retain(|_, c| !c.is_null());
                }
                for (k, c) in m.iter_mut() {
                    let extension = in_extension_example || k.starts_with("x-response-examples-");
                    if k == "example" || k == "examples" {
                        normalize_numbers(c);
                    } else {
                        normalize(c, extension);
                    }
                }
            }
            Value::Array(a) => a
                .iter_mut()
                .for_each(|c| normalize(c, in_extension_example)),
            Value::Number(_) => normalize_numbers(v),
            _ => {}
        }
    }
    fn normalize_numbers(v: &mut Value) {
        match v {
            Value::Number(n) => {
                if let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64) {
                    *n = f;
                }
            }
            Value::Object(m) => m.values_mut().for_each(normalize_numbers),
            Value::Array(a) => a.iter_mut().for_each(normalize_numbers),
            _ => {}
        }
    }
    let mut doc = doc.clone();
    swagger::strip_sources(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let shared = item.as_object_mut().and_then(|m| m.remove("parameters"));
            for (method, op) in item.as_object_mut().unwrap().iter_mut() {
                if !walk::METHODS.contains(&method.as_str()) {
                    continue;
                }
                if let Some(Value::Array(shared)) = &shared {
                    let own = op
                        .get("parameters")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let mut all: Vec<Value> = shared
                        .iter()
                        .filter(|s| {
                            !own.iter()
                                .any(|o| o["name"] == s["name"] && o["in"] == s["in"])
                        })
                        .cloned()
                        .collect();
                    all.extend(own);
                    op["parameters"] = Value::Array(all);
                }
                for r in op
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    let Some(content) = r.get_mut("content").and_then(Value::as_object_mut) else {
                        continue;
                    };
                    if let Some(Value::Object(any)) = content.remove("*/*") {
                        let json = content
                            .entry("application/json")
                            .or_insert_with(|| json!({}));
                        for (k, v) in any {
                            json[k] = v;
                        }
                    }
                }
            }
        }
    }
    normalize(&mut doc, false);
    json!({"servers": doc.get("servers"), "paths": doc.get("paths"), "components": doc.get("components").cloned().unwrap_or(json!({}))})
}

fn converted(def: &read::Definition) -> Value {
    comparable(&swagger::convert(&def.swagger().unwrap()))
}

fn definition(path: &Path) -> read::Definition {
    read::load(&root(), path).unwrap_or_else(|r| panic!("{}", r.diagnostic()))
}

/// The first place where two documents differ, for messages.
fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (p, q) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                if p != q {
                    return first_difference(p, q, &format!("{at}/{k}"));
                }
            }
            at.to_string()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if p != q {
                    return first_difference(p, q, &format!("{at}/{i}"));
                }
            }
            at.to_string()
        }
        _ => format!("{at}: converter {a}, swagger2openapi {b}"),
    }
}

#[test]
fn the_converter_agrees_with_swagger2openapi_on_the_committed_fixtures() {
    let mut cases: Vec<(PathBuf, PathBuf)> = vec![(
        fixture("widgets.swagger.yaml"),
        fixture("s2o/widgets.openapi.json"),
    )];
    for name in [
        "ListStarRocksDataReplications",
        "AddDatabasePermission",
        "DownloadImportExcelTemplate",
        "ShowDedicatedResourceInfo",
    ] {
        cases.push((corpus(name), fixture(&format!("s2o/{name}.openapi.json"))));
    }
    for (input, reference) in cases {
        let ours = converted(&definition(&input));
        let theirs: Value = serde_json::from_slice(&std::fs::read(&reference).unwrap()).unwrap();
        let theirs = comparable(&theirs);
        assert!(
            ours == theirs,
            "{}: {}",
            input.display(),
            first_difference(&ours, &theirs, "")
        );
    }
}

/// The whole corpus, when swagger2openapi is installed (`SWAGGER2OPENAPI` names its
/// command, or it is on `PATH`): one Node process converts every file.
#[test]
fn the_converter_agrees_with_swagger2openapi_on_the_whole_corpus() {
    let command = std::env::var_os("SWAGGER2OPENAPI")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join("swagger2openapi"))
                    .find(|c| c.is_file())
            })
        });
    let Some(command) = command else {
        eprintln!(
            "skipped: swagger2openapi is not installed (set SWAGGER2OPENAPI to its command to run this test)"
        );
        return;
    };
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: node is not installed");
        return;
    }
    // The command is the package's swagger2openapi.js (npm links .bin/ to it).
    let package = std::fs::canonicalize(&command)
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&output).unwrap();
    let defs: Vec<read::Definition> = corpus_files().iter().map(|p| definition(p)).collect();
    for d in &defs {
        let mut sw = d.swagger().unwrap();
        sw["info"] = json!({"title": d.file, "version": "1"});
        let name = Path::new(&d.file).file_name().unwrap();
        std::fs::write(input.join(name), serde_json::to_vec(&sw).unwrap()).unwrap();
    }
    let script = dir.path().join("convert.js");
    std::fs::write(
        &script,
        "const s2o = require(process.argv[2]); const fs = require('fs');\n\
         (async () => { for (const f of fs.readdirSync(process.argv[3]).sort()) {\n\
           const r = await s2o.convertObj(JSON.parse(fs.readFileSync(process.argv[3] + '/' + f, 'utf8')), {});\n\
           fs.writeFileSync(process.argv[4] + '/' + f, JSON.stringify(r.openapi)); } })()\n\
         .catch(e => { console.error(e.message); process.exit(1); });\n",
    )
    .unwrap();
    let out = Command::new("node")
        .arg(&script)
        .arg(&package)
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "swagger2openapi failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut disagreements = Vec::new();
    for d in &defs {
        let name = Path::new(&d.file).file_name().unwrap();
        let theirs: Value =
            serde_json::from_slice(&std::fs::read(output.join(name)).unwrap()).unwrap();
        let (ours, theirs) = (converted(d), comparable(&theirs));
        if ours != theirs {
            disagreements.push(format!(
                "{}: {}",
                d.file,
                first_difference(&ours, &theirs, "")
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} files:\n{}",
        disagreements.len(),
        defs.len(),
        disagreements.join("\n")
    );
    eprintln!(
        "the converter and swagger2openapi agree on all {} corpus files",
        defs.len()
    );
}
