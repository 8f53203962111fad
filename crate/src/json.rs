//! Reading the values that cross the boundary: a parsed JSON value ([`Val`]) and, for each
//! type the core reads, a [`FromJson`] impl written beside the type.
//!
//! Why not serde's `Deserialize` derive: its visitors (a field enum with three matchers, a
//! map loop with an `Option` per field, error formatting) cost the wasm 0.3–0.5 KB per
//! field, about 55 KB for the boundary types; a plain function per type that takes its
//! fields by name costs less than half of that. Writing stays with serde's `Serialize` derive,
//! which is cheap. The types still implement serde's `Deserialize` (through [`Val`], see
//! [`serde_via_json!`]), so native code and tests can read them with serde_json and run
//! the very same code as the wasm.
//!
//! The rules are serde's: unknown fields are ignored, an absent `Option` is `None`, any
//! other absent field is an error unless it has a default; a number read as an integer
//! must be one, in range.

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// `null` (also an absent value).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A text.
    Str(String),
    /// An array.
    Arr(Vec<Val>),
    /// An object's fields, in order.
    Obj(Vec<(String, Val)>),
}

/// Why a value could not be read.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result of reading.
pub type Result<T> = std::result::Result<T, Error>;

/// A type read from a [`Val`].
pub trait FromJson: Sized {
    /// Reads the value.
    fn from_json(v: Val) -> Result<Self>;
    /// What an absent field reads as: nothing (an error), except for an `Option`.
    fn absent() -> Option<Self> {
        None
    }
}

/// The error for a value of the wrong kind.
#[inline(never)]
#[cold]
pub fn wrong<T>(v: &Val, expected: &str) -> Result<T> {
    let got = match v {
        Val::Null => "null",
        Val::Bool(_) => "a boolean",
        Val::Num(_) => "a number",
        Val::Str(_) => "a text",
        Val::Arr(_) => "an array",
        Val::Obj(_) => "an object",
    };
    Err(Error(format!("invalid type: {got}, expected {expected}")))
}

/// An object's fields, taken one by one by name.
///
/// Reading a field gives its value, never a `Result`: the first error is kept and [`done`]
/// returns it. So a struct is read in one expression with no early return, and the wasm
/// needs no code to drop the fields read before a failing one (with `?` after every
/// field, that clean-up code grows with the square of the number of fields).
///
/// [`done`]: Fields::done
pub struct Fields {
    fields: Vec<(String, Val)>,
    error: Option<Error>,
}

/// A type a field can have: it has a stand-in value, given while a failed read is
/// carried to [`Fields::done`] (which then throws the whole value away).
pub trait Field: FromJson {
    /// Any value of the type.
    fn stand_in() -> Self;
}

impl Fields {
    /// The fields of an object (`what` names it in the error for anything else).
    pub fn of(v: Val, what: &str) -> Result<Fields> {
        match v {
            Val::Obj(fields) => Ok(Fields { fields, error: None }),
            other => wrong(&other, what),
        }
    }

    // Not generic, and kept out of line: each field then costs a call or two.
    #[inline(never)]
    fn take(&mut self, key: &str) -> Option<Val> {
        // The last of equal keys, as `JSON.parse` keeps it.
        let i = self.fields.iter().rposition(|(k, _)| k == key)?;
        Some(std::mem::replace(&mut self.fields[i].1, Val::Null))
    }

    fn keep<T: Field>(&mut self, read: Result<T>) -> T {
        read.unwrap_or_else(|e| {
            self.error.get_or_insert(e);
            T::stand_in()
        })
    }

    /// A field that must be there (an `Option` may be absent).
    pub fn get<T: Field>(&mut self, key: &str) -> T {
        let read = match self.take(key) {
            Some(v) => T::from_json(v).map_err(|e| e.at(key)),
            None => T::absent().ok_or_else(|| missing(key)),
        };
        self.keep(read)
    }

    /// A field that reads as its type's default when absent.
    pub fn or_default<T: Field + Default>(&mut self, key: &str) -> T {
        let read = match self.take(key) {
            Some(v) => T::from_json(v).map_err(|e| e.at(key)),
            None => Ok(T::default()),
        };
        self.keep(read)
    }

    /// The value read, or the first error.
    pub fn done<T>(self, value: T) -> Result<T> {
        match self.error {
            None => Ok(value),
            Some(e) => Err(e),
        }
    }
}

macro_rules! stand_in_default {
    ($($t:ty),*) => {$(
        impl Field for $t {
            fn stand_in() -> Self {
                Self::default()
            }
        }
    )*};
}
stand_in_default!(bool, String, f64, u16, u32, usize);

impl<T: FromJson> Field for Option<T> {
    fn stand_in() -> Self {
        None
    }
}

impl<T: FromJson> Field for Vec<T> {
    fn stand_in() -> Self {
        Vec::new()
    }
}

#[inline(never)]
#[cold]
fn missing(key: &str) -> Error {
    Error(format!("missing field `{key}`"))
}

impl Error {
    /// The error, saying in which field it is.
    #[inline(never)]
    #[cold]
    fn at(self, key: &str) -> Error {
        Error(format!("{} (field `{key}`)", self.0))
    }
}

impl FromJson for Val {
    fn from_json(v: Val) -> Result<Self> {
        Ok(v)
    }
}

impl FromJson for bool {
    fn from_json(v: Val) -> Result<Self> {
        match v {
            Val::Bool(b) => Ok(b),
            other => wrong(&other, "a boolean"),
        }
    }
}

impl FromJson for String {
    fn from_json(v: Val) -> Result<Self> {
        match v {
            Val::Str(s) => Ok(s),
            other => wrong(&other, "a text"),
        }
    }
}

impl FromJson for f64 {
    fn from_json(v: Val) -> Result<Self> {
        match v {
            Val::Num(n) => Ok(n),
            other => wrong(&other, "a number"),
        }
    }
}

/// A whole number from 0 to `max`.
fn count(v: Val, max: u64) -> Result<u64> {
    match v {
        Val::Num(n) if n.fract() == 0.0 && (0.0..=max as f64).contains(&n) => Ok(n as u64),
        Val::Num(_) => Err(Error(format!("invalid value: a number, expected a whole number from 0 to {max}"))),
        other => wrong(&other, "a whole number"),
    }
}

macro_rules! counts {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(v: Val) -> Result<Self> {
                // Within range by `count`'s check.
                count(v, <$t>::MAX as u64).map(|n| n as $t)
            }
        }
    )*};
}
counts!(u16, u32, usize);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: Val) -> Result<Self> {
        match v {
            Val::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: Val) -> Result<Self> {
        match v {
            Val::Arr(items) => {
                // A plain loop: `collect` into a `Result` costs a kilobyte per type.
                let mut out = Vec::with_capacity(items.len());
                for v in items {
                    out.push(T::from_json(v)?);
                }
                Ok(out)
            }
            other => wrong(&other, "an array"),
        }
    }
}

/// A unit enum from its name, through its serde derive, so the names stay declared once
/// (`rename_all`); that derive alone is small.
pub fn by_name<T: serde::de::DeserializeOwned>(v: Val) -> Result<T> {
    use serde::de::IntoDeserializer;
    match v {
        Val::Str(s) => T::deserialize(s.into_deserializer()).map_err(|e: serde::de::value::Error| Error(e.to_string())),
        other => wrong(&other, "a name"),
    }
}

/// [`FromJson`] (and [`Field`], with the stand-in variant given) for unit enums that
/// derive serde's `Deserialize`.
#[macro_export]
#[doc(hidden)]
macro_rules! json_by_name {
    ($($t:ident: $stand_in:ident),*) => {$(
        impl $crate::json::FromJson for $t {
            fn from_json(v: $crate::json::Val) -> $crate::json::Result<Self> {
                $crate::json::by_name(v)
            }
        }
        impl $crate::json::Field for $t {
            fn stand_in() -> Self {
                $t::$stand_in
            }
        }
    )*};
}

/// serde's `Deserialize` for types that implement [`FromJson`], through [`Val`]: native
/// code (serde_json) reads them with the same code as the wasm.
#[macro_export]
#[doc(hidden)]
macro_rules! serde_via_json {
    ($($t:ty),*) => {$(
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let v = <$crate::json::Val as serde::Deserialize>::deserialize(d)?;
                <$t as $crate::json::FromJson>::from_json(v).map_err(|e| <D::Error as serde::de::Error>::custom(e.0))
            }
        }
    )*};
}

impl<'de> serde::Deserialize<'de> for Val {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Val;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> std::result::Result<Val, E> {
                Ok(Val::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<Val, E> {
                Ok(Val::Null)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Val, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> std::result::Result<Val, E> {
                Ok(Val::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> std::result::Result<Val, E> {
                Ok(Val::Num(n as f64))
            }
            fn visit_u64<E>(self, n: u64) -> std::result::Result<Val, E> {
                Ok(Val::Num(n as f64))
            }
            fn visit_f64<E>(self, n: f64) -> std::result::Result<Val, E> {
                Ok(Val::Num(n))
            }
            fn visit_str<E>(self, s: &str) -> std::result::Result<Val, E> {
                Ok(Val::Str(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> std::result::Result<Val, E> {
                Ok(Val::Str(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> std::result::Result<Val, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = a.next_element()? {
                    items.push(v);
                }
                Ok(Val::Arr(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> std::result::Result<Val, A::Error> {
                let mut fields = Vec::new();
                while let Some(kv) = a.next_entry()? {
                    fields.push(kv);
                }
                Ok(Val::Obj(fields))
            }
        }
        d.deserialize_any(V)
    }
}
