//! `cargo xtask vendor`: the spec against Huawei's Swagger 2.0 definitions in
//! `openapi/vendor/`. Changes are made to temporary copies of the spec and the definitions.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use xtask::review::vendor::{self, VendorDoc};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const MAIN: &str = "openapi/vendor/ListStarRocksDataReplicationConfig.json";
const SIBLING: &str = "openapi/vendor/ListStarRocksDataReplicationConfigByDataBase.json";
const DEVIATIONS: &str = "openapi/vendor/deviations.yaml";
const CORPUS_PAUSE: &str = "openapi/vendor/corpus/PauseStarRocksDataReplication.json";
const SPEC: &str = "openapi/taurusdb.yaml";

/// A temporary root with copies of the spec and of `openapi/vendor/` (its copies, the
/// deviations file and the corpus, whose files `deviations.yaml` lists too).
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("openapi/vendor/corpus")).unwrap();
    std::fs::copy(root().join(SPEC), dir.path().join(SPEC)).unwrap();
    for sub in ["openapi/vendor", "openapi/vendor/corpus"] {
        for entry in std::fs::read_dir(root().join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                continue;
            }
            let to = dir.path().join(sub).join(path.file_name().unwrap());
            std::fs::copy(&path, to).unwrap();
        }
    }
    dir
}

/// Replaces the one occurrence of `old` in `file` under `dir`.
fn edit(dir: &Path, file: &str, old: &str, new: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches(old).count(),
        1,
        "`{old}` must occur once in {file}"
    );
    std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
}

/// Runs `cargo xtask --root DIR vendor`: (exit code, stdout, stderr).
fn run(dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(dir)
        .arg("vendor")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Changes the JSON of a vendor file under `dir`.
fn edit_json(dir: &Path, file: &str, change: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join(file);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut v);
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

fn errors(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect()
}

#[test]
fn the_committed_spec_accounts_for_every_difference() {
    let (code, out, err) = run(&root());
    assert_eq!(code, 0, "{out}{err}");
    assert!(errors(&out).is_empty(), "{out}");
    let summary = out.lines().last().unwrap();
    assert!(summary.contains(", 0 not)"), "{summary}");
    // The page's two contradictions with the vendor definition are listed, not lost.
    assert!(out.contains("deviation: DbConfigCheckResult.param_name minLength: spec 3, vendor 2"));
    assert!(out.contains(
        "deviation: StarRocksReplicationConfig.target_database_name maxLength: spec 128, vendor 64"
    ));
}

#[test]
fn the_committed_copies_are_the_vendor_files_and_licensed() {
    for file in [MAIN, SIBLING] {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap();
        assert_eq!(v["version"], "2.0", "{file}");
        assert_eq!(v["region_id"], "cn-north-4", "{file}");
    }
    let licence = std::fs::read_to_string(root().join("openapi/vendor/LICENSE")).unwrap();
    assert!(licence.starts_with("MIT License"), "{licence}");
}

#[test]
fn a_constraint_changed_in_the_spec_is_named() {
    // An adopted value changed.
    let dir = copy();
    edit(dir.path(), SPEC, "maxItems: 50\n", "maxItems: 40\n");
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "{out}");
    assert!(
        errs[0].contains("StarRocksReplicationConfig.table_infos maxItems: spec 40, vendor 50"),
        "{out}"
    );
    assert!(
        errs[0].starts_with("error: openapi/taurusdb.yaml:"),
        "{out}"
    );
    assert!(
        out.contains("adopted from the vendor definition (x-vendor)"),
        "{out}"
    );

    // A listed deviation that the spec no longer has is stale.
    let dir = copy();
    edit(
        dir.path(),
        SPEC,
        "          minLength: 3\n          maxLength: 128\n          pattern: ^[A-Za-z0-9_]+$\n        is_tables_change:",
        "          minLength: 3\n          maxLength: 64\n          pattern: ^[A-Za-z0-9_]+$\n        is_tables_change:",
    );
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "{out}");
    assert!(
        errs[0].starts_with("error: openapi/vendor/deviations.yaml:"),
        "{out}"
    );
    assert!(
        errs[0].contains("stale deviation `StarRocksReplicationConfig.target_database_name maxLength` (spec 128, vendor 64)"),
        "{out}"
    );
    assert!(errs[0].contains("agree on it now"), "{out}");

    // A property the vendor does not know.
    let dir = copy();
    edit(
        dir.path(),
        SPEC,
        "        is_tables_change:\n",
        "        is_paused:\n          type: boolean\n          description: Paused.\n        is_tables_change:\n",
    );
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("StarRocksReplicationConfig.is_paused declared: spec true, vendor false"),
        "{out}"
    );
}

#[test]
fn a_constraint_changed_in_the_vendor_definition_is_named() {
    // One file changes an adopted value: the difference names that file only.
    let dir = copy();
    edit(dir.path(), MAIN, "\"maxItems\": 50,", "\"maxItems\": 100,");
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "{out}");
    assert!(
        errs[0].contains(
            "StarRocksReplicationConfig.table_infos maxItems: spec 50, vendor 100 \
             (ListStarRocksDataReplicationConfig.json: QueryDataReplicationConfigResponseV3.table_infos)"
        ),
        "{out}"
    );

    // A parameter constraint: the listed deviation (vendor states no enum) goes stale.
    let dir = copy();
    edit_json(dir.path(), MAIN, |v| {
        let params = v.pointer_mut("/paths/~1v3~1{project_id}~1instances~1{instance_id}~1starrocks~1databases~1replication~1configuration/get/parameters").unwrap();
        let language = params
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p["name"] == "X-Language")
            .unwrap();
        language["enum"] = json!(["en-us", "zh-cn"]);
    });
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "stale deviation `ListStarRocksDataReplicationConfig parameter X-Language enum`"
        ),
        "{out}"
    );

    // The sibling's shared schema is compared too: a property it drops is named.
    let dir = copy();
    edit_json(dir.path(), SIBLING, |v| {
        v["definitions"]["QueryDataReplicationConfigResponseV3"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("is_tables_change");
    });
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "StarRocksReplicationConfig.is_tables_change declared: spec true, vendor false \
             (ListStarRocksDataReplicationConfigByDataBase.json"
        ),
        "{out}"
    );

    // A parameter moves.
    let dir = copy();
    edit(
        dir.path(),
        MAIN,
        "\"in\": \"query\",",
        "\"in\": \"header\",",
    );
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "ListStarRocksDataReplicationConfig parameter task_name in: spec \"query\", vendor \"header\""
        ),
        "{out}"
    );
}

#[test]
fn a_misplaced_x_vendor_is_an_error() {
    let dir = copy();
    edit(
        dir.path(),
        SPEC,
        "          maxItems: 50\n          x-vendor: [maxItems]",
        "          maxItems: 50\n          x-vendor: [maxItems, pattern]",
    );
    let (code, out, _) = run(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("x-vendor lists `pattern`, which this object does not have"),
        "{out}"
    );
}

#[test]
fn bad_vendor_files_are_named_with_exit_2() {
    let cases: [(&str, Option<&str>, &str); 6] = [
        (MAIN, None, "cannot read the vendor definition"),
        (
            MAIN,
            Some("{\"version\": \"2.0\", \"paths\": {"),
            "not valid JSON",
        ),
        (SIBLING, Some("[1, 2]"), "not a Swagger 2.0 document"),
        (
            SIBLING,
            Some("{\"openapi\": \"3.0.3\", \"paths\": {}}"),
            "an OpenAPI \"3.0.3\" document, not Swagger 2.0",
        ),
        (
            MAIN,
            Some(
                "{\"swagger\": \"2.0\", \"paths\": {\"/x\": {\"get\": {\"operationId\": \"X\", \"responses\": {\"200\": {\"schema\": {\"$ref\": \"#/definitions/Gone\"}}}}}}}",
            ),
            "`#/definitions/Gone`, which is not in this document",
        ),
        // A corpus file listed in deviations.yaml: API Explorer's record with a `consumes`
        // that is not the JSON list it must hold.
        (
            CORPUS_PAUSE,
            Some(
                "{\"version\": \"2.0\", \"consumes\": \"application/json\", \"paths\": {\"/x\": {\"post\": {\"operationId\": \"X\", \"responses\": {\"200\": {}}}}}}",
            ),
            "`consumes` is not a JSON list of media types",
        ),
    ];
    for (file, contents, message) in cases {
        let dir = copy();
        match contents {
            Some(c) => std::fs::write(dir.path().join(file), c).unwrap(),
            None => std::fs::remove_file(dir.path().join(file)).unwrap(),
        }
        let (code, out, err) = run(dir.path());
        assert_eq!(code, 2, "{file}: {out}{err}");
        assert!(err.starts_with(&format!("error: {file}")), "{err}");
        assert!(err.contains(message), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // Not Swagger 2.0 at all: a JSON object of something else.
    let dir = copy();
    std::fs::write(
        dir.path().join(MAIN),
        "{\"swagger\": \"1.2\", \"paths\": {}}",
    )
    .unwrap();
    let (code, _, err) = run(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ListStarRocksDataReplicationConfig.json:1:2: the vendor definition is not a Swagger 2.0 document"), "{err}");
    assert!(err.contains("Swagger \"1.2\" is not supported"), "{err}");
}

#[test]
fn a_bad_deviations_file_is_named_with_exit_2() {
    let dir = copy();
    edit(
        dir.path(),
        DEVIATIONS,
        "follows: server\n    reason: &server-fields",
        "follows: rumour\n    reason: &server-fields",
    );
    let (code, _, err) = run(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error: openapi/vendor/deviations.yaml:"),
        "{err}"
    );
    assert!(
        err.contains("`follows` must be one of page, vendor, server, spec"),
        "{err}"
    );

    let dir = copy();
    std::fs::remove_file(dir.path().join(DEVIATIONS)).unwrap();
    let (code, _, err) = run(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("deviations.yaml: cannot read"), "{err}");
}

/// Swagger 2.0 read as OpenAPI 3.0: `#/definitions`, `in: body`, header names in any case,
/// a response's `schema` and `examples`, `produces`.
#[test]
fn swagger_2_is_read_as_the_openapi_3_it_stands_for() {
    let vendor = VendorDoc {
        file: "v.json".into(),
        root: json!({
            "swagger": "2.0",
            "produces": ["application/json"],
            "paths": {"/things": {"post": {
                "operationId": "CreateThing",
                "parameters": [
                    {"name": "x-trace", "in": "header", "type": "string", "maxLength": 8},
                    {"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Thing"}}
                ],
                "responses": {"201": {
                    "schema": {"$ref": "#/definitions/Thing"},
                    "examples": {"application/json": {"name": "a"}}
                }}
            }}},
            "definitions": {"Thing": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "minLength": 1},
                "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}}
            }}}
        }),
    };
    let spec = json!({
        "openapi": "3.0.3",
        "paths": {"/things": {"post": {
            "operationId": "CreateThing",
            "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string", "maxLength": 8}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
            "responses": {"201": {"description": "Created", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"},
                "examples": {"one": {"value": {"name": "a"}}}
            }}}}
        }}},
        "components": {"schemas": {"Thing": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "minLength": 1, "x-vendor": ["minLength"]},
            "tags": {"type": "array", "maxItems": 5, "items": {"type": "string"}}
        }}}}
    });
    let c = vendor::compare(&spec, std::slice::from_ref(&vendor));
    let found: Vec<String> = c.differences.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        ["Thing.tags maxItems: spec 5, vendor 3 (v.json: Thing.tags)"]
    );
    assert_eq!(
        c.differences[0].pointer,
        "/components/schemas/Thing/properties/tags"
    );
    assert!(
        c.adopted.contains("Thing.name minLength"),
        "{:?}",
        c.adopted
    );
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    for fact in [
        "CreateThing request body required",
        "CreateThing parameter x-trace maxLength",
        "CreateThing produces",
        "CreateThing response 201 example",
        "Thing name",
        "Thing required",
    ] {
        assert!(c.facts.contains(fact), "{fact} not compared: {:?}", c.facts);
    }
}

/// Every definition of the corpus (API Explorer's records as the package ships them: no
/// `swagger` key, `consumes` a JSON string, API Explorer's own keys) loads through the reader
/// `cargo xtask import` uses and is compared: its operation is a fact, and the document
/// compared is the Swagger 2.0 one it stands for.
#[test]
fn every_corpus_definition_can_be_compared() {
    let spec = xtask::model::spec::Spec::load(&root().join(SPEC))
        .unwrap_or_else(|d| panic!("{d}"))
        .root;
    let mut files: Vec<_> = std::fs::read_dir(root().join("openapi/vendor/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 183, "{} corpus files", files.len());
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let raw: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(
            raw.get("swagger").is_none(),
            "{name} is not in the corpus format"
        );
        let doc = vendor::load_vendor(path, &name).unwrap_or_else(|d| panic!("{d}"));
        // The Swagger 2.0 document it stands for: `consumes` parsed, API Explorer's keys out.
        assert_eq!(doc.root["swagger"], "2.0", "{name}");
        if raw
            .get("consumes")
            .is_some_and(serde_json::Value::is_string)
        {
            assert!(
                doc.root["consumes"].is_array(),
                "{name}: {}",
                doc.root["consumes"]
            );
        }
        assert!(doc.root.get("product_short").is_none(), "{name}");
        let id = raw["name"].as_str().unwrap();
        let c = vendor::compare(&spec, std::slice::from_ref(&doc));
        assert!(
            c.facts.iter().any(|f| f.starts_with(&format!("{id} "))),
            "{name}: no fact about {id}"
        );
    }
}

/// `deviations.yaml` lists a definition for every operation of the spec that the workspace
/// has Huawei's definition of (`openapi/vendor/corpus/<operationId>.json`), and the listed
/// corpus files are the package's, unchanged.
#[test]
fn every_operation_with_a_definition_is_compared() {
    let config = vendor::load_config(&root().join(DEVIATIONS), DEVIATIONS).unwrap();
    let dir = root().join("openapi/vendor");
    let listed: Vec<String> = config
        .definitions
        .iter()
        .flat_map(|f| {
            let doc = vendor::load_vendor(&dir.join(f), f).unwrap_or_else(|d| panic!("{d}"));
            let mut ids = Vec::new();
            for item in doc.root["paths"].as_object().unwrap().values() {
                for op in item.as_object().unwrap().values() {
                    if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                        ids.push(id.to_string());
                    }
                }
            }
            ids
        })
        .collect();
    let spec = xtask::model::spec::Spec::load(&root().join(SPEC))
        .unwrap_or_else(|d| panic!("{d}"))
        .root;
    let mut checked = 0;
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            if dir.join("corpus").join(format!("{id}.json")).exists() {
                checked += 1;
                assert!(
                    listed.iter().any(|l| l == id),
                    "{id}: the workspace has its definition, but deviations.yaml lists none"
                );
            }
        }
    }
    assert!(checked >= 12, "{checked} operations with a definition");
    // The corpus files listed are byte for byte the package's (corpus/SHA256SUMS).
    let sums = std::fs::read_to_string(dir.join("corpus/SHA256SUMS")).unwrap();
    for f in config
        .definitions
        .iter()
        .filter(|f| f.starts_with("corpus/"))
    {
        use sha2::Digest;
        let name = f.trim_start_matches("corpus/");
        let digest = sha2::Sha256::digest(std::fs::read(dir.join(f)).unwrap());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let recorded = sums
            .lines()
            .find_map(|l| {
                l.split_once("  ")
                    .filter(|(_, n)| *n == name)
                    .map(|(h, _)| h)
            })
            .unwrap_or_else(|| panic!("{f} is not in corpus/SHA256SUMS"));
        assert_eq!(recorded, hex, "{f} is not the package's file");
    }
}
