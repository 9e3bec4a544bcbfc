//! Open enumerations: the spec's `x-open-enum` schemas.
//!
//! The generator defines each one in `types` as an enum of the documented values plus
//! `Other(String)` and invokes `open_enum!` for its impls, so a value the page does not list
//! (the page's own example sends `"failed"`) is kept, not rejected. The enums are
//! `#[non_exhaustive]`: a value added to the spec later is not a breaking change.

/// Implements an open enumeration's traits. The generated code defines each enum (its
/// documented variants and `Other(String)`) and invokes this for the rest. (A client built
/// with tag features none of whose types is an open enum does not use it.)
#[allow(unused_macros)]
macro_rules! open_enum {
    (impl $name:ident { $( $variant:ident => $wire:literal, )* }) => {
        impl $name {
            /// Every documented value, in the spec's order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(s) => s.as_str(),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(s: ::std::string::String) -> Self {
                match s.as_str() {
                    $( $wire => Self::$variant, )*
                    _ => Self::Other(s),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(match s {
                    ::std::borrow::Cow::Borrowed(b) => Self::from(b),
                    ::std::borrow::Cow::Owned(o) => Self::from(o),
                })
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::string::String {
                stringify!($name).to_string()
            }

            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                $crate::open_enum::schema(Self::KNOWN)
            }
        }
    };
}
pub(crate) use open_enum;

/// The JSON Schema of an open enumeration: any string, documented values listed.
#[cfg(feature = "schemars")]
#[doc(hidden)]
pub fn schema(known: &[&str]) -> schemars::schema::Schema {
    use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, SubschemaValidation};
    let known_values = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        enum_values: Some(known.iter().map(|v| serde_json::Value::from(*v)).collect()),
        ..Default::default()
    };
    let any_string = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        metadata: Some(Box::new(Metadata {
            description: Some("A value the spec does not list, kept as received.".into()),
            ..Default::default()
        })),
        ..Default::default()
    };
    Schema::Object(SchemaObject {
        subschemas: Some(Box::new(SubschemaValidation {
            any_of: Some(vec![known_values.into(), any_string.into()]),
            ..Default::default()
        })),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    /// A test enumeration.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Sample {
        AB,
        C,
        Other(String),
    }
    open_enum!(impl Sample { AB => "a_b", C => "c", });

    #[test]
    fn known_and_unknown_values_round_trip() {
        let v: Vec<Sample> = serde_json::from_str(r#"["a_b", "c", "failed"]"#).unwrap();
        assert_eq!(v, [Sample::AB, Sample::C, Sample::Other("failed".into())]);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"["a_b","c","failed"]"#
        );
        assert!(v[0].is_known() && !v[2].is_known());
        assert_eq!(v[2].to_string(), "failed");
        assert_eq!("c".parse::<Sample>(), Ok(Sample::C));
        assert_eq!(Sample::KNOWN, ["a_b", "c"]);
    }

    #[test]
    fn escaped_strings_decode_too() {
        let v: Sample = serde_json::from_str(r#""a\u005fb""#).unwrap();
        assert_eq!(v, Sample::AB);
    }

    #[test]
    fn non_strings_are_refused() {
        assert!(serde_json::from_str::<Sample>("1").is_err());
    }
}
