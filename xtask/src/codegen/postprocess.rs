//! Changes to progenitor's syntax tree that its settings cannot express. Each one is driven
//! by the spec and is small enough to read in the generated file:
//!
//! - `x-open-enum` components, which progenitor was told are replaced, are defined in
//!   `types` through the client's `open_enum!` macro (known variants plus `Other(String)`);
//! - `x-aliases` become `#[serde(alias = "...")]` on the field;
//! - path parameters are encoded by the client's `encode_path`, which also escapes `\`
//!   (progenitor's leaves it, and URL parsers read it as `/`);
//! - plain structs get a written `Deserialize` impl instead of serde's derive
//!   (`deserialize.rs`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, ItemMod, UseTree};

/// A string enumeration that keeps values it does not list.
#[derive(Debug, Clone)]
pub struct OpenEnum {
    /// The component's name in the spec.
    pub schema: String,
    /// The Rust type's name: the component's, in Pascal case, as typify names types.
    pub name: String,
    pub description: Option<String>,
    /// (Rust variant, wire value)
    pub variants: Vec<(String, String)>,
}

impl OpenEnum {
    /// The enumeration of component `schema`. Variants are the values in Pascal case; a value
    /// whose variant another value already has, or that would be `Other`, gets a number
    /// (`AB2`, `Other2`), in the order the spec lists them, so that any list of strings makes
    /// an enum.
    pub fn new(
        schema: &str,
        description: Option<String>,
        values: Vec<String>,
    ) -> Result<OpenEnum, String> {
        let name = {
            use heck::ToPascalCase;
            schema.to_pascal_case()
        };
        if syn::parse_str::<syn::Ident>(&name).is_err() {
            return Err(format!(
                "open enum `{schema}` has no Rust name (`{name}` is not an identifier)"
            ));
        }
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in values {
            if variants.iter().any(|(_, w)| *w == value) {
                continue;
            }
            let base = variant_name(&value);
            let mut variant = base.clone();
            let mut n = 2;
            while variant == "Other" || variants.iter().any(|(v, _)| *v == variant) {
                variant = format!("{base}{n}");
                n += 1;
            }
            variants.push((variant, value));
        }
        Ok(OpenEnum {
            schema: schema.to_string(),
            name,
            description,
            variants,
        })
    }

    /// The enum itself, then the client's `open_enum!` for its impls (serde, `Display`,
    /// `FromStr`, `JsonSchema`), so that the definition reads as plain Rust.
    fn tokens(&self) -> TokenStream {
        let name = format_ident!("{}", self.name);
        let doc = self.description.clone().unwrap_or_default();
        let idents: Vec<_> = self
            .variants
            .iter()
            .map(|(v, _)| format_ident!("{}", v))
            .collect();
        let wires: Vec<_> = self.variants.iter().map(|(_, w)| w).collect();
        let docs = wires.iter().map(|w| format!("`{w}`"));
        quote! {
            #[doc = #doc]
            ///
            /// An open enumeration: a value the spec does not list is kept as [`Self::Other`].
            #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #( #[doc = #docs] #idents, )*
                /// A value the spec does not list, exactly as received.
                Other(::std::string::String),
            }
            crate::open_enum!(impl #name { #( #idents => #wires, )* });
        }
    }
}

/// `include_tables` -> `IncludeTables`, `en-us` -> `EnUs`.
pub fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// A property the server may also send under other names.
#[derive(Debug, Clone)]
pub struct Alias {
    pub schema: String,
    pub property: String,
    pub aliases: Vec<String>,
}

/// A server of the spec: its URL template and the values of its `{region}` variable.
#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub regions: Vec<String>,
}

/// Applies every change to the client's file.
pub fn client(
    file: &mut syn::File,
    open_enums: &[OpenEnum],
    aliases: &[Alias],
    servers: &[Server],
) -> Result<(), String> {
    route_encode_path(file)?;
    let entries = servers.iter().map(|s| {
        let url = &s.url;
        let regions = &s.regions;
        quote!((#url, &[#(#regions),*]))
    });
    file.items.push(syn::parse_quote! {
        /// The spec's `servers`: each URL template and the regions its `{region}` variable lists.
        pub(crate) const SERVERS: &[(&str, &[&str])] = &[#(#entries),*];
    });
    let types = types_module(file)?;
    for e in open_enums {
        let items: syn::File =
            syn::parse2(e.tokens()).map_err(|err| format!("open enum `{}`: {err}", e.name))?;
        types.extend(items.items);
    }
    for a in aliases {
        add_aliases(types, a)?;
    }
    crate::codegen::deserialize::written_impls(types)?;
    non_exhaustive(types);
    shared_conversion_errors(file);
    optional_schemars(file);
    Ok(())
}

/// typify's builder setters each format their conversion error in a closure of their own
/// (`.map_err(|e| format!("error converting supplied value for x: {e}"))`): thousands of
/// `format!` expansions in a client of many types, for the compiler to check one by one. They
/// call one function of the client instead (`call::conversion_error`), which makes the same
/// message.
pub fn shared_conversion_errors(file: &mut syn::File) {
    use syn::visit_mut::VisitMut;
    const PREFIX: &str = "error converting supplied value for ";
    struct Shared;
    impl VisitMut for Shared {
        fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
            syn::visit_mut::visit_expr_method_call_mut(self, m);
            if m.method != "map_err" || m.args.len() != 1 {
                return;
            }
            let syn::Expr::Closure(c) = &m.args[0] else {
                return;
            };
            // The body is `format!("error converting supplied value for <field>: {e}")`,
            // alone or in a block.
            let mut body = &*c.body;
            if let syn::Expr::Block(b) = body
                && let [syn::Stmt::Expr(e, None)] = b.block.stmts.as_slice()
            {
                body = e;
            }
            let syn::Expr::Macro(mac) = body else { return };
            if !mac.mac.path.is_ident("format") {
                return;
            }
            let Ok(lit) = mac.mac.parse_body::<syn::LitStr>() else {
                return;
            };
            let text = lit.value();
            let Some(field) = text
                .strip_prefix(PREFIX)
                .and_then(|t| t.strip_suffix(": {e}"))
            else {
                return;
            };
            m.args[0] = syn::parse_quote!(crate::call::conversion_error(#field));
        }
    }
    Shared.visit_file_mut(file);
}

/// Writes identifiers that are keywords of the workspace's edition (2024 reserves `gen`) as
/// raw identifiers: typify's hand-written `JsonSchema` impls name a parameter `gen` and the
/// module `schemars::gen`, which an edition 2024 crate cannot compile.
pub fn raw_keywords(file: &mut syn::File) {
    use syn::visit_mut::VisitMut;
    struct Raw;
    impl VisitMut for Raw {
        fn visit_ident_mut(&mut self, i: &mut proc_macro2::Ident) {
            if i == "gen" {
                *i = proc_macro2::Ident::new_raw("gen", i.span());
            }
        }
    }
    Raw.visit_file_mut(file);
}

/// Makes progenitor's `schemars::JsonSchema` derives depend on the client's `schemars`
/// feature: every `#[derive(.., schemars::JsonSchema, ..)]` in the file loses that path and
/// gains `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`, and every
/// hand-written `impl schemars::JsonSchema for ..` (typify writes them for integer
/// enumerations) gets `#[cfg(feature = "schemars")]`, so that crates that do not ask for
/// JSON Schemas do not compile schemars (BENCHMARKS.md, build cost).
pub fn optional_schemars(file: &mut syn::File) {
    use syn::visit_mut::VisitMut;
    struct Derives;
    impl VisitMut for Derives {
        fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
            if let Some((path, _)) = &i.trait_
                && is_json_schema(path)
                && !i.attrs.iter().any(|a| a.path().is_ident("cfg"))
            {
                i.attrs
                    .push(syn::parse_quote!(#[cfg(feature = "schemars")]));
            }
            syn::visit_mut::visit_item_impl_mut(self, i);
        }
        fn visit_item_struct_mut(&mut self, s: &mut syn::ItemStruct) {
            gate(&mut s.attrs);
            syn::visit_mut::visit_item_struct_mut(self, s);
        }
        fn visit_item_enum_mut(&mut self, e: &mut syn::ItemEnum) {
            gate(&mut e.attrs);
            syn::visit_mut::visit_item_enum_mut(self, e);
        }
    }
    fn is_json_schema(p: &syn::Path) -> bool {
        p.segments.last().is_some_and(|s| s.ident == "JsonSchema")
            && p.segments.iter().any(|s| s.ident == "schemars")
    }
    fn gate(attrs: &mut Vec<syn::Attribute>) {
        let mut found = false;
        for attr in attrs.iter_mut() {
            if !attr.path().is_ident("derive") {
                continue;
            }
            let Ok(paths) = attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            ) else {
                continue;
            };
            if !paths.iter().any(is_json_schema) {
                continue;
            }
            found = true;
            let kept = paths.into_iter().filter(|p| !is_json_schema(p));
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
        if found {
            attrs.retain(|a| {
                !(a.path().is_ident("derive")
                    && matches!(&a.meta, syn::Meta::List(l) if l.tokens.is_empty()))
            });
            attrs.push(syn::parse_quote!(
                #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
            ));
        }
    }
    Derives.visit_file_mut(file);
}

/// Marks every struct and enum of `types` `#[non_exhaustive]` (typify has no switch for it),
/// as smithy-rs does: a new property or enum value is then a minor change, since code in
/// other crates cannot build a generated type with a struct literal (it uses the builders,
/// `types::builder::X` and `X::builder()`, or serde) nor match an enum exhaustively.
/// Nested modules (`builder`, `error`) are left as they are: their fields are private.
pub fn non_exhaustive(types: &mut [Item]) {
    for item in types {
        let attrs = match item {
            Item::Struct(s) => &mut s.attrs,
            Item::Enum(e) => &mut e.attrs,
            _ => continue,
        };
        if !attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
            attrs.push(syn::parse_quote!(#[non_exhaustive]));
        }
    }
}

fn types_module(file: &mut syn::File) -> Result<&mut Vec<Item>, String> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(ItemMod {
                ident,
                content: Some((_, items)),
                ..
            }) if ident == "types" => Some(items),
            _ => None,
        })
        .ok_or_else(|| "progenitor's output has no `types` module".to_string())
}

/// Replaces `encode_path` in `use progenitor_client::{...}` with `crate::encode_path`.
fn route_encode_path(file: &mut syn::File) -> Result<(), String> {
    let mut found = false;
    for item in &mut file.items {
        let Item::Use(u) = item else { continue };
        let UseTree::Path(p) = &mut u.tree else {
            continue;
        };
        if p.ident != "progenitor_client" {
            continue;
        }
        let UseTree::Group(g) = p.tree.as_mut() else {
            continue;
        };
        let before = g.items.len();
        g.items = std::mem::take(&mut g.items)
            .into_iter()
            .filter(|t| !matches!(t, UseTree::Name(n) if n.ident == "encode_path"))
            .collect();
        found |= g.items.len() != before;
    }
    if !found {
        return Err(
            "progenitor's output does not import `encode_path`; update xtask/src/codegen/postprocess.rs"
                .into(),
        );
    }
    file.items.insert(
        0,
        syn::parse_quote!(
            #[allow(unused_imports)]
            use crate::encode_path;
        ),
    );
    Ok(())
}

fn add_aliases(types: &mut [Item], alias: &Alias) -> Result<(), String> {
    let strukt = types
        .iter_mut()
        .find_map(|item| match item {
            Item::Struct(s) if s.ident == alias.schema => Some(s),
            _ => None,
        })
        .ok_or_else(|| {
            format!(
                "x-aliases: no generated struct for schema `{}`",
                alias.schema
            )
        })?;
    let field = strukt
        .fields
        .iter_mut()
        .find(|f| wire_name(f).as_deref() == Some(alias.property.as_str()))
        .ok_or_else(|| {
            format!(
                "x-aliases: struct `{}` has no field for property `{}`",
                alias.schema, alias.property
            )
        })?;
    for a in &alias.aliases {
        field.attrs.push(syn::parse_quote!(#[serde(alias = #a)]));
    }
    Ok(())
}

/// The fields of every struct of `types`: struct name -> (JSON name, field, type), what the
/// per-operation layer reads a success body through (read before `types` is rendered).
pub type TypeFields = std::collections::HashMap<String, Vec<(String, syn::Ident, syn::Type)>>;

/// [`TypeFields`] of the client's file.
pub fn type_fields(file: &mut syn::File) -> TypeFields {
    let mut out = TypeFields::new();
    let Ok(types) = types_module(file) else {
        return out;
    };
    for item in types.iter() {
        let Item::Struct(s) = item else { continue };
        let fields = s
            .fields
            .iter()
            .filter_map(|f| Some((wire_name(f)?, f.ident.clone()?, f.ty.clone())))
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// The JSON name of a generated field: its `#[serde(rename = "...")]`, else its identifier.
fn wire_name(field: &syn::Field) -> Option<String> {
    let mut rename = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                rename = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename.or_else(|| {
        field
            .ident
            .as_ref()
            .map(|i| i.to_string().trim_start_matches("r#").to_string())
    })
}

/// One example of a response in the spec.
#[derive(Debug, Clone)]
pub struct Example {
    pub operation: String,
    pub status: String,
    pub name: String,
    pub summary: String,
    pub value: serde_json::Value,
}

/// `pub mod examples`: one module per operation, one `&str` constant of pretty JSON per
/// example, named `STATUS_<status>_<NAME>`, for canned mock responses.
pub fn examples_module(examples: &[Example]) -> Result<Item, String> {
    let mut ops: Vec<&str> = examples.iter().map(|e| e.operation.as_str()).collect();
    ops.dedup();
    let modules = ops.iter().map(|op| {
        let module = ident(&snake(op));
        let consts = examples.iter().filter(|e| e.operation == *op).map(|e| {
            let name =
                ident(&format!("STATUS_{}_{}", e.status, snake(&e.name)).to_ascii_uppercase());
            let json = raw_string(&serde_json::to_string_pretty(&e.value).unwrap_or_default());
            let doc = format!("Status {} `{}`: {}", e.status, e.name, e.summary);
            quote!(#[doc = #doc] pub const #name: &str = #json;)
        });
        let doc = format!("Examples of `{op}`.");
        quote!(#[doc = #doc] pub mod #module { #(#consts)* })
    });
    syn::parse2(quote! {
        /// The spec's response examples as JSON text, for canned mock responses.
        pub mod examples {
            #(#modules)*
        }
    })
    .map_err(|e| format!("examples module: {e}"))
}

/// An identifier from any text (a status may be `2XX` or `default`, and a hand-edited or
/// fuzzed spec anything): ASCII letters, digits and `_` kept, anything else `_`, a leading
/// digit or a keyword guarded by a `_`.
fn ident(text: &str) -> proc_macro2::Ident {
    let mut s: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if syn::parse_str::<syn::Ident>(&s).is_err() {
        s.push('_');
    }
    proc_macro2::Ident::new(&s, proc_macro2::Span::call_site())
}

/// A raw string literal (`r#"..."#`, with as many `#` as needed), so that JSON reads as JSON
/// in the generated file.
pub fn raw_string(text: &str) -> proc_macro2::Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .expect("a raw string literal with enough hashes is a literal")
}

/// `ListStarRocksDataReplicationConfig` -> `list_star_rocks_data_replication_config`,
/// `page-corrected` -> `page_corrected`.
pub fn snake(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = true;
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out
}

#[cfg(test)]
mod schemars_tests {
    #[test]
    fn json_schema_derives_depend_on_the_feature() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(Clone, schemars::JsonSchema, Debug)]
                pub struct A { x: u8 }
                #[derive(::schemars::JsonSchema)]
                pub enum B { X }
                #[derive(Clone)]
                pub struct C;
                impl ::schemars::JsonSchema for D {
                    fn json_schema(gen: &mut ::schemars::gen::SchemaGenerator) -> ::schemars::schema::Schema {
                        <i32 as ::schemars::JsonSchema>::json_schema(gen)
                    }
                }
            }
        };
        super::optional_schemars(&mut file);
        super::raw_keywords(&mut file);
        let text = prettyplease::unparse(&file);
        assert!(!text.contains("derive(Clone, schemars"), "{text}");
        assert!(text.contains("#[derive(Clone, Debug)]"), "{text}");
        assert_eq!(
            text.matches(r#"#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]"#)
                .count(),
            2,
            "{text}"
        );
        assert!(!text.contains("#[derive()]"), "{text}");
        assert!(
            text.contains("#[cfg(feature = \"schemars\")]\n    impl ::schemars::JsonSchema for D"),
            "{text}"
        );
        assert!(
            text.contains("r#gen: &mut ::schemars::r#gen::SchemaGenerator")
                && text.contains("json_schema(r#gen)")
                && !text.contains("(gen)"),
            "{text}"
        );
        assert!(
            text.contains("#[derive(Clone)]\n    pub struct C;"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn builder_setters_share_one_conversion_error() {
        let mut file: syn::File = syn::parse_quote! {
            impl Rule {
                pub fn ip<T>(mut self, value: T) -> Self
                where T: TryInto<String>, T::Error: Display {
                    self.ip = value.try_into().map_err(|e| {
                        format!("error converting supplied value for ip: {e}")
                    });
                    self.port = value.try_into().map_err(|e| format!("error converting supplied value for port: {e}"));
                    self.other = value.try_into().map_err(|e| format!("something else: {e}"));
                    self
                }
            }
        };
        super::shared_conversion_errors(&mut file);
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains(r#".map_err(crate::call::conversion_error("ip"))"#),
            "{text}"
        );
        assert!(
            text.contains(r#".map_err(crate::call::conversion_error("port"))"#),
            "{text}"
        );
        assert!(text.contains(r#"format!("something else: {e}")"#), "{text}");
    }

    #[test]
    fn identifiers_from_any_text() {
        assert_eq!(
            super::ident("STATUS_2XX_PAGE").to_string(),
            "STATUS_2XX_PAGE"
        );
        assert_eq!(super::ident("STATUS_G500'_X").to_string(), "STATUS_G500__X");
        assert_eq!(super::ident("1op").to_string(), "_1op");
        assert_eq!(super::ident("").to_string(), "__");
        assert_eq!(super::ident("type").to_string(), "type_");
    }

    #[test]
    fn snake_names() {
        assert_eq!(
            super::snake("ListStarRocksDataReplicationConfig"),
            "list_star_rocks_data_replication_config"
        );
        assert_eq!(super::snake("page-corrected"), "page_corrected");
        assert_eq!(super::snake("server failure"), "server_failure");
    }

    use super::*;

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("include_tables"), "IncludeTables");
        assert_eq!(variant_name("en-us"), "EnUs");
        assert_eq!(variant_name("fail"), "Fail");
        assert_eq!(variant_name("1st"), "V1st");
    }

    #[test]
    fn every_type_becomes_non_exhaustive_once() {
        let mut types: Vec<Item> = vec![
            syn::parse_quote!(
                pub struct S {
                    pub a: u8,
                }
            ),
            syn::parse_quote!(
                pub struct T(String);
            ),
            syn::parse_quote!(
                #[non_exhaustive]
                pub enum E {
                    A,
                    Other(String),
                }
            ),
            syn::parse_quote!(
                pub enum F {
                    A,
                }
            ),
            syn::parse_quote!(
                pub mod builder {
                    pub struct S {
                        a: u8,
                    }
                }
            ),
        ];
        non_exhaustive(&mut types);
        let count = |i: &Item| quote!(#i).to_string().matches("non_exhaustive").count();
        let counts: Vec<usize> = types.iter().map(count).collect();
        assert_eq!(counts, [1, 1, 1, 1, 0]);
    }

    #[test]
    fn clashing_variants_are_numbered() {
        let values = ["a_b", "a-b", "other", "Other", "a_b", "是", "否"];
        let e = OpenEnum::new(
            "replication_stage",
            None,
            values.iter().map(|v| v.to_string()).collect(),
        )
        .unwrap();
        assert_eq!(e.name, "ReplicationStage");
        assert_eq!(e.schema, "replication_stage");
        let variants: Vec<(&str, &str)> = e
            .variants
            .iter()
            .map(|(v, w)| (v.as_str(), w.as_str()))
            .collect();
        assert_eq!(
            variants,
            [
                ("AB", "a_b"),
                ("AB2", "a-b"),
                ("Other2", "other"),
                ("Other3", "Other"),
                ("V", "是"),
                ("V2", "否")
            ]
        );
        assert!(OpenEnum::new("1st", None, vec![]).is_err());
    }

    #[test]
    fn aliases_land_on_the_field_with_that_wire_name() {
        let mut types: Vec<Item> = vec![syn::parse_quote! {
            pub struct S {
                #[serde(default, rename = "databaseName")]
                pub database_name: Option<String>,
                pub table_infos: Vec<String>,
            }
        }];
        let a = Alias {
            schema: "S".into(),
            property: "table_infos".into(),
            aliases: vec!["table_info".into()],
        };
        add_aliases(&mut types, &a).unwrap();
        let Item::Struct(s) = &types[0] else {
            unreachable!()
        };
        let f = s.fields.iter().nth(1).unwrap();
        assert_eq!(
            quote!(#f).to_string(),
            quote!(#[serde(alias = "table_info")] pub table_infos: Vec<String>).to_string()
        );
        let b = Alias {
            schema: "S".into(),
            property: "databaseName".into(),
            aliases: vec!["db".into()],
        };
        add_aliases(&mut types, &b).unwrap();
        let missing = Alias {
            schema: "S".into(),
            property: "nope".into(),
            aliases: vec![],
        };
        assert!(
            add_aliases(&mut types, &missing)
                .unwrap_err()
                .contains("no field for property `nope`")
        );
    }
}
