//! Reading values that another version may have written differently.
//!
//! Stored state, a job and an administrator's policy outlive the version that wrote
//! them. A name this version does not know (a region, a reason, a state added later or
//! since removed) must not make the whole value unreadable: it reads as absent, and the
//! value around it stays usable. Enums that have an `Unknown` variant take such names
//! with `#[serde(other)]` instead.

use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer};
use serde::Deserialize;

/// An optional value (`#[serde(default, deserialize_with = "crate::wire::known")]`): one
/// `T` reads, or `None` for anything else (`null`, a name `T` does not know, a value of
/// another type).
pub fn known<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Or<T> {
        Value(T),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Or<T>>::deserialize(d)? {
        Some(Or::Value(v)) => Some(v),
        Some(Or::Other(_)) | None => None,
    })
}

/// Whatever was written where a name belongs: a text, or a value of another type.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Name {
    /// A text (which may or may not be a name this version knows).
    Text(String),
    /// Anything else.
    Other(serde::de::IgnoredAny),
}

impl Name {
    /// The value of `T` it names, if any.
    pub fn read<T: DeserializeOwned>(&self) -> Option<T> {
        match self {
            Name::Text(text) => name(text),
            Name::Other(_) => None,
        }
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Text(text) => write!(f, "{text:?}"),
            Name::Other(_) => f.write_str("(not a text)"),
        }
    }
}

/// The value of `T` that `name` names, or `None` when this version knows no such name.
pub fn name<T: DeserializeOwned>(name: &str) -> Option<T> {
    T::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(name)).ok()
}
