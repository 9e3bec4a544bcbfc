//! `cargo xtask lint [SPEC ...] [--format json]`: the spec checked like the common OpenAPI
//! linters' recommended rulesets (Spectral `spectral:oas`, Redocly `recommended`; rule IDs
//! follow theirs where they have one), plus rules of our own, from what progenitor and real
//! servers need. Findings are reported like a compiler's: `file:line:column: severity[rule]:
//! message`, with line numbers into the YAML.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::codegen::tolerant::Reach;
use crate::model::checks::{self, IdProblem};
use crate::model::spec::{Diagnostic, Spec, escape_pointer};
use crate::model::walk::{
    self, children, components, declared_parameters, item_operations, media_schemas, operations,
    parameters, path_items, ref_name, responses,
};
use crate::workspace::{Exit, display_path};

/// How bad a finding is. Errors fail the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub rule: &'static str,
    pub message: String,
    /// JSON pointer of the node the finding is about.
    pub pointer: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file, self.line, self.column, self.severity, self.rule, self.message
        )
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $severity:ident, $what:literal;)*) => {
        /// A lint rule. Findings name their rule by this type, so every rule emitted is one of
        /// [`RULES`]: both are made from the one table below.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            /// Every rule, in the order of [`RULES`].
            pub const ALL: &[Rule] = &[$(Rule::$variant,)*];

            /// The rule's ID: Spectral's or Redocly's where they have the rule.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            /// Errors fail the command.
            pub fn severity(self) -> Severity {
                match self {
                    $(Rule::$variant => Severity::$severity,)*
                }
            }
        }

        /// Every rule: its ID, severity and what it checks (for `--help` and the docs).
        pub const RULES: &[(&str, Severity, &str)] = &[$(($id, Severity::$severity, $what),)*];
    };
}

// The rules: to add one, add a line here, emit it with `Linter::report` (or `diagnostics`),
// and add a fixture that triggers it (`tests/lint.rs`).
rules! {
    YamlSyntax = "yaml-syntax", Error, "the file is readable YAML (or JSON), UTF-8, one document";
    OasVersion = "oas-version", Error, "the document is OpenAPI 3.0.x";
    Oas3Schema = "oas3-schema", Error, "the document has the structure of an OpenAPI 3.0 document";
    InvalidRef = "invalid-ref", Error, "every $ref is local and resolves";
    NoRefSiblings = "no-$ref-siblings", Error, "no keyword beside a $ref (OpenAPI 3.0 ignores them)";
    OperationOperationId = "operation-operationId", Error, "every operation has an operationId";
    OperationOperationIdUnique = "operation-operationId-unique", Error, "operationIds are unique";
    OperationOperationIdUrlSafe = "operation-operationId-url-safe", Error, "operationIds use URL-safe characters only";
    OperationSummary = "operation-summary", Warning, "every operation has a summary";
    OperationDescription = "operation-description", Warning, "every operation has a description";
    OperationTags = "operation-tags", Warning, "every operation has tags";
    OperationTagDefined = "operation-tag-defined", Warning, "every operation tag is defined in the global tags";
    Operation2xxResponse = "operation-2xx-response", Warning, "every operation has a 2xx response";
    Operation4xxResponse = "operation-4xx-response", Warning, "every operation has a 4xx response";
    PathParams = "path-params", Error, "path parameters are declared, required and used";
    PathKeysNoTrailingSlash = "path-keys-no-trailing-slash", Warning, "paths do not end with /";
    PathNotIncludeQuery = "path-not-include-query", Warning, "paths do not contain a query string";
    Oas3ApiServers = "oas3-api-servers", Warning, "the document has servers";
    Oas3ServerTrailingSlash = "oas3-server-trailing-slash", Warning, "server URLs do not end with /";
    Oas3ServerVariables = "oas3-server-variables", Error, "server variables are defined, used, and have a default from their enum";
    SecurityDefined = "security-defined", Error, "security requirements name defined schemes";
    Oas3ValidMediaExample = "oas3-valid-media-example", Error, "examples of parameters and bodies are valid against their schemas";
    Oas3ValidSchemaExample = "oas3-valid-schema-example", Error, "examples and defaults of schemas are valid against them";
    TypedEnum = "typed-enum", Warning, "enum values have the schema's type (the generated types write them in it)";
    RequiredPropertiesDefined = "required-properties-defined", Warning, "every required property is defined (the generated types ignore the others)";
    Oas3UnusedComponent = "oas3-unused-component", Warning, "every component (and security scheme) is used";
    InfoDescription = "info-description", Warning, "info has a description";
    InfoContact = "info-contact", Warning, "info has a contact";
    InfoLicense = "info-license", Warning, "info has a licence";
    ResponseNamedSchema = "response-named-schema", Error, "every response body is a $ref to a named component";
    ErrorResponsesOneSchema = "error-responses-one-schema", Error, "all error responses of an operation share one schema";
    DescriptionPresent = "description-present", Warning, "every property and parameter has a description";
    ResponseEnumOpen = "response-enum-open", Warning, "no response enum is closed with `x-open-enum: false` (a value the server adds would fail decoding)";
    JsonMediaType = "json-media-type", Error, "bodies are application/json, the only type the client handles";
    NoRecursiveRequired = "no-recursive-required", Error, "no schema requires itself";
    GeneratorExtensions = "generator-extensions", Error, "x-rust-method, x-cli, x-client-setting and x-error-body are valid, and no two operations get the same method or command";
}

struct Linter<'a> {
    spec: &'a Spec,
    findings: Vec<Finding>,
}

impl Linter<'_> {
    fn report(&mut self, rule: Rule, pointer: &str, message: impl Into<String>) {
        let pos = self
            .spec
            .pos(pointer)
            .unwrap_or(crate::model::spec::Pos { line: 1, col: 1 });
        self.findings.push(Finding {
            file: self.spec.file.clone(),
            line: pos.line,
            column: pos.col,
            severity: rule.severity(),
            rule: rule.id(),
            message: message.into(),
            pointer: pointer.to_string(),
        });
    }

    fn diagnostics(&mut self, rule: Rule, ds: Vec<Diagnostic>) {
        for d in ds {
            let pos = d.pos.unwrap_or(crate::model::spec::Pos { line: 1, col: 1 });
            self.findings.push(Finding {
                file: d.file,
                line: pos.line,
                column: pos.col,
                severity: rule.severity(),
                rule: rule.id(),
                message: d.message,
                pointer: String::new(),
            });
        }
    }
}

/// Lints one spec file.
pub fn lint_file(path: &Path, display: &str) -> Vec<Finding> {
    let mut spec = match Spec::load(path) {
        Ok(s) => s,
        Err(d) => {
            let pos = d.pos.unwrap_or(crate::model::spec::Pos { line: 1, col: 1 });
            return vec![Finding {
                file: display.to_string(),
                line: pos.line,
                column: pos.col,
                severity: Rule::YamlSyntax.severity(),
                rule: Rule::YamlSyntax.id(),
                message: d.message,
                pointer: String::new(),
            }];
        }
    };
    spec.file = display.to_string();
    lint(&spec)
}

/// Lints a parsed spec.
pub fn lint(spec: &Spec) -> Vec<Finding> {
    let mut l = Linter {
        spec,
        findings: Vec::new(),
    };
    let version = checks::version(spec);
    let unreadable = !version.is_empty();
    l.diagnostics(Rule::OasVersion, version);
    if unreadable {
        return l.findings;
    }
    l.diagnostics(Rule::InvalidRef, checks::refs(spec));
    if let Err((ptr, msg)) = crate::model::spec::to_openapi(&spec.root) {
        l.report(Rule::Oas3Schema, &ptr, msg);
    }
    let root = &spec.root;
    ids(&mut l, root);
    l.diagnostics(Rule::NoRecursiveRequired, checks::required_cycles(spec));
    l.diagnostics(Rule::JsonMediaType, checks::media_types(spec));
    // What `gen` reads: the canonical document (one media type per body, settings by name).
    let canonical = crate::codegen::normalize::canonical(spec);
    l.diagnostics(
        Rule::ErrorResponsesOneSchema,
        checks::error_schemas(&canonical),
    );
    // Operations without an operationId are reported by operation-operationId.
    if checks::operation_id_problems(&spec.root).is_empty() {
        let problems = [
            crate::codegen::operations::operations(&canonical).err(),
            crate::codegen::operations::error_bodies(&canonical).err(),
        ];
        l.diagnostics(
            Rule::GeneratorExtensions,
            problems.into_iter().flatten().collect(),
        );
    }
    info(&mut l, root);
    operations_rules(&mut l, root);
    paths(&mut l, root);
    servers(&mut l, root);
    security(&mut l, root);
    examples(&mut l, root);
    schemas(&mut l, root);
    unused(&mut l, root);
    responses_are_tolerant(&mut l, root);
    l.findings
        .sort_by(|a, b| (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule)));
    l.findings
}

fn ids(l: &mut Linter, root: &Value) {
    for problem in checks::operation_id_problems(root) {
        match problem {
            IdProblem::Missing { ptr, operation } => l.report(
                Rule::OperationOperationId,
                &ptr,
                format!("operation {operation} has no operationId"),
            ),
            IdProblem::Duplicate { ptr, id, .. } => l.report(
                Rule::OperationOperationIdUnique,
                &ptr,
                format!("operationId `{id}` is used twice"),
            ),
            IdProblem::NotUrlSafe { ptr, id } => l.report(
                Rule::OperationOperationIdUrlSafe,
                &ptr,
                format!(
                    "operationId `{id}` has characters that are not URL-safe (A-Z a-z 0-9 - . _ ~)"
                ),
            ),
        }
    }
}

fn info(l: &mut Linter, root: &Value) {
    for (key, rule) in [
        ("description", Rule::InfoDescription),
        ("contact", Rule::InfoContact),
        ("license", Rule::InfoLicense),
    ] {
        if root.pointer(&format!("/info/{key}")).is_none_or(is_blank) {
            l.report(rule, "/info", format!("info has no {key}"));
        }
    }
}

fn is_blank(v: &Value) -> bool {
    v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())
}

fn operations_rules(l: &mut Linter, root: &Value) {
    let defined: BTreeSet<&str> = root
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name")?.as_str())
        .collect();
    for (ptr, method, path, op) in operations(root) {
        let name = format!("{} {path}", method.to_uppercase());
        if op.get("summary").is_none_or(is_blank) {
            l.report(
                Rule::OperationSummary,
                &ptr,
                format!("operation {name} has no summary"),
            );
        }
        if op.get("description").is_none_or(is_blank) {
            l.report(
                Rule::OperationDescription,
                &ptr,
                format!("operation {name} has no description"),
            );
        }
        let tags: Vec<&Value> = op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        if tags.is_empty() {
            l.report(
                Rule::OperationTags,
                &ptr,
                format!("operation {name} has no tags"),
            );
        }
        for (i, t) in tags.iter().enumerate() {
            let t = t.as_str().unwrap_or_default();
            if !defined.contains(t) {
                l.report(
                    Rule::OperationTagDefined,
                    &format!("{ptr}/tags/{i}"),
                    format!("tag `{t}` is not defined in the global tags"),
                );
            }
        }
        let codes: Vec<&String> = op
            .get("responses")
            .and_then(Value::as_object)
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        if !codes.iter().any(|c| c.starts_with('2')) {
            l.report(
                Rule::Operation2xxResponse,
                &format!("{ptr}/responses"),
                format!("operation {name} has no 2xx response"),
            );
        }
        if !codes.iter().any(|c| c.starts_with('4')) {
            l.report(
                Rule::Operation4xxResponse,
                &format!("{ptr}/responses"),
                format!("operation {name} has no 4xx response"),
            );
        }
        for r in responses(root, &ptr, op) {
            for (schema_ptr, _, schema) in media_schemas(&r.ptr, r.body) {
                // Bytes (a file download) have no type to name.
                if ref_name(schema).is_none()
                    && !crate::codegen::normalize::is_binary_schema(schema)
                {
                    l.report(
                        Rule::ResponseNamedSchema,
                        &schema_ptr,
                        format!("the body of response `{}` of {name} is an inline schema: `$ref` a named component, or progenitor names (and may merge) it", r.status),
                    );
                }
            }
        }
        // Parameters: descriptions.
        for (param_ptr, p) in declared_parameters(&ptr, op) {
            if p.get("$ref").is_some() {
                continue;
            }
            if p.get("description").is_none_or(is_blank) {
                let pname = p.get("name").and_then(Value::as_str).unwrap_or("?");
                l.report(
                    Rule::DescriptionPresent,
                    &param_ptr,
                    format!("parameter `{pname}` has no description"),
                );
            }
        }
    }
    for (param_ptr, name, p) in components(root, "parameters") {
        if p.get("description").is_none_or(is_blank) {
            l.report(
                Rule::DescriptionPresent,
                &param_ptr,
                format!(
                    "parameter `{}` has no description",
                    p.get("name").and_then(Value::as_str).unwrap_or(name)
                ),
            );
        }
    }
}

fn paths(l: &mut Linter, root: &Value) {
    for (item_ptr, path, item) in path_items(root) {
        if path.len() > 1 && path.ends_with('/') {
            l.report(
                Rule::PathKeysNoTrailingSlash,
                &item_ptr,
                format!("path `{path}` ends with /"),
            );
        }
        if path.contains('?') {
            l.report(
                Rule::PathNotIncludeQuery,
                &item_ptr,
                format!("path `{path}` contains a query string"),
            );
        }
        let in_path: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n))
            .collect();
        for (op_ptr, method, op) in item_operations(&item_ptr, item) {
            let params = parameters(root, path, &op_ptr, op);
            let declared: Vec<(&String, &str)> = params
                .iter()
                .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("path"))
                .filter_map(|(ptr, p)| Some((ptr, p.get("name")?.as_str()?)))
                .collect();
            for name in &in_path {
                if !declared.iter().any(|(_, d)| d == name) {
                    l.report(
                        Rule::PathParams,
                        &op_ptr,
                        format!(
                            "path parameter `{{{name}}}` of {} {path} is not declared",
                            method.to_uppercase()
                        ),
                    );
                }
            }
            for (ptr, name) in &declared {
                if !in_path.contains(name) {
                    l.report(
                        Rule::PathParams,
                        ptr,
                        format!("path parameter `{name}` is not in the path `{path}`"),
                    );
                }
            }
            for (ptr, p) in params
                .iter()
                .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("path"))
            {
                if p.get("required") != Some(&Value::Bool(true)) {
                    l.report(
                        Rule::PathParams,
                        ptr,
                        "a path parameter must be `required: true`",
                    );
                }
            }
        }
    }
}

fn servers(l: &mut Linter, root: &Value) {
    let list: Vec<&Value> = root
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    if list.is_empty() {
        l.report(Rule::Oas3ApiServers, "", "the document has no servers");
    }
    for (i, s) in list.iter().enumerate() {
        let ptr = format!("/servers/{i}");
        let url = s.get("url").and_then(Value::as_str).unwrap_or_default();
        if url.len() > 1 && url.ends_with('/') {
            l.report(
                Rule::Oas3ServerTrailingSlash,
                &format!("{ptr}/url"),
                format!("server URL `{url}` ends with /"),
            );
        }
        let used: Vec<&str> = url
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n))
            .collect();
        let vars = s.get("variables").and_then(Value::as_object);
        for name in &used {
            if vars.is_none_or(|v| !v.contains_key(*name)) {
                l.report(
                    Rule::Oas3ServerVariables,
                    &format!("{ptr}/url"),
                    format!("server variable `{{{name}}}` is not defined"),
                );
            }
        }
        for (name, var) in vars.into_iter().flatten() {
            let vptr = format!("{ptr}/variables/{}", escape_pointer(name));
            if !used.contains(&name.as_str()) {
                l.report(
                    Rule::Oas3ServerVariables,
                    &vptr,
                    format!("server variable `{name}` is not used in the URL"),
                );
            }
            match var.get("default").and_then(Value::as_str) {
                None => l.report(
                    Rule::Oas3ServerVariables,
                    &vptr,
                    format!("server variable `{name}` has no default"),
                ),
                Some(d) => {
                    if let Some(values) = var.get("enum").and_then(Value::as_array)
                        && !values.iter().any(|v| v.as_str() == Some(d))
                    {
                        l.report(
                            Rule::Oas3ServerVariables,
                            &format!("{vptr}/default"),
                            format!("default `{d}` of `{name}` is not in its enum"),
                        );
                    }
                }
            }
        }
    }
}

fn requirement_lists(root: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    if let Some(s) = root.get("security") {
        out.push(("/security".to_string(), s));
    }
    for (ptr, _, _, op) in operations(root) {
        if let Some(s) = op.get("security") {
            out.push((format!("{ptr}/security"), s));
        }
    }
    out
}

fn security(l: &mut Linter, root: &Value) {
    let schemes = root
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    for (ptr, list) in requirement_lists(root) {
        for (i, req) in list.as_array().into_iter().flatten().enumerate() {
            for name in req.as_object().into_iter().flatten().map(|(k, _)| k) {
                if schemes.is_none_or(|s| !s.contains_key(name)) {
                    l.report(
                        Rule::SecurityDefined,
                        &format!("{ptr}/{i}"),
                        format!(
                            "security scheme `{name}` is not defined in components.securitySchemes"
                        ),
                    );
                }
            }
        }
    }
}

fn examples(l: &mut Linter, root: &Value) {
    for invalid in crate::model::examples::check(root) {
        let schema_level = invalid.pointer.starts_with("/components/schemas/")
            || invalid.pointer.contains("/schema/")
            || invalid.pointer.ends_with("/default");
        let rule = if schema_level {
            Rule::Oas3ValidSchemaExample
        } else {
            Rule::Oas3ValidMediaExample
        };
        l.report(
            rule,
            &invalid.pointer,
            format!(
                "example is not valid against its schema: {}",
                invalid.message
            ),
        );
    }
}

fn schemas(l: &mut Linter, root: &Value) {
    for (ptr, s) in walk::schemas(root) {
        if let Some(obj) = s.as_object()
            && obj.contains_key("$ref")
            && obj.len() > 1
        {
            let others: Vec<&String> = obj.keys().filter(|k| *k != "$ref").collect();
            l.report(
                Rule::NoRefSiblings,
                &ptr,
                format!(
                    "{} beside $ref are ignored in OpenAPI 3.0; wrap the $ref in allOf",
                    quoted(&others)
                ),
            );
        }
        if let (Some(values), Some(ty)) = (
            s.get("enum").and_then(Value::as_array),
            s.get("type").and_then(Value::as_str),
        ) {
            for (i, v) in values.iter().enumerate() {
                let ok = match ty {
                    "string" => v.is_string(),
                    "integer" => v.is_i64() || v.is_u64(),
                    "number" => v.is_number(),
                    "boolean" => v.is_boolean(),
                    _ => true,
                } || (v.is_null() && s.get("nullable") == Some(&Value::Bool(true)));
                if !ok {
                    let generated = match crate::codegen::normalize::retyped(ty, v) {
                        Some(new) => format!("the generated types take it as {new}"),
                        None => "the generated types cannot take it".to_string(),
                    };
                    l.report(
                        Rule::TypedEnum,
                        &format!("{ptr}/enum/{i}"),
                        format!("enum value {v} is not of type {ty}: {generated}"),
                    );
                }
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (i, r) in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = r.as_str().unwrap_or_default();
            if props.is_none_or(|p| !p.contains_key(name)) {
                let near = props
                    .into_iter()
                    .flatten()
                    .map(|(p, _)| p)
                    .find(|p| p.trim() == name.trim())
                    .map(|p| format!(" (the property is `{p}`)"))
                    .unwrap_or_default();
                l.report(
                    Rule::RequiredPropertiesDefined,
                    &format!("{ptr}/required/{i}"),
                    format!("required property `{name}` is not defined{near}: the generated types ignore it"),
                );
            }
        }
        for (name, p) in props.into_iter().flatten() {
            let described = p.get("description").is_some_and(|d| !is_blank(d))
                || ref_name(p)
                    .and_then(|n| {
                        root.pointer(&format!(
                            "/components/schemas/{}/description",
                            escape_pointer(n)
                        ))
                    })
                    .is_some();
            if !described {
                l.report(
                    Rule::DescriptionPresent,
                    &format!("{ptr}/properties/{}", escape_pointer(name)),
                    format!("property `{name}` has no description"),
                );
            }
        }
    }
}

fn quoted(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Components no `$ref` points at, and security schemes no requirement names.
fn unused(l: &mut Linter, root: &Value) {
    let refs: BTreeSet<String> = walk::refs(root)
        .into_iter()
        .map(|(_, target)| target)
        .collect();
    for kind in [
        "schemas",
        "parameters",
        "responses",
        "requestBodies",
        "headers",
        "examples",
        "links",
        "callbacks",
    ] {
        for (ptr, name, _) in components(root, kind) {
            if !refs.contains(&format!("#{ptr}")) {
                l.report(
                    Rule::Oas3UnusedComponent,
                    &ptr,
                    format!("component `{name}` ({kind}) is never used"),
                );
            }
        }
    }
    let used: BTreeSet<String> = requirement_lists(root)
        .into_iter()
        .flat_map(|(_, list)| list.as_array().cloned().unwrap_or_default())
        .flat_map(|req| {
            req.as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .collect();
    for (ptr, name, _) in components(root, "securitySchemes") {
        if !used.contains(name) {
            l.report(
                Rule::Oas3UnusedComponent,
                &ptr,
                format!("security scheme `{name}` is never required"),
            );
        }
    }
}

/// What the tolerant-reader transform leaves strict in a response because the spec asks for
/// it: an enumeration marked `x-open-enum: false`.
fn responses_are_tolerant(l: &mut Linter, root: &Value) {
    let reach = Reach::of(root);
    let components = root.pointer("/components/schemas");
    let (_, inline) = walk::request_and_response_schemas(root);
    let mut response_schemas: Vec<(String, &Value)> = inline;
    for name in &reach.response {
        if let Some(s) = components.and_then(|c| c.get(name)) {
            response_schemas.push((format!("/components/schemas/{}", escape_pointer(name)), s));
        }
    }
    for (ptr, schema) in response_schemas {
        let mut stack = vec![(ptr, schema)];
        while let Some((ptr, s)) = stack.pop() {
            if ref_name(s).is_some() {
                continue;
            }
            if s.get("enum").is_some() && s.get("x-open-enum") == Some(&Value::Bool(false)) {
                l.report(
                    Rule::ResponseEnumOpen,
                    &format!("{ptr}/x-open-enum"),
                    "a closed enum in a response: a value the server adds fails decoding (every other response enum is open)",
                );
            }
            stack.extend(children(&ptr, s));
        }
    }
}

/// The spec files under `dir` (`*.yaml`, `*.yml`, `*.json`), sorted.
pub fn specs_under(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    out.sort();
    out
}

/// The output format, re-exported where `lint` and `diff` have always found it.
pub use crate::workspace::Format;

/// The command: a failure if any error was found.
pub fn run(root: &Path, files: &[PathBuf], format: Format) -> Exit {
    let files: Vec<PathBuf> = if files.is_empty() {
        specs_under(&root.join("openapi"))
    } else {
        files.to_vec()
    };
    let mut findings = Vec::new();
    for f in &files {
        findings.extend(lint_file(f, &display_path(root, f)));
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    match format {
        Format::Json => {
            let summary = serde_json::json!({"files": files.len(), "errors": errors, "warnings": warnings, "findings": findings});
            println!(
                "{}",
                serde_json::to_string_pretty(&summary).unwrap_or_default()
            );
        }
        Format::Text => {
            for f in &findings {
                println!("{f}");
            }
            let plural =
                |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            println!(
                "lint: {}, {} in {}",
                plural(errors, "error"),
                plural(warnings, "warning"),
                plural(files.len(), "file")
            );
        }
    }
    Exit::failure_if(errors > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Rule` and `RULES` come from one table: the same rules, in the same order, with the
    /// same severities, and no ID twice.
    #[test]
    fn rules_and_their_ids_agree() {
        let ids: Vec<(&str, Severity)> = Rule::ALL.iter().map(|r| (r.id(), r.severity())).collect();
        let listed: Vec<(&str, Severity)> = RULES.iter().map(|(id, s, _)| (*id, *s)).collect();
        assert_eq!(ids, listed);
        let unique: BTreeSet<&str> = ids.iter().map(|(id, _)| *id).collect();
        assert_eq!(unique.len(), RULES.len(), "a rule ID is listed twice");
    }
}
