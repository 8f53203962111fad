//! A serde serializer that writes a value as a Rust expression: structs as struct literals,
//! sequences as `&[..]` slices, strings as literals, `Option`s as `Some`/`None`, unit enum
//! variants as `Enum::Variant` (their kebab-case rule names turned back into CamelCase).
//! build.rs writes the catalogue's statics with it, so the struct shapes are declared only
//! in src/schema.rs.

use std::fmt;

use serde::ser::{self, Serialize};

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Error {}
impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

pub fn to_rust<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut out = String::new();
    value.serialize(Writer { out: &mut out })?;
    Ok(out)
}

/// "not-applied" -> "NotApplied".
fn camel(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

struct Writer<'a> {
    out: &'a mut String,
}

fn unsupported(what: &str) -> Error {
    Error(format!("{what} cannot be written as a Rust static"))
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = Struct<'a>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> { self.serialize_i64(v.into()) }
    fn serialize_i16(self, v: i16) -> Result<(), Error> { self.serialize_i64(v.into()) }
    fn serialize_i32(self, v: i32) -> Result<(), Error> { self.serialize_i64(v.into()) }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.out.push_str(&v.to_string());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> { self.serialize_u64(v.into()) }
    fn serialize_u16(self, v: u16) -> Result<(), Error> { self.serialize_u64(v.into()) }
    fn serialize_u32(self, v: u32) -> Result<(), Error> { self.serialize_u64(v.into()) }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.out.push_str(&v.to_string());
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> { Err(unsupported("a float")) }
    fn serialize_f64(self, _: f64) -> Result<(), Error> { Err(unsupported("a float")) }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.out.push_str(&format!("{v:?}"));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        // Debug output of a str is a valid Rust string literal.
        self.out.push_str(&format!("{v:?}"));
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> { Err(unsupported("bytes")) }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.push_str("None");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.out.push_str("Some(");
        value.serialize(Writer { out: &mut *self.out })?;
        self.out.push(')');
        Ok(())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("()");
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.out.push_str(name);
        Ok(())
    }
    fn serialize_unit_variant(self, name: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.out.push_str(&format!("{name}::{}", camel(variant)));
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<(), Error> {
        self.out.push_str(name);
        self.out.push('(');
        value.serialize(Writer { out: &mut *self.out })?;
        self.out.push(')');
        Ok(())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<(), Error> {
        Err(unsupported("a data-carrying enum"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Error> {
        self.out.push_str("&[");
        Ok(Seq { out: self.out, close: "]" })
    }
    fn serialize_tuple(self, _: usize) -> Result<Seq<'a>, Error> {
        self.out.push('(');
        Ok(Seq { out: self.out, close: ")" })
    }
    fn serialize_tuple_struct(self, name: &'static str, _: usize) -> Result<Seq<'a>, Error> {
        self.out.push_str(name);
        self.out.push('(');
        Ok(Seq { out: self.out, close: ")" })
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, Error> {
        Err(unsupported("a data-carrying enum"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(unsupported("a map (use a list of tables)"))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Struct<'a>, Error> {
        self.out.push_str(name);
        self.out.push_str(" { ");
        Ok(Struct { out: self.out })
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, Error> {
        Err(unsupported("a data-carrying enum"))
    }
}

pub struct Seq<'a> {
    out: &'a mut String,
    close: &'static str,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Writer { out: &mut *self.out })?;
        self.out.push_str(", ");
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push_str(self.close);
        Ok(())
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push_str(self.close);
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push_str(self.close);
        Ok(())
    }
}

pub struct Struct<'a> {
    out: &'a mut String,
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.out.push_str(key);
        self.out.push_str(": ");
        // Where a fact came from goes through `source!` (src/lib.rs): the wasm leaves it out.
        let source = key == "source";
        if source {
            self.out.push_str("source!(");
        }
        value.serialize(Writer { out: &mut *self.out })?;
        if source {
            self.out.push(')');
        }
        self.out.push_str(", ");
        Ok(())
    }
    fn end(self) -> Result<(), Error> {
        self.out.push('}');
        Ok(())
    }
}
