//! Spec-level checks: what a document must be for the generated client to exist, in one place
//! for `gen` (the first problem stops generation, [`generation`]) and `lint` (every problem,
//! each under its rule).
//!
//! Each check returns [`Diagnostic`]s pointing into the YAML; `lint` files them under the
//! rule IDs of its `RULES` table.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::spec::{Diagnostic, Spec, to_openapi};
use crate::model::walk::{self, component, media, ref_name, responses};

/// What progenitor needs before it is asked to generate anything (the version, local `$ref`s,
/// the structure of an OpenAPI 3.0 document, operation IDs, finite schemas), and the document
/// as [`openapiv3::OpenAPI`]. The first problem is the error.
pub fn openapi(spec: &Spec) -> Result<openapiv3::OpenAPI, Diagnostic> {
    first(version(spec))?;
    first(refs(spec))?;
    let api = to_openapi(&spec.root).map_err(|(ptr, msg)| spec.diag(&ptr, msg))?;
    first(operation_ids(spec))?;
    first(required_cycles(spec))?;
    Ok(api)
}

/// Everything [`openapi`] checks, then the bodies the generated client handles. The first
/// problem is the error.
pub fn generation(spec: &Spec) -> Result<openapiv3::OpenAPI, Diagnostic> {
    let api = openapi(spec)?;
    first(media_types(spec))?;
    Ok(api)
}

/// What the canonical document ([`crate::codegen::normalize::canonical`], one media type per
/// body) must be: one error schema per operation. The first problem is the error.
pub fn canonical(spec: &Spec) -> Result<(), Diagnostic> {
    first(error_schemas(spec))
}

fn first(problems: Vec<Diagnostic>) -> Result<(), Diagnostic> {
    problems.into_iter().next().map_or(Ok(()), Err)
}

/// The document must be OpenAPI 3.0.x.
pub fn version(spec: &Spec) -> Vec<Diagnostic> {
    if spec.root.get("swagger").is_some() {
        return vec![spec.diag(
            "/swagger",
            "this is a Swagger 2.0 document; only OpenAPI 3.0.x is supported",
        )];
    }
    let Some(version) = spec.root.get("openapi") else {
        return vec![spec.diag(
            "",
            "missing `openapi` field: the document must start with `openapi: 3.0.3`",
        )];
    };
    let problem = match version.as_str() {
        Some(v) if v.starts_with("3.0.") => return Vec::new(),
        Some(v) if v.starts_with("3.1") => format!(
            "OpenAPI {v} is not supported: progenitor reads OpenAPI 3.0.x documents only \
             (write `openapi: 3.0.3` and use 3.0 schema keywords such as `nullable`)"
        ),
        Some(v) => format!("unsupported OpenAPI version `{v}`: only 3.0.x is supported"),
        None => "the `openapi` version must be a string such as \"3.0.3\"".to_string(),
    };
    vec![spec.diag("/openapi", problem)]
}

/// Every `$ref` must be local (`#/...`) and point at something that exists.
pub fn refs(spec: &Spec) -> Vec<Diagnostic> {
    walk::refs(&spec.root)
        .into_iter()
        .filter_map(|(ptr, target)| match target.strip_prefix('#') {
            None => Some(spec.diag(
                &ptr,
                format!(
                    "external $ref `{target}` is not supported: keep every schema in this document"
                ),
            )),
            Some(local) if spec.root.pointer(local).is_none() => Some(spec.diag(
                &ptr,
                format!("dangling $ref `{target}`: nothing in this document is at that path"),
            )),
            Some(_) => None,
        })
        .collect()
}

/// A problem with an operation's `operationId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// The operation at `ptr` (`METHOD path`) has none.
    Missing { ptr: String, operation: String },
    /// `id`, at `ptr`, was first used by the operation at `first`.
    Duplicate {
        ptr: String,
        id: String,
        first: String,
    },
    /// `id`, at `ptr`, has characters that are not URL-safe.
    NotUrlSafe { ptr: String, id: String },
}

/// Every operation's `operationId`, checked once: present, unique, URL-safe.
pub fn operation_id_problems(root: &Value) -> Vec<IdProblem> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (ptr, method, path, op) in walk::operations(root) {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            let operation = format!("{} {path}", method.to_uppercase());
            out.push(IdProblem::Missing { ptr, operation });
            continue;
        };
        let at = format!("{ptr}/operationId");
        if let Some(first) = seen.insert(id.to_string(), ptr.clone()) {
            out.push(IdProblem::Duplicate {
                ptr: at.clone(),
                id: id.to_string(),
                first,
            });
        }
        let url_safe = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
        if !url_safe {
            out.push(IdProblem::NotUrlSafe {
                ptr: at,
                id: id.to_string(),
            });
        }
    }
    out
}

/// Every operation has an operationId, and no two share one (progenitor names the client's
/// methods after them; it does not mind other characters).
pub fn operation_ids(spec: &Spec) -> Vec<Diagnostic> {
    operation_id_problems(&spec.root)
        .into_iter()
        .filter_map(|p| match p {
            IdProblem::Missing { ptr, operation } => Some(spec.diag(
                &ptr,
                format!(
                    "operation {operation} has no operationId: progenitor names the client method after it"
                ),
            )),
            IdProblem::Duplicate { ptr, id, first } => {
                let first_at = spec
                    .pos(&first)
                    .map(|p| format!(" (first at line {})", p.line));
                Some(spec.diag(
                    &ptr,
                    format!("duplicate operationId `{id}`{}", first_at.unwrap_or_default()),
                ))
            }
            IdProblem::NotUrlSafe { .. } => None,
        })
        .collect()
}

/// A schema that requires itself (through required, non-nullable references) has no finite
/// instance: no server can send one and no client can build one.
pub fn required_cycles(spec: &Spec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(schemas) = spec
        .root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return out;
    };
    // The components each component requires, with the name of the property.
    let required_refs = |schema: &Value| -> Vec<(String, String)> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = schema.get("properties").and_then(Value::as_object);
        required
            .into_iter()
            .filter_map(|name| {
                let prop = props?.get(name)?;
                if prop.get("nullable") == Some(&Value::Bool(true)) {
                    return None;
                }
                Some((component(prop)?.to_string(), name.to_string()))
            })
            .collect()
    };
    'start: for start in schemas.keys() {
        // Depth-first; `path` is the chain of components from `start` to `current`.
        let mut path: Vec<String> = Vec::new();
        let mut stack = vec![(start.clone(), 0usize)];
        let mut seen = std::collections::HashSet::new();
        while let Some((current, depth)) = stack.pop() {
            path.truncate(depth);
            path.push(current.clone());
            let Some(schema) = schemas.get(&current) else {
                continue;
            };
            for (target, prop) in required_refs(schema) {
                if &target == start {
                    let ptr = format!(
                        "/components/schemas/{}/properties/{}",
                        crate::model::spec::escape_pointer(&current),
                        crate::model::spec::escape_pointer(&prop)
                    );
                    let mut chain = path.clone();
                    chain.push(target.clone());
                    out.push(spec.diag(
                        &ptr,
                        format!(
                            "recursive schema: `{start}` requires itself ({}), so no finite value \
                             satisfies it; make `{prop}` optional or nullable",
                            chain.join(" -> ")
                        ),
                    ));
                    continue 'start;
                }
                if seen.insert(target.clone()) {
                    stack.push((target, depth + 1));
                }
            }
        }
    }
    out
}

/// The client sends JSON bodies and decodes JSON or bytes: a request body needs a JSON entry
/// (`application/json`, with or without parameters, `application/*+json`, or a wildcard whose
/// schema is not binary), an error response a JSON entry or none; a success response may be
/// anything (what is not JSON is bytes). progenitor would turn any other body into an
/// untyped byte stream, which the client could not send or decode.
pub fn media_types(spec: &Spec) -> Vec<Diagnostic> {
    use walk::MediaKind;
    let mut out = Vec::new();
    let usable = |holder: &Value| {
        media("", holder).into_iter().any(|(_, m, v)| {
            matches!(walk::media_kind(m), MediaKind::Json | MediaKind::Any)
                && !v
                    .get("schema")
                    .is_some_and(crate::codegen::normalize::is_binary_schema)
        })
    };
    for (ptr, _method, _path, op) in walk::operations(&spec.root) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
        let mut bodies: Vec<(String, String, &Value)> = Vec::new();
        if let Some(body) = op.get("requestBody") {
            bodies.push((
                format!("{ptr}/requestBody"),
                "the request body".to_string(),
                walk::resolve(&spec.root, body),
            ));
        }
        for r in responses(&spec.root, &ptr, op) {
            if r.status.starts_with('2') {
                continue;
            }
            bodies.push((r.ptr, format!("response `{}`", r.status), r.body));
        }
        for (at, what, holder) in bodies {
            let declared = media(&at, holder);
            let Some((media_ptr, media, _)) = declared.first() else {
                continue;
            };
            if !usable(holder) {
                out.push(spec.diag(
                    media_ptr,
                    format!(
                        "{what} of `{id}` is `{media}`: the generated client sends JSON bodies and \
                         decodes JSON error bodies only (application/json, with or without \
                         parameters, or application/*+json)"
                    ),
                ));
            }
        }
    }
    out
}

/// progenitor gives an operation one error type: every 4xx, 5xx and `default` response must
/// have the same body schema (a named component), or generation fails with an assertion.
pub fn error_schemas(spec: &Spec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (ptr, _method, _path, op) in walk::operations(&spec.root) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
        let mut seen: Vec<(String, String)> = Vec::new();
        for r in responses(&spec.root, &ptr, op) {
            let code = r.status;
            if !(code.starts_with('4') || code.starts_with('5') || code == "default") {
                continue;
            }
            for (_, _, m) in media(&r.ptr, r.body) {
                let schema = m.get("schema").map(|s| {
                    ref_name(s)
                        .map(|n| format!("`{n}`"))
                        .unwrap_or_else(|| "an inline schema".to_string())
                });
                let schema = schema.unwrap_or_else(|| "no schema".to_string());
                if let Some((first_code, first)) = seen.iter().find(|(_, s)| *s != schema) {
                    out.push(spec.diag(
                        &r.ptr,
                        format!(
                            "error responses of `{id}` have different body schemas ({first} for {first_code}, \
                             {schema} for {code}): progenitor gives an operation one error type, so they must \
                             all `$ref` the same component"
                        ),
                    ));
                    break;
                }
                seen.push((code.clone(), schema));
            }
        }
    }
    out
}
