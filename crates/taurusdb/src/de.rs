//! What the generated types' `Deserialize` impls call.
//!
//! `cargo xtask gen` writes the `Deserialize` impl of a plain generated struct itself instead of
//! deriving it (`xtask/src/codegen/deserialize.rs`). serde's derive also writes a visitor of
//! sequences (a struct read from a JSON array) and a field-name type with a visitor of its own
//! for every struct, which no JSON response needs; the derived impls were about a quarter of the
//! compile time of a client of many types (BENCHMARKS.md, the corpus).
//!
//! The written impl reads a JSON object as the derive does: fields by name (renames and
//! aliases), unknown fields skipped, a field given twice an error, a missing field `None` for
//! an `Option`, its default where the spec has one, else serde's "missing field" error. It
//! reads a map only: a struct is not read from a sequence, and a field name is a string (not a
//! field index or bytes, which JSON never sends).

use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// Reads a field name of a JSON object as the number the struct's own function gives it (a
/// `match` on the name and its aliases; names it does not have read as `usize::MAX`), without
/// copying it. A `match` of its own per struct, not a search of a list of names: the compiler
/// turns a `match` on constant strings into a few comparisons of words, which keeps reading a
/// large response as fast as the derive's (BENCHMARKS.md, section 1).
pub(crate) struct Field(pub(crate) fn(&str) -> usize);

impl<'de> DeserializeSeed<'de> for Field {
    type Value = usize;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Field {
    type Value = usize;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }
    #[inline]
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        Ok((self.0)(v))
    }
}

/// Reads the value of field `name` into `slot`; a field given twice is an error.
#[inline]
pub(crate) fn put<'de, T, A>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error>
where
    T: Deserialize<'de>,
    A: MapAccess<'de>,
{
    if slot.is_some() {
        return Err(<A::Error as de::Error>::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a field the struct does not have.
#[inline]
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// The value of field `name`, which must have been given unless its type reads "nothing" as a
/// value (an `Option`, or a type around one): as serde's derive decides it.
pub(crate) fn missing<'de, T, E>(slot: Option<T>, name: &'static str) -> Result<T, E>
where
    T: Deserialize<'de>,
    E: de::Error,
{
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Missing(name, PhantomData)),
    }
}

/// The input of a field that was not given: `None` to an `Option`, "missing field" to the rest.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;
    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    //! A struct with the impl `cargo xtask gen` writes (the shape of
    //! `xtask/src/codegen/deserialize.rs`'s output, by hand) against the same struct with
    //! serde's derive: both must read every input alike, errors included.
    use serde::Deserialize;

    fn seven() -> u32 {
        7
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Derived {
        id: String,
        #[serde(rename = "type")]
        kind: Option<String>,
        #[serde(alias = "oldName")]
        name: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default = "seven")]
        limit: u32,
        maybe: Option<Option<u32>>,
        inner: Option<Box<Derived>>,
    }

    #[derive(Debug, PartialEq)]
    struct Written {
        id: String,
        kind: Option<String>,
        name: Option<String>,
        tags: Vec<String>,
        limit: u32,
        maybe: Option<Option<u32>>,
        inner: Option<Box<Written>>,
    }

    impl<'de> ::serde::Deserialize<'de> for Written {
        fn deserialize<D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<Self, D::Error> {
            const FIELDS: &[&str] = &[
                "id", "type", "name", "oldName", "tags", "limit", "maybe", "inner",
            ];
            struct __Visitor;
            impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                type Value = Written;
                fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str("struct Written")
                }
                fn visit_map<A: ::serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> ::std::result::Result<Written, A::Error> {
                    let mut f0: ::std::option::Option<String> = None;
                    let mut f1: ::std::option::Option<Option<String>> = None;
                    let mut f2: ::std::option::Option<Option<String>> = None;
                    let mut f3: ::std::option::Option<Vec<String>> = None;
                    let mut f4: ::std::option::Option<u32> = None;
                    let mut f5: ::std::option::Option<Option<Option<u32>>> = None;
                    let mut f6: ::std::option::Option<Option<Box<Written>>> = None;
                    while let ::std::option::Option::Some(field) =
                        map.next_key_seed(crate::de::Field(|name| match name {
                            "id" => 0,
                            "type" => 1,
                            "name" | "oldName" => 2,
                            "tags" => 3,
                            "limit" => 4,
                            "maybe" => 5,
                            "inner" => 6,
                            _ => usize::MAX,
                        }))?
                    {
                        match field {
                            0 => crate::de::put(&mut f0, &mut map, "id"),
                            1 => crate::de::put(&mut f1, &mut map, "type"),
                            2 => crate::de::put(&mut f2, &mut map, "name"),
                            3 => crate::de::put(&mut f3, &mut map, "tags"),
                            4 => crate::de::put(&mut f4, &mut map, "limit"),
                            5 => crate::de::put(&mut f5, &mut map, "maybe"),
                            6 => crate::de::put(&mut f6, &mut map, "inner"),
                            _ => crate::de::skip(&mut map),
                        }?;
                    }
                    ::std::result::Result::Ok(Written {
                        id: crate::de::missing(f0, "id")?,
                        kind: f1.flatten(),
                        name: f2.flatten(),
                        tags: f3.unwrap_or_default(),
                        limit: f4.unwrap_or_else(seven),
                        maybe: crate::de::missing(f5, "maybe")?,
                        inner: f6.flatten(),
                    })
                }
            }
            deserializer.deserialize_struct("Written", FIELDS, __Visitor)
        }
    }

    /// The derived struct's value or error, and the written one's, as text.
    fn both(json: &str) -> (String, String) {
        let derived = match serde_json::from_str::<Derived>(json) {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error: {e}"),
        };
        let written = match serde_json::from_str::<Written>(json) {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error: {e}"),
        };
        (
            derived.replace("Derived", "S"),
            written.replace("Written", "S"),
        )
    }

    #[test]
    fn a_written_impl_reads_what_the_derive_reads() {
        let inputs = [
            r#"{"id": "a"}"#,
            r#"{"id": "a", "type": "t", "name": "n", "tags": ["x"], "limit": 3, "maybe": 1}"#,
            r#"{"id": "a", "type": null, "name": null, "maybe": null, "inner": null}"#,
            r#"{"id": "a", "oldName": "n"}"#,
            r#"{"id": "a", "name": "n", "oldName": "m"}"#,
            r#"{"id": "a", "id": "b"}"#,
            r#"{"type": "t"}"#,
            r#"{"id": null}"#,
            r#"{"id": 5}"#,
            r#"{"id": "a", "unknown": {"deep": [1, 2, {"x": null}]}, "more": 1}"#,
            r#"{"i\u0064": "escaped key"}"#,
            r#"{"id": "a", "inner": {"id": "b", "inner": {"id": "c"}}}"#,
            r#"{"id": "a", "inner": {"type": "no id"}}"#,
            r#"{"id": "a", "tags": null}"#,
            r#"{"id": "a", "limit": "7"}"#,
            r#"["a", null]"#,
            r#""a""#,
            r#"null"#,
            r#"{"id": "a""#,
            r#"{}"#,
        ];
        for json in inputs {
            let (derived, written) = both(json);
            // serde's derive also reads a struct from a sequence; the written impl does not.
            if json.starts_with('[') {
                assert!(
                    written.starts_with("error: invalid type: sequence"),
                    "{written}"
                );
                continue;
            }
            assert_eq!(written, derived, "input {json}");
        }
    }

    #[test]
    fn a_written_impl_reads_a_json_value_and_a_flattened_map_alike() {
        let value = serde_json::json!({"id": "a", "oldName": "n", "tags": ["x"], "z": 1});
        let derived = format!("{:?}", Derived::deserialize(&value).unwrap());
        let written = format!("{:?}", Written::deserialize(&value).unwrap());
        assert_eq!(
            written.replace("Written", "S"),
            derived.replace("Derived", "S")
        );

        // A struct flattened into another is read through the field names it declares.
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[serde(flatten)]
            written: Written,
            other: u8,
        }
        let outer: Outer =
            serde_json::from_str(r#"{"other": 1, "id": "a", "oldName": "n", "limit": 2}"#).unwrap();
        assert_eq!(outer.other, 1);
        assert_eq!(outer.written.name.as_deref(), Some("n"));
        assert_eq!(outer.written.limit, 2);
    }
}
