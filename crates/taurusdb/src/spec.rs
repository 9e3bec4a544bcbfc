//! The spec as data: the table of operations that `cargo xtask gen` writes (`operations`)
//! and the spec document itself (`document`), both under the `spec` feature. The CLI builds
//! its commands, help and human output from them; nothing here names an operation.

/// Where a parameter goes in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// A segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

/// A client setting that fills in a parameter the spec marks with `x-client-setting`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The project ID ([`crate::ClientBuilder::project_id`]); `x-client-setting: project-id`.
    ProjectId,
    /// The language ([`crate::ClientBuilder::language`]); `x-client-setting: language`.
    Language,
}

/// One parameter of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parameter {
    /// The name on the wire.
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether the spec requires it.
    pub required: bool,
    /// The client setting that fills it in, if any.
    pub setting: Option<Setting>,
    /// The spec's description.
    pub description: &'static str,
    /// The argument's ID in progenitor's generated clap command: the name in kebab case.
    pub arg: &'static str,
    /// The command-line flag (without `--`): [`Parameter::arg`], unless that is one of the
    /// CLI's own flags; then the location comes first (`query-region`).
    pub flag: &'static str,
    /// The spec's example value, if any.
    pub example: Option<&'static str>,
}

/// One operation of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The operationId (as Huawei's API Explorer and KooCLI name it).
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// The JSON pointer of the operation in the spec.
    pub pointer: &'static str,
    /// The spec's summary.
    pub summary: &'static str,
    /// The spec's description.
    pub description: &'static str,
    /// The entry point's name on [`crate::Client`].
    pub rust_method: &'static str,
    /// The CLI's command group (`x-cli.group`), if any.
    pub cli_group: Option<&'static str>,
    /// The CLI's command name (`x-cli.name`, else the operationId in kebab case).
    pub cli_name: &'static str,
    /// The parameters, the path item's first.
    pub parameters: &'static [Parameter],
    /// Whether it takes a JSON request body.
    pub body: bool,
    /// The status of the documented success response.
    pub success_status: Option<&'static str>,
    /// The JSON pointer of the success response's schema in [`document`].
    pub success_schema: Option<&'static str>,
    /// Whether the success body is bytes (a file download), not JSON: the entry point
    /// returns a [`crate::ByteStream`] (see [`crate::ResponseBytes`]).
    pub binary_response: bool,
    /// Other command paths that run it (`x-cli-aliases`).
    pub cli_aliases: &'static [&'static str],
    /// How it pages, when it is a list that pages by offset (`x-paginated`).
    pub pagination: Option<Pagination>,
    /// The success body's property naming the asynchronous job it started (`x-job`).
    pub job: Option<&'static str>,
    /// When it shows a job (`x-waiter`): the waiter's name (`Client::wait_for_<name>`).
    pub waiter: Option<&'static str>,
    /// The question its command asks before running (`x-cli-confirm`).
    pub confirm: Option<&'static str>,
    /// Whether a retry may repeat it once it may have reached the server: the spec's
    /// `x-idempotent`, else only for GET, HEAD, OPTIONS and TRACE.
    pub idempotent: bool,
}

/// How a list operation pages (`x-paginated`): names of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pagination {
    /// The query parameter of the first item's index.
    pub offset: &'static str,
    /// The query parameter of the page size.
    pub limit: &'static str,
    /// The success body's property holding a page's items.
    pub items: &'static str,
    /// The success body's property holding the total count.
    pub total: &'static str,
}

impl Operation {
    /// Whether a retry may send the request again after it may have reached the server
    /// ([`Operation::idempotent`]).
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }
}

/// Whether a method may be repeated without the spec saying so: the safe methods (RFC 9110,
/// 9.2.1). PUT and DELETE are idempotent by definition, but on this API they change a task
/// and start a job: a call is never repeated once it may have reached the server unless its
/// operation says `x-idempotent: true`.
pub fn is_idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

#[cfg(feature = "spec")]
pub use embedded::*;

/// The operation table and the spec document, which `cargo xtask gen` embeds in the client
/// under the `spec` feature (off by default: a crate that makes calls does not compile the
/// spec as text; the CLI and the `conformance` feature turn it on).
#[cfg(feature = "spec")]
mod embedded {
    use std::sync::OnceLock;

    use serde_json::Value;

    use super::{Operation, Setting};

    /// Every operation of the spec, in the spec's order.
    pub fn operations() -> &'static [Operation] {
        crate::generated::OPERATIONS
    }

    /// The operation with this operationId.
    pub fn operation(id: &str) -> Option<&'static Operation> {
        operations().iter().find(|o| o.id == id)
    }

    /// The spec document (as `cargo xtask gen` embedded it), parsed once.
    pub fn document() -> &'static Value {
        static DOC: OnceLock<Value> = OnceLock::new();
        DOC.get_or_init(|| serde_json::from_str(crate::generated::SPEC_JSON).unwrap_or(Value::Null))
    }

    /// The schema (`$ref`s followed) of the first parameter that a client setting fills in:
    /// where its allowed values (`enum`) and its default (`default`) are.
    pub fn setting_schema(setting: Setting) -> Option<&'static Value> {
        let op = operations()
            .iter()
            .find(|o| o.parameters.iter().any(|p| p.setting == Some(setting)))?;
        let index = op
            .parameters
            .iter()
            .position(|p| p.setting == Some(setting))?;
        let param = parameter_object(op, index)?;
        param.get("schema").map(resolve)
    }

    /// The parameter object (`$ref` followed) of `op.parameters[index]` in [`document`] (the
    /// operation's own before the path item's, as OpenAPI overrides them).
    pub fn parameter_object(op: &Operation, index: usize) -> Option<&'static Value> {
        let name = op.parameters.get(index)?.name;
        let op_obj = document().pointer(op.pointer)?;
        let item_ptr = op.pointer.rsplit_once('/')?.0;
        let item = document().pointer(item_ptr)?;
        [op_obj, item]
            .into_iter()
            .flat_map(|h| {
                h.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .map(resolve)
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    /// A schema of the spec with its `$ref`s followed and its `allOf` members merged in: the
    /// schema's own keys (description, hints) win over those of what it references. This is how
    /// the CLI's renderer and the conformance report read a property's schema.
    pub fn view(schema: &Value) -> serde_json::Map<String, Value> {
        view_at(schema, 0)
    }

    fn view_at(schema: &Value, depth: usize) -> serde_json::Map<String, Value> {
        let s = resolve(schema);
        let mut out = serde_json::Map::new();
        if depth < 8 {
            for member in s
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.extend(view_at(member, depth + 1));
            }
        }
        if let Some(obj) = s.as_object() {
            for (k, v) in obj {
                if k != "allOf" {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        out
    }

    /// Follows a local `$ref` (`#/...`) of the spec, as often as it chains.
    pub fn resolve(mut v: &Value) -> &Value {
        for _ in 0..32 {
            match v
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| document().pointer(p))
            {
                Some(target) => v = target,
                None => break,
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "spec")]
    #[test]
    fn the_embedded_spec_parses_and_holds_every_operation() {
        assert!(document().is_object());
        assert!(!operations().is_empty());
        for op in operations() {
            assert!(
                document().pointer(op.pointer).is_some(),
                "{} at {}",
                op.id,
                op.pointer
            );
            if let Some(s) = op.success_schema {
                assert!(document().pointer(s).is_some(), "{s}");
            }
            assert_eq!(operation(op.id), Some(op));
        }
    }

    #[test]
    fn idempotent_methods() {
        for m in ["GET", "HEAD", "OPTIONS", "TRACE"] {
            assert!(is_idempotent(m), "{m}");
        }
        for m in ["PUT", "DELETE", "POST", "PATCH"] {
            assert!(!is_idempotent(m), "{m}");
        }
    }
}
