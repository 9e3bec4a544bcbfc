//! Cargo features of the generated client, so that a crate pays for the operations it uses:
//!
//! - **one feature per tag** (the tag's `x-rust-feature`, else a name made from the tag, as
//!   `cargo xtask import` makes it): an operation's entry point, request type, progenitor's
//!   builder and the types only it reaches compile under its tag's feature; a type that
//!   operations of several tags reach, under any of them; what no tagged operation reaches,
//!   always. Every tag's feature is on by default.
//! - **`builders`**: the builders of the types only responses use (`types::builder::X`,
//!   `X::builder()`), which a crate that makes calls never needs; tests that build responses
//!   turn it on. Request types keep theirs: request bodies are built with them.
//! - **`raw`**: progenitor's own builders (`builder::X`, `Client::raw_x`), for full control of a
//!   request; the entry points do not use them.
//!
//! Which types an operation reaches is read off progenitor's output: the types its builder
//! holds and its `send` returns, and every type those name, through the `types` module.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use quote::ToTokens;
use serde_json::Value;
use syn::visit::Visit;
use syn::{Item, ItemMod};

use crate::model::spec::{Diagnostic, Spec};
use crate::model::walk;

/// The feature of the builders of response-only types.
pub const BUILDERS: &str = "builders";

/// The feature of progenitor's own builders (`builder::X`, `Client::raw_x`).
pub const RAW: &str = "raw";

/// The feature of each tagged operation (by operationId), and every tag feature in the
/// order of the spec's tags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagFeatures {
    pub of: BTreeMap<String, String>,
    pub all: Vec<String>,
}

/// Whether `s` can be a cargo feature of ours: lower-case ASCII words joined by `-`.
fn feature_word(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !["default", "spec", "conformance", "schemars", BUILDERS, RAW].contains(&s)
}

/// The tag features of `spec`: each operation's first tag's.
pub fn tag_features(spec: &Spec) -> Result<TagFeatures, Diagnostic> {
    let tags: Vec<(usize, &Value)> = spec
        .root
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .collect();
    let mut by_tag: HashMap<String, String> = HashMap::new();
    let mut out = TagFeatures::default();
    for (i, tag) in &tags {
        let Some(name) = tag.get("name").and_then(Value::as_str) else {
            continue;
        };
        let feature = match tag.get("x-rust-feature") {
            Some(Value::String(f)) if feature_word(f) => f.clone(),
            Some(_) => {
                return Err(spec.diag(
                    &format!("/tags/{i}/x-rust-feature"),
                    "`x-rust-feature` must be a cargo feature name: lower-case letters, digits and `-` (and not default, spec, conformance, schemars, builders or raw)",
                ));
            }
            None => derived(name),
        };
        by_tag.insert(name.to_string(), feature);
    }
    for (_, _, _, op) in walk::operations(&spec.root) {
        let (Some(id), Some(tag)) = (
            op.get("operationId").and_then(Value::as_str),
            op.get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str),
        ) else {
            continue;
        };
        let feature = by_tag
            .entry(tag.to_string())
            .or_insert_with(|| derived(tag))
            .clone();
        out.of.insert(id.to_string(), feature);
    }
    let used: BTreeSet<&String> = out.of.values().collect();
    let mut all: Vec<String> = tags
        .iter()
        .filter_map(|(_, t)| t.get("name").and_then(Value::as_str))
        .filter_map(|n| by_tag.get(n).cloned())
        .filter(|f| used.contains(f))
        .collect();
    for f in out.of.values() {
        if !all.contains(f) {
            all.push(f.clone());
        }
    }
    all.dedup();
    out.all = all;
    Ok(out)
}

/// A tag's feature without `x-rust-feature`: the import's name for it.
fn derived(tag: &str) -> String {
    let (object, _) = crate::import::tags::tag(tag);
    object
        .get("x-rust-feature")
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|f| feature_word(f))
        .unwrap_or_else(|| format!("tag-{}", crate::import::tags::feature_name(tag)))
}

/// A cfg attribute for "any of `features`".
fn any(features: &BTreeSet<String>) -> syn::Attribute {
    let list = features.iter();
    syn::parse_quote!(#[cfg(any(#(feature = #list),*))])
}

/// The type names an item mentions (every path segment, and the identifiers of macro
/// invocations; the ones `types` defines among them are its edges).
fn mentions(item: &Item) -> BTreeSet<String> {
    struct Names(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_path_segment(&mut self, s: &'ast syn::PathSegment) {
            self.0.insert(s.ident.to_string());
            syn::visit::visit_path_segment(self, s);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            // `open_enum!(impl X { .. })` and the like: their identifiers.
            for t in m.tokens.clone() {
                if let proc_macro2::TokenTree::Ident(i) = t {
                    self.0.insert(i.to_string());
                }
            }
        }
    }
    let mut names = Names(BTreeSet::new());
    names.visit_item(item);
    names.0
}

/// The type an item of `types` (or `types::builder`) is about: a struct's or enum's name,
/// an impl's self type, the type of `open_enum!(impl X ..)`.
fn subject(item: &Item) -> Option<String> {
    let last = |ty: &syn::Type| match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(i) => last(&i.self_ty),
        Item::Macro(m) => {
            let mut tokens = m.mac.tokens.clone().into_iter();
            while let Some(t) = tokens.next() {
                if matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "impl") {
                    return match tokens.next() {
                        Some(proc_macro2::TokenTree::Ident(i)) => Some(i.to_string()),
                        _ => None,
                    };
                }
            }
            None
        }
        _ => None,
    }
}

fn module_items<'f>(items: &'f mut [Item], name: &str) -> Option<&'f mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(ItemMod {
            ident,
            content: Some((_, items)),
            ..
        }) if ident == name => Some(items),
        _ => None,
    })
}

/// One operation as the gating needs it.
pub struct Gated<'a> {
    /// progenitor's builder struct (`builder::<Name>`), the request type's name too.
    pub builder: &'a str,
    /// progenitor's builder method on `Client` (`raw_<op>`).
    pub raw: &'a str,
    /// The tag feature, if any.
    pub feature: Option<&'a str>,
}

/// What the types module's gating decided: each type's features (absent: always), and the
/// types only responses use.
#[derive(Default)]
pub struct Reach {
    pub features: HashMap<String, BTreeSet<String>>,
    pub response_only: BTreeSet<String>,
}

/// Gates the client's types, progenitor's builders and its raw methods (before the types are
/// rendered); the entry points and request types are gated where they are written.
pub fn gate_client(file: &mut syn::File, ops: &[Gated<'_>], all: &[String]) -> Reach {
    let mut reach = Reach::default();
    let Some(types) = module_items(&mut file.items, "types") else {
        return reach;
    };
    // The types and what each mentions (its items in `types` and in `types::builder`).
    let mut edges: HashMap<String, BTreeSet<String>> = HashMap::new();
    for item in types.iter() {
        if let Some(s) = subject(item) {
            edges.entry(s).or_default().extend(mentions(item));
        }
    }
    let defined: BTreeSet<String> = edges.keys().cloned().collect();
    for e in edges.values_mut() {
        e.retain(|n| defined.contains(n));
    }
    let closure = |roots: BTreeSet<String>| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = roots.into_iter().filter(|r| defined.contains(r)).collect();
        while let Some(n) = stack.pop() {
            if seen.insert(n.clone()) {
                stack.extend(edges.get(&n).into_iter().flatten().cloned());
            }
        }
        seen
    };
    // Each operation's roots, from progenitor's builder: its fields (the request side) and
    // its `send` (the response side).
    let builders: Vec<Item> = module_items(&mut file.items, "builder")
        .map(|b| b.clone())
        .unwrap_or_default();
    let mut request_side: BTreeSet<String> = BTreeSet::new();
    let mut always: BTreeSet<String> = BTreeSet::new();
    for op in ops {
        let mut fields = BTreeSet::new();
        let mut all_of = BTreeSet::new();
        for item in &builders {
            if subject(item).as_deref() != Some(op.builder) {
                continue;
            }
            if matches!(item, Item::Struct(_)) {
                fields.extend(mentions(item));
            }
            all_of.extend(mentions(item));
        }
        let reached = closure(all_of);
        request_side.extend(closure(fields));
        for t in reached {
            match op.feature {
                Some(f) => {
                    reach.features.entry(t).or_default().insert(f.to_string());
                }
                None => {
                    always.insert(t);
                }
            }
        }
    }
    let all: BTreeSet<String> = all.iter().cloned().collect();
    reach
        .features
        .retain(|t, f| !always.contains(t) && *f != all);
    reach.response_only = defined
        .iter()
        .filter(|t| !request_side.contains(*t))
        .cloned()
        .collect();

    let Some(types) = module_items(&mut file.items, "types") else {
        return reach;
    };
    for item in types.iter_mut() {
        let Some(s) = subject(item) else { continue };
        // `X::builder()` and the conversions between `X` and its builder go with the builder.
        let builder_part = is_builder_part(item);
        let mut attrs: Vec<syn::Attribute> = Vec::new();
        if let Some(f) = reach.features.get(&s) {
            attrs.push(any(f));
        }
        if builder_part && reach.response_only.contains(&s) {
            attrs.push(syn::parse_quote!(#[cfg(feature = #BUILDERS)]));
        }
        push_attrs(item, attrs);
    }
    if let Some(b) = module_items(types, "builder") {
        for item in b.iter_mut() {
            let Some(s) = subject(item) else { continue };
            let mut attrs = Vec::new();
            if let Some(f) = reach.features.get(&s) {
                attrs.push(any(f));
            }
            if reach.response_only.contains(&s) {
                attrs.push(syn::parse_quote!(#[cfg(feature = #BUILDERS)]));
            }
            push_attrs(item, attrs);
        }
    }
    // typify's `defaults` functions (serde's field defaults, named in the fields'
    // `#[serde(default = "defaults::f")]`) go with the types whose fields name them.
    let users: Vec<(String, String)> = types
        .iter()
        .filter_map(|item| Some((subject(item)?, item.to_token_stream().to_string())))
        .filter(|(_, text)| text.contains("\"defaults::"))
        .collect();
    if let Some(d) = module_items(types, "defaults") {
        for item in d.iter_mut() {
            let Item::Fn(f) = &*item else { continue };
            let needle = format!("\"defaults::{}\"", f.sig.ident);
            let mut features: BTreeSet<String> = BTreeSet::new();
            let mut gated = false;
            for (user, _) in users.iter().filter(|(_, text)| text.contains(&needle)) {
                match reach.features.get(user) {
                    Some(f) => {
                        features.extend(f.iter().cloned());
                        gated = true;
                    }
                    None => {
                        gated = false;
                        break;
                    }
                }
            }
            if gated {
                push_attrs(item, vec![any(&features)]);
            }
        }
    }
    // progenitor's builders and raw methods, by operation.
    let feature_of: HashMap<&str, &str> = ops
        .iter()
        .filter_map(|o| Some((o.builder, o.feature?)))
        .collect();
    if let Some(b) = module_items(&mut file.items, "builder") {
        for item in b.iter_mut() {
            if let Some(f) = subject(item).and_then(|s| feature_of.get(s.as_str()).copied()) {
                push_attrs(item, vec![syn::parse_quote!(#[cfg(feature = #f)])]);
            }
        }
    }
    // ... and all of them under `raw`: the entry points do not use them.
    for item in &mut file.items {
        if let Item::Mod(m) = item
            && m.ident == "builder"
        {
            m.attrs.push(syn::parse_quote!(#[cfg(feature = #RAW)]));
        }
    }
    // Every raw builder method (`Client::raw_x`), with its operation's tag feature if it has one.
    let raw_feature: HashMap<&str, Option<&str>> = ops.iter().map(|o| (o.raw, o.feature)).collect();
    for item in &mut file.items {
        let Item::Impl(i) = item else { continue };
        for it in &mut i.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            let Some(feature) = raw_feature.get(f.sig.ident.to_string().as_str()) else {
                continue;
            };
            if let Some(feature) = feature {
                f.attrs.push(syn::parse_quote!(#[cfg(feature = #feature)]));
            }
            f.attrs.push(syn::parse_quote!(#[cfg(feature = #RAW)]));
        }
    }
    reach
}

/// Whether an item of `types` belongs to a type's builder: `impl X { fn builder() }`, or a
/// conversion from or to `builder::X`.
fn is_builder_part(item: &Item) -> bool {
    let Item::Impl(i) = item else {
        return false;
    };
    let text = i.to_token_stream().to_string();
    let builds = i.trait_.is_none()
        && i.items
            .iter()
            .any(|it| matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
    builds || (i.trait_.is_some() && text.contains("builder ::"))
}

fn push_attrs(item: &mut Item, attrs: Vec<syn::Attribute>) {
    let target = match item {
        Item::Struct(s) => &mut s.attrs,
        Item::Enum(e) => &mut e.attrs,
        Item::Type(t) => &mut t.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(m) => &mut m.attrs,
        Item::Fn(f) => &mut f.attrs,
        _ => return,
    };
    target.extend(attrs);
}

/// The `cfg` of an operation's own items (its entry point, request type, mock, command).
pub fn op_cfg(feature: Option<&str>) -> proc_macro2::TokenStream {
    match feature {
        Some(f) => quote::quote!(#[cfg(feature = #f)]),
        None => proc_macro2::TokenStream::new(),
    }
}

/// The client's `[features]` entries that `gen` writes (between its markers in
/// `crates/taurusdb/Cargo.toml`).
pub fn manifest_features(all: &[String]) -> String {
    let mut out = String::new();
    let quoted: Vec<String> = all.iter().map(|f| format!("\"{f}\"")).collect();
    out.push_str(&format!("default = [{}]\n", quoted.join(", ")));
    out.push_str(&format!(
        "# The builders of the types only responses use (`types::builder::X`, `X::builder()`), for tests\n# that build responses.\n{BUILDERS} = []\n"
    ));
    out.push_str(&format!(
        "# progenitor's own builders (`builder::X`, `Client::raw_x`), for full control of a request.\n{RAW} = []\n"
    ));
    for f in all {
        out.push_str(&format!("{f} = []\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(tags: Value, ops: &[(&str, &str)]) -> Spec {
        let mut paths = serde_json::Map::new();
        for (i, (id, tag)) in ops.iter().enumerate() {
            paths.insert(
                format!("/p{i}"),
                serde_json::json!({"get": {"operationId": id, "tags": [tag], "responses": {}}}),
            );
        }
        let doc = serde_json::json!({"openapi": "3.0.3", "tags": tags, "paths": paths});
        Spec::parse("t.json", doc.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn a_tag_feature_is_its_x_rust_feature_else_the_name_import_gives_it() {
        let s = spec(
            serde_json::json!([
                {"name": "Mine", "x-rust-feature": "mine"},
                {"name": "HTAP-轻量版"},
                {"name": "Unused", "x-rust-feature": "unused"}
            ]),
            &[
                ("A", "Mine"),
                ("B", "HTAP-轻量版"),
                ("C", "Other Things"),
                ("D", "Mine"),
            ],
        );
        let t = tag_features(&s).unwrap();
        assert_eq!(t.of["A"], "mine");
        assert_eq!(t.of["D"], "mine");
        assert_eq!(t.of["B"], "htap-lite");
        assert_eq!(t.of["C"], "other-things");
        // In the spec's tag order, the tags no operation has left out, then the undeclared.
        assert_eq!(t.all[..2], ["mine".to_string(), "htap-lite".to_string()]);
        assert_eq!(t.all.len(), 3);
    }

    #[test]
    fn an_x_rust_feature_that_is_no_feature_name_is_refused_where_it_is() {
        for bad in [
            serde_json::json!("Has Space"),
            serde_json::json!("default"),
            serde_json::json!("builders"),
            serde_json::json!("raw"),
            serde_json::json!(3),
        ] {
            let s = spec(
                serde_json::json!([{"name": "T", "x-rust-feature": bad}]),
                &[("A", "T")],
            );
            let d = tag_features(&s).unwrap_err().to_string();
            assert!(d.contains("x-rust-feature"), "{d}");
        }
    }

    #[test]
    fn the_manifest_region_has_every_tag_on_by_default_and_the_builders_off() {
        let region = manifest_features(&["a".into(), "b-c".into()]);
        assert!(region.contains("default = [\"a\", \"b-c\"]\n"), "{region}");
        assert!(region.contains("\nbuilders = []\n"), "{region}");
        assert!(region.contains("\nraw = []\n"), "{region}");
        assert!(region.contains("\na = []\nb-c = []\n"), "{region}");
    }
}
