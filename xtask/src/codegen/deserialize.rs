//! The `Deserialize` impls of the generated structs, written out instead of derived.
//!
//! serde's derive writes, for every struct, a visitor of maps, a visitor of sequences (a
//! struct read from a JSON array, which no response is) and an enum of field names with a
//! visitor of its own. In a client of hundreds of types, type- and borrow-checking those was
//! the largest part of the crate's build (BENCHMARKS.md, section 5). For a plain struct, one
//! whose serde attributes are only names, aliases, defaults and serializing conditions, the
//! generator writes the impl instead: one visitor of maps, which reads each field name as a
//! number (a `match` on the names and aliases) and calls the client's `crate::de` helpers
//! (`Field`, `put`, `skip`, `missing`). It reads each field as the derive would (renames,
//! aliases, unknown fields skipped, a field given twice an error, `None` or the default for a
//! missing one, else serde's "missing field").
//!
//! A struct with anything else (generics, `flatten`, `with`, container attributes such as
//! `transparent` or `untagged`, an attribute this pass does not know) keeps the derive.

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Item, ItemStruct, Token};

/// Replaces the derived `Deserialize` of every plain struct of `types` with a written impl,
/// placed right after the struct under the same `#[cfg]`s.
pub fn written_impls(types: &mut Vec<Item>) -> Result<(), String> {
    let mut out = Vec::with_capacity(types.len() * 2);
    for item in types.drain(..) {
        let Item::Struct(mut s) = item else {
            out.push(item);
            continue;
        };
        let written = match plain(&s) {
            Some(fields) if drop_derive(&mut s) => Some(
                syn::parse2::<Item>(impl_tokens(&s, &fields))
                    .map_err(|e| format!("the written Deserialize of `{}`: {e}", s.ident))?,
            ),
            _ => None,
        };
        out.push(Item::Struct(s));
        out.extend(written);
    }
    *types = out;
    Ok(())
}

/// What a field's serde attributes say about reading it.
struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    /// Its JSON name, then its aliases.
    names: Vec<String>,
    if_missing: IfMissing,
}

enum IfMissing {
    /// Not given: `None` for an `Option` (known by its type's name), else as serde decides.
    None,
    /// `#[serde(default)]`.
    Trait,
    /// `#[serde(default = "path")]`.
    Path(syn::ExprPath),
}

/// The fields of `s` if it is a plain struct that derives `Deserialize` and `Serialize`: named
/// fields, no generics, no container attribute of serde, field attributes this pass knows, and
/// no JSON name or alias twice.
fn plain(s: &ItemStruct) -> Option<Vec<Field>> {
    if !s.generics.params.is_empty() || !derives_deserialize(s) {
        return None;
    }
    if s.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    let syn::Fields::Named(named) = &s.fields else {
        return None;
    };
    let mut fields = Vec::new();
    for f in &named.named {
        let ident = f.ident.clone()?;
        let mut rename = None;
        let mut aliases = Vec::new();
        let mut if_missing = IfMissing::None;
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                } else if meta.path.is_ident("alias") {
                    aliases.push(meta.value()?.parse::<syn::LitStr>()?.value());
                } else if meta.path.is_ident("default") {
                    if_missing = if meta.input.peek(Token![=]) {
                        let path = meta.value()?.parse::<syn::LitStr>()?.parse()?;
                        IfMissing::Path(path)
                    } else {
                        IfMissing::Trait
                    };
                } else if meta.path.is_ident("skip_serializing_if") {
                    let _: syn::LitStr = meta.value()?.parse()?;
                } else if !meta.path.is_ident("skip_serializing") {
                    return Err(meta.error("not read by the written impl"));
                }
                Ok(())
            })
            .ok()?;
        }
        let name = rename.unwrap_or_else(|| ident.to_string().trim_start_matches("r#").into());
        let mut names = vec![name];
        names.extend(aliases);
        fields.push(Field {
            ident,
            ty: f.ty.clone(),
            names,
            if_missing,
        });
    }
    // A name given to two fields (or as an alias of another) is left to the derive.
    let mut seen = std::collections::HashSet::new();
    if !fields.iter().flat_map(|f| &f.names).all(|n| seen.insert(n)) {
        return None;
    }
    Some(fields)
}

/// The paths of `#[derive(...)]` attributes.
fn derive_paths(attr: &syn::Attribute) -> Option<Punctuated<syn::Path, Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(Punctuated::parse_terminated).ok()
}

fn is_deserialize(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "Deserialize")
}

fn is_serialize(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "Serialize")
}

/// Whether `s` derives both: the `Serialize` derive keeps the fields' `#[serde]` attributes
/// meaningful once `Deserialize` is no longer derived.
fn derives_deserialize(s: &ItemStruct) -> bool {
    let derived = |which: fn(&syn::Path) -> bool| {
        s.attrs
            .iter()
            .filter_map(derive_paths)
            .any(|paths| paths.iter().any(which))
    };
    derived(is_deserialize) && derived(is_serialize)
}

/// Takes `Deserialize` out of the struct's derives; false if there was none to take.
fn drop_derive(s: &mut ItemStruct) -> bool {
    for attr in &mut s.attrs {
        let Some(paths) = derive_paths(attr) else {
            continue;
        };
        if !paths.iter().any(is_deserialize) {
            continue;
        }
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !is_deserialize(p)).collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        return true;
    }
    false
}

/// Whether a type is named `Option` (`Option<T>`, `std::option::Option<T>`).
fn is_option(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| {
            s.ident == "Option" && matches!(s.arguments, syn::PathArguments::AngleBracketed(_))
        })
}

fn impl_tokens(s: &ItemStruct, fields: &[Field]) -> TokenStream {
    let name = &s.ident;
    let expecting = format!("struct {name}");
    let type_name = name.to_string();
    let cfgs = s.attrs.iter().filter(|a| a.path().is_ident("cfg"));
    let slot = |i: usize| quote::format_ident!("f{i}");
    let slots = fields.iter().enumerate().map(|(i, f)| {
        let (slot, ty) = (slot(i), &f.ty);
        quote!(let mut #slot: ::std::option::Option<#ty> = ::std::option::Option::None;)
    });
    let numbers = fields.iter().enumerate().map(|(i, f)| {
        let (names, i) = (&f.names, proc_macro2::Literal::usize_unsuffixed(i));
        quote!(#(#names)|* => #i,)
    });
    let arms = fields.iter().enumerate().map(|(i, f)| {
        let (slot, name) = (slot(i), &f.names[0]);
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote!(#i => crate::de::put(&mut #slot, &mut map, #name),)
    });
    let values = fields.iter().enumerate().map(|(i, f)| {
        let (slot, ident, name) = (slot(i), &f.ident, &f.names[0]);
        let value = match &f.if_missing {
            IfMissing::Trait => quote!(#slot.unwrap_or_default()),
            IfMissing::Path(path) => quote!(#slot.unwrap_or_else(#path)),
            IfMissing::None if is_option(&f.ty) => quote!(#slot.flatten()),
            IfMissing::None => quote!(crate::de::missing(#slot, #name)?),
        };
        quote!(#ident: #value)
    });
    let all_names = fields.iter().flat_map(|f| &f.names);
    quote! {
        #(#cfgs)*
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                const FIELDS: &[&str] = &[#(#all_names),*];
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<#name, A::Error> {
                        #(#slots)*
                        while let ::std::option::Option::Some(field) =
                            map.next_key_seed(crate::de::Field(|name| match name {
                                #(#numbers)*
                                _ => usize::MAX,
                            }))?
                        {
                            match field {
                                #(#arms)*
                                _ => crate::de::skip(&mut map),
                            }?;
                        }
                        ::std::result::Result::Ok(#name { #(#values),* })
                    }
                }
                deserializer.deserialize_struct(#type_name, FIELDS, __Visitor)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types_of(source: &str) -> Vec<Item> {
        syn::parse_str::<syn::File>(source).unwrap().items
    }

    fn render(items: Vec<Item>) -> String {
        let mut file: syn::File = syn::parse_quote!();
        file.items = items;
        prettyplease::unparse(&file)
    }

    #[test]
    fn a_plain_struct_gets_a_written_impl_with_its_names_aliases_and_defaults() {
        let mut types = types_of(
            r#"
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[non_exhaustive]
            #[cfg(any(feature = "a"))]
            pub struct Thing {
                pub id: ::std::string::String,
                #[serde(rename = "type", skip_serializing_if = "::std::option::Option::is_none")]
                pub type_: ::std::option::Option<Kind>,
                #[serde(alias = "oldName")]
                pub name: Option<String>,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: Vec<String>,
                #[serde(default = "defaults::thing_limit")]
                pub limit: u32,
            }
            "#,
        );
        written_impls(&mut types).unwrap();
        let text = render(types);
        assert!(
            text.contains("#[derive(::serde::Serialize, Clone, Debug)]"),
            "{text}"
        );
        for expected in [
            "#[cfg(any(feature = \"a\"))]\nimpl<'de> ::serde::Deserialize<'de> for Thing {",
            "\"id\" => 0,",
            "\"type\" => 1,",
            "\"name\" | \"oldName\" => 2,",
            "_ => usize::MAX,",
            "0 => crate::de::put(&mut f0, &mut map, \"id\"),",
            "1 => crate::de::put(&mut f1, &mut map, \"type\"),",
            "2 => crate::de::put(&mut f2, &mut map, \"name\"),",
            "3 => crate::de::put(&mut f3, &mut map, \"tags\"),",
            "4 => crate::de::put(&mut f4, &mut map, \"limit\"),",
            "id: crate::de::missing(f0, \"id\")?",
            "type_: f1.flatten()",
            "name: f2.flatten()",
            "tags: f3.unwrap_or_default()",
            "limit: f4.unwrap_or_else(defaults::thing_limit)",
            "deserialize_struct(\"Thing\", FIELDS, __Visitor)",
            "const FIELDS: &[&str] = &[\"id\", \"type\", \"name\", \"oldName\", \"tags\", \"limit\"];",
        ] {
            assert!(text.contains(expected), "no {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn a_struct_with_what_the_pass_does_not_read_keeps_the_derive() {
        const BOTH: &str = "#[derive(::serde::Deserialize, ::serde::Serialize)]";
        let cases = [
            format!("{BOTH} #[serde(transparent)] pub struct A {{ pub x: String }}"),
            format!("{BOTH} pub struct A {{ #[serde(flatten)] pub x: B }}"),
            format!("{BOTH} pub struct A {{ #[serde(with = \"m\")] pub x: B }}"),
            format!("{BOTH} pub struct A {{ #[serde(skip_deserializing)] pub x: B }}"),
            format!("{BOTH} pub struct A<T> {{ pub x: T }}"),
            format!("{BOTH} pub struct A(pub String);"),
            format!("{BOTH} pub struct A {{ pub x: String, #[serde(alias = \"x\")] pub y: String }}"),
            "#[derive(::serde::Serialize)] pub struct A { pub x: String }".to_string(),
            "#[derive(::serde::Deserialize)] pub struct A { #[serde(rename = \"y\")] pub x: String }"
                .to_string(),
        ];
        // The same struct without what makes it not plain is written: the cases above test
        // that one thing each.
        let mut plain = types_of(&format!("{BOTH} pub struct A {{ pub x: String }}"));
        written_impls(&mut plain).unwrap();
        assert_eq!(plain.len(), 2);
        for case in &cases {
            let mut types = types_of(case);
            let before = render(types.clone());
            written_impls(&mut types).unwrap();
            assert_eq!(render(types), before, "{case}");
        }
    }
}
