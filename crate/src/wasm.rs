//! The JavaScript interface of the core. Values cross as plain JSON-compatible objects
//! (never `Map`s), so they can go straight into `storage.local` and messages; each crosses
//! as one JSON text (see `json` below).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::detect::{Observation, PageFacts, ScanOutcome};
use crate::job::{Directive, Job};
use crate::json::FromJson;
use crate::managed::Managed;
use crate::state::{self, Stored};
use crate::catalogue::Region;
use crate::{catalogue, export, summary};

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = json::to_string(value).map_err(|e| JsError::new(&e.0))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("the core wrote unparsable JSON"))
}

fn from_js<T: FromJson>(value: JsValue, what: &str) -> Result<T, JsError> {
    parse(value).map_err(|e| JsError::new(&format!("malformed {what}: {e}")))
}

/// A JavaScript value as `T`, through its JSON text (`undefined` reads as `null`).
fn parse<T: FromJson>(value: JsValue) -> Result<T, String> {
    T::from_json(read(value)?).map_err(|e| e.0)
}

fn read(value: JsValue) -> Result<crate::json::Val, String> {
    let text = js_sys::JSON::stringify(&value).map_err(|_| "not serialisable as JSON".to_string())?;
    json::read(&text.as_string().unwrap_or_else(|| "null".into())).map_err(|e| e.0)
}

/// Values cross the boundary as one JSON text each: the browser's `JSON` on that side, this
/// small writer and reader on this one. Much less code than converting every field of every
/// type through the boundary (serde-wasm-bindgen) or serde_json's reader, which both grow
/// with each type. The reader gives a [`crate::json::Val`], which each type reads itself
/// from (`crate::json`); the writer is a serde `Serializer`.
mod json {
    use serde::ser::{self, Serialize};
    use std::fmt::Display;

    pub use crate::json::{Error, Val};

    impl std::error::Error for Error {}
    impl ser::Error for Error {
        fn custom<T: Display>(msg: T) -> Self {
            Error(msg.to_string())
        }
    }

    // ---- reading ------------------------------------------------------------------------

    /// The value of a JSON text.
    pub fn read(text: &str) -> Result<Val, Error> {
        let mut p = Reader { s: text.as_bytes(), i: 0 };
        let v = p.value(0)?;
        p.ws();
        if p.i != p.s.len() {
            return Err(p.fail("trailing characters"));
        }
        Ok(v)
    }

    struct Reader<'a> {
        s: &'a [u8],
        i: usize,
    }

    const MAX_DEPTH: usize = 100;

    impl Reader<'_> {
        fn fail(&self, what: &str) -> Error {
            Error(format!("{what} at character {}", self.i))
        }
        fn ws(&mut self) {
            while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            }
        }
        fn eat(&mut self, word: &[u8]) -> Result<(), Error> {
            if self.s[self.i..].starts_with(word) {
                self.i += word.len();
                Ok(())
            } else {
                Err(self.fail("unexpected characters"))
            }
        }
        fn value(&mut self, depth: usize) -> Result<Val, Error> {
            if depth > MAX_DEPTH {
                return Err(self.fail("nested too deep"));
            }
            self.ws();
            match self.s.get(self.i) {
                Some(b'n') => self.eat(b"null").map(|_| Val::Null),
                Some(b't') => self.eat(b"true").map(|_| Val::Bool(true)),
                Some(b'f') => self.eat(b"false").map(|_| Val::Bool(false)),
                Some(b'"') => self.string().map(Val::Str),
                Some(b'[') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Val::Arr(items));
                    }
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                return Ok(Val::Arr(items));
                            }
                            _ => return Err(self.fail("expected , or ]")),
                        }
                    }
                }
                Some(b'{') => {
                    self.i += 1;
                    let mut fields = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Val::Obj(fields));
                    }
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return Err(self.fail("expected a key"));
                        }
                        let key = self.string()?;
                        self.ws();
                        self.eat(b":")?;
                        fields.push((key, self.value(depth + 1)?));
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                return Ok(Val::Obj(fields));
                            }
                            _ => return Err(self.fail("expected , or }")),
                        }
                    }
                }
                Some(b'-' | b'0'..=b'9') => self.number(),
                _ => Err(self.fail("expected a value")),
            }
        }
        fn number(&mut self) -> Result<Val, Error> {
            let start = self.i;
            while self.i < self.s.len() && matches!(self.s[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                self.i += 1;
            }
            let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.fail("bad number"))?;
            let (neg, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
            // Integers (time stamps, counts) exactly here; anything else by the browser's parser.
            let n = if !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()) {
                let n = digits.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64;
                if neg { -n } else { n }
            } else {
                js_sys::parse_float(text)
            };
            if n.is_finite() { Ok(Val::Num(n)) } else { Err(self.fail("bad number")) }
        }
        fn hex4(&mut self) -> Result<u32, Error> {
            let h = self.s.get(self.i..self.i + 4).and_then(|h| std::str::from_utf8(h).ok());
            let u = h.and_then(|h| u32::from_str_radix(h, 16).ok()).ok_or_else(|| self.fail("bad \\u escape"))?;
            self.i += 4;
            Ok(u)
        }
        fn string(&mut self) -> Result<String, Error> {
            self.i += 1; // the opening quote
            let mut out = String::new();
            loop {
                let start = self.i;
                while self.i < self.s.len() && !matches!(self.s[self.i], b'"' | b'\\') {
                    self.i += 1;
                }
                out.push_str(std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.fail("bad text"))?);
                match self.s.get(self.i) {
                    Some(b'"') => {
                        self.i += 1;
                        return Ok(out);
                    }
                    Some(_) => {
                        let c = *self.s.get(self.i + 1).ok_or_else(|| self.fail("bad escape"))?;
                        self.i += 2;
                        out.push(match c {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let u = self.hex4()?;
                                // A lone surrogate (possible in page text) becomes U+FFFD, as
                                // when any JavaScript string becomes a Rust one.
                                if (0xD800..0xDC00).contains(&u) && self.s[self.i..].starts_with(b"\\u") {
                                    let back = self.i;
                                    self.i += 2;
                                    let low = self.hex4()?;
                                    if (0xDC00..0xE000).contains(&low) {
                                        char::from_u32(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{fffd}')
                                    } else {
                                        self.i = back;
                                        '\u{fffd}'
                                    }
                                } else {
                                    char::from_u32(u).unwrap_or('\u{fffd}')
                                }
                            }
                            _ => return Err(self.fail("bad escape")),
                        });
                    }
                    None => return Err(self.fail("unterminated text")),
                }
            }
        }
    }

    // ---- writing ------------------------------------------------------------------------

    pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
        let mut w = Writer(String::new());
        value.serialize(&mut w)?;
        Ok(w.0)
    }

    pub struct Writer(String);

    impl Writer {
        fn text(&mut self, s: &str) {
            self.0.push('"');
            let mut start = 0;
            for (i, b) in s.bytes().enumerate() {
                let escaped = match b {
                    b'"' => "\\\"",
                    b'\\' => "\\\\",
                    b'\n' => "\\n",
                    b'\r' => "\\r",
                    b'\t' => "\\t",
                    0..=0x1f => "",
                    _ => continue,
                };
                self.0.push_str(&s[start..i]);
                if escaped.is_empty() {
                    self.0.push_str(&format!("\\u{b:04x}"));
                } else {
                    self.0.push_str(escaped);
                }
                start = i + 1;
            }
            self.0.push_str(&s[start..]);
            self.0.push('"');
        }
        fn number(&mut self, n: f64) {
            if !n.is_finite() {
                self.0.push_str("null"); // as JSON.stringify
            } else if n.fract() == 0.0 && n.abs() < 9.0e15 {
                self.0.push_str(&(n as i64).to_string());
            } else {
                // The browser writes floats: no float formatting code in the wasm.
                self.0.push_str(&String::from(js_sys::Number::from(n).to_string_with_radix(10).unwrap_or_else(|_| "null".into())));
            }
        }
    }

    /// An array or object being written: `close` ends it.
    pub struct Compound<'a> {
        w: &'a mut Writer,
        first: bool,
        close: &'static str,
    }

    impl Compound<'_> {
        fn comma(&mut self) {
            if !self.first {
                self.w.0.push(',');
            }
            self.first = false;
        }
    }

    impl<'a> ser::Serializer for &'a mut Writer {
        type Ok = ();
        type Error = Error;
        type SerializeSeq = Compound<'a>;
        type SerializeTuple = Compound<'a>;
        type SerializeTupleStruct = Compound<'a>;
        type SerializeTupleVariant = Compound<'a>;
        type SerializeMap = Compound<'a>;
        type SerializeStruct = Compound<'a>;
        type SerializeStructVariant = Compound<'a>;

        fn serialize_bool(self, v: bool) -> Result<(), Error> {
            self.0.push_str(if v { "true" } else { "false" });
            Ok(())
        }
        fn serialize_i8(self, v: i8) -> Result<(), Error> {
            self.serialize_i64(v.into())
        }
        fn serialize_i16(self, v: i16) -> Result<(), Error> {
            self.serialize_i64(v.into())
        }
        fn serialize_i32(self, v: i32) -> Result<(), Error> {
            self.serialize_i64(v.into())
        }
        fn serialize_i64(self, v: i64) -> Result<(), Error> {
            self.0.push_str(&v.to_string());
            Ok(())
        }
        fn serialize_u8(self, v: u8) -> Result<(), Error> {
            self.serialize_u64(v.into())
        }
        fn serialize_u16(self, v: u16) -> Result<(), Error> {
            self.serialize_u64(v.into())
        }
        fn serialize_u32(self, v: u32) -> Result<(), Error> {
            self.serialize_u64(v.into())
        }
        fn serialize_u64(self, v: u64) -> Result<(), Error> {
            self.0.push_str(&v.to_string());
            Ok(())
        }
        fn serialize_f32(self, v: f32) -> Result<(), Error> {
            self.serialize_f64(v.into())
        }
        fn serialize_f64(self, v: f64) -> Result<(), Error> {
            self.number(v);
            Ok(())
        }
        fn serialize_char(self, v: char) -> Result<(), Error> {
            self.text(v.encode_utf8(&mut [0; 4]));
            Ok(())
        }
        fn serialize_str(self, v: &str) -> Result<(), Error> {
            self.text(v);
            Ok(())
        }
        fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
            ser::Serializer::collect_seq(self, v)
        }
        fn serialize_none(self) -> Result<(), Error> {
            self.serialize_unit()
        }
        fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
            v.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), Error> {
            self.0.push_str("null");
            Ok(())
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
            self.serialize_unit()
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
            self.text(variant);
            Ok(())
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
            v.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, variant: &'static str, v: &T) -> Result<(), Error> {
            self.0.push('{');
            self.text(variant);
            self.0.push(':');
            v.serialize(&mut *self)?;
            self.0.push('}');
            Ok(())
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
            self.0.push('[');
            Ok(Compound { w: self, first: true, close: "]" })
        }
        fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Compound<'a>, Error> {
            self.0.push('{');
            self.text(variant);
            self.0.push_str(":[");
            Ok(Compound { w: self, first: true, close: "]}" })
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
            self.0.push('{');
            Ok(Compound { w: self, first: true, close: "}" })
        }
        fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
            self.serialize_map(Some(len))
        }
        fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Compound<'a>, Error> {
            self.0.push('{');
            self.text(variant);
            self.0.push_str(":{");
            Ok(Compound { w: self, first: true, close: "}}" })
        }
    }

    impl Compound<'_> {
        fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
            self.comma();
            v.serialize(&mut *self.w)
        }
        fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) -> Result<(), Error> {
            self.comma();
            self.w.text(key);
            self.w.0.push(':');
            v.serialize(&mut *self.w)
        }
        fn end(self) -> Result<(), Error> {
            self.w.0.push_str(self.close);
            Ok(())
        }
    }

    impl ser::SerializeSeq for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
            self.element(v)
        }
        fn end(self) -> Result<(), Error> {
            Compound::end(self)
        }
    }
    impl ser::SerializeTuple for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
            self.element(v)
        }
        fn end(self) -> Result<(), Error> {
            Compound::end(self)
        }
    }
    impl ser::SerializeTupleStruct for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
            self.element(v)
        }
        fn end(self) -> Result<(), Error> {
            Compound::end(self)
        }
    }
    impl ser::SerializeTupleVariant for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
            self.element(v)
        }
        fn end(self) -> Result<(), Error> {
            Compound::end(self)
        }
    }
    impl ser::SerializeMap for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
            self.comma();
            let at = self.w.0.len();
            key.serialize(&mut *self.w)?;
            // Object keys are texts (ids, codes); anything else would not be JSON.
            if !self.w.0[at..].starts_with('"') {
                return Err(Error("an object key that is not a text".into()));
            }
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
            self.w.0.push(':');
            v.serialize(&mut *self.w)
        }
        fn end(self) -> Result<(), Error> {
            Compound::end(self)
        }
    }
    impl ser::SerializeStruct for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
            self.field(key, v)
        }
        fn end(self) -> Result<(), Error> {
            Compound::end(self)
        }
    }
    impl ser::SerializeStructVariant for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
            self.field(key, v)
        }
        fn end(self) -> Result<(), Error> {
            Compound::end(self)
        }
    }
}

/// What the content script should look for on the page at `url`.
#[wasm_bindgen(js_name = planFor)]
pub fn plan_for(url: &str) -> Result<JsValue, JsError> {
    to_js(&crate::plan(url))
}

/// Scans page facts; throws on malformed facts. Returns `{marks, observations}`.
#[wasm_bindgen]
pub fn scan(facts: JsValue) -> Result<JsValue, JsError> {
    let facts: PageFacts = from_js(facts, "page facts")?;
    to_js(&crate::detect::scan(&facts))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoadedJs {
    stored: Stored,
    reset_reason: Option<String>,
}

/// Turns whatever `storage.local` held into usable state: `{stored, resetReason}`.
#[wasm_bindgen(js_name = loadState)]
pub fn load_state(raw: JsValue) -> Result<JsValue, JsError> {
    let parsed = if raw.is_undefined() || raw.is_null() {
        Ok(None)
    } else {
        parse::<Stored>(raw).map(Some)
    };
    let loaded = state::load(parsed);
    to_js(&LoadedJs { stored: loaded.stored, reset_reason: loaded.reset_reason })
}

#[derive(Serialize)]
struct Applied {
    stored: Stored,
    changed: bool,
}

/// Records observations in loaded state: `{stored, changed}`. `byExtension` lists the
/// settings whose change the person made through the extension.
#[wasm_bindgen(js_name = applyObservations)]
pub fn apply_observations(stored: JsValue, observations: JsValue, now: f64, by_extension: JsValue) -> Result<JsValue, JsError> {
    let mut stored: Stored = from_js(stored, "stored state")?;
    let observations: Vec<Observation> = from_js(observations, "observations")?;
    let by_extension: Vec<String> =
        if by_extension.is_undefined() { Vec::new() } else { from_js(by_extension, "setting ids")? };
    let changed = state::apply(&mut stored, &observations, now, &by_extension);
    to_js(&Applied { stored, changed })
}

/// Clears the alert on a setting: `{stored, changed}`.
#[wasm_bindgen(js_name = dismissAlert)]
pub fn dismiss_alert(stored: JsValue, id: &str) -> Result<JsValue, JsError> {
    let mut stored: Stored = from_js(stored, "stored state")?;
    let changed = state::dismiss_alert(&mut stored, id);
    to_js(&Applied { stored, changed })
}

/// Records a completed "Check all" as the baseline for news: `{stored, changed}`.
#[wasm_bindgen(js_name = sweepCompleted)]
pub fn sweep_completed(stored: JsValue, now: f64) -> Result<JsValue, JsError> {
    let mut stored: Stored = from_js(stored, "stored state")?;
    state::sweep_completed(&mut stored, now);
    to_js(&Applied { stored, changed: true })
}

/// The JSON export (an object; the caller stringifies it).
#[wasm_bindgen(js_name = exportJson)]
pub fn export_json(stored: JsValue, now: f64) -> Result<JsValue, JsError> {
    let stored: Stored = from_js(stored, "stored state")?;
    to_js(&export::export(&stored, now))
}

/// The Markdown report, in the words `lookup(message, substitutions)` returns
/// (`browser.i18n.getMessage`).
#[wasm_bindgen(js_name = exportMarkdown)]
pub fn export_markdown(stored: JsValue, now: f64, lookup: &js_sys::Function) -> Result<String, JsError> {
    let stored: Stored = from_js(stored, "stored state")?;
    let mut say = |key: &str, args: &[String]| {
        let list: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
        lookup.call2(&JsValue::NULL, &JsValue::from_str(key), &list).ok().and_then(|v| v.as_string()).unwrap_or_default()
    };
    Ok(export::markdown(&stored, now, &mut say))
}

#[derive(Serialize)]
struct Stepped {
    job: Job,
    directive: Directive,
}

/// Advances a job on the clock (`tabUrl`: where its tab is, if known): `{job, directive}`.
#[wasm_bindgen(js_name = jobOnTick)]
pub fn job_on_tick(job: JsValue, now: f64, tab_url: Option<String>) -> Result<JsValue, JsError> {
    let mut job: Job = from_js(job, "job")?;
    let directive = job.on_tick(now, tab_url.as_deref());
    to_js(&Stepped { job, directive })
}

/// Cancels a job (`tabClosed`: because its tab was closed): `{job, directive}`.
#[wasm_bindgen(js_name = jobCancel)]
pub fn job_cancel(job: JsValue, now: f64, tab_closed: bool) -> Result<JsValue, JsError> {
    let mut job: Job = from_js(job, "job")?;
    let directive = if tab_closed { job.tab_closed(now) } else { job.cancel(now) };
    to_js(&Stepped { job, directive })
}

fn managed_from(js: JsValue) -> Result<Managed, JsError> {
    if js.is_undefined() || js.is_null() {
        Ok(Managed::default())
    } else {
        from_js(js, "managed options")
    }
}

/// Checks what `storage.managed` held: `{managed, problem}`; a malformed policy is
/// ignored with the reason, never a crash.
#[wasm_bindgen(js_name = loadManaged)]
pub fn load_managed(raw: JsValue) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Loaded {
        managed: Managed,
        problem: Option<String>,
    }
    let parsed = if raw.is_undefined() || raw.is_null() {
        Ok(Managed::default())
    } else {
        parse::<Managed>(raw).map_err(|e| format!("managed options ignored: {e}"))
    };
    let (managed, problem) = match parsed {
        Ok(m) => {
            let unknown = m.unknown_settings();
            let problem = (!unknown.is_empty()).then(|| format!("managed watchSettings names unknown settings: {}", unknown.join(", ")));
            (m, problem)
        }
        Err(e) => (Managed::default(), Some(e)),
    };
    to_js(&Loaded { managed, problem })
}

/// The popup's summary of loaded state at `now`, for a person in `region` (a region code,
/// or `undefined` when not chosen), within the administrator's `managed` options.
#[wasm_bindgen]
pub fn summary(stored: JsValue, now: f64, region: JsValue, managed: JsValue) -> Result<JsValue, JsError> {
    let stored: Stored = from_js(stored, "stored state")?;
    let region: Option<Region> = if region.is_undefined() || region.is_null() { None } else { Some(from_js(region, "region")?) };
    to_js(&summary::summary(&stored, now, region, &managed_from(managed)?))
}

/// A first guess at the person's region from the browser's time zone and languages.
#[wasm_bindgen(js_name = guessRegion)]
pub fn guess_region(time_zone: &str, languages: JsValue) -> Result<JsValue, JsError> {
    let languages: Vec<String> = from_js(languages, "languages")?;
    to_js(&crate::region::guess(time_zone, &languages))
}

/// The regions the options page offers: `[{code, name}]`, `name` an i18n message.
#[wasm_bindgen]
pub fn regions() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Choice {
        code: Region,
        name: &'static str,
    }
    to_js(&Region::ALL.iter().map(|&r| Choice { code: r, name: r.msg() }).collect::<Vec<_>>())
}

/// The toolbar badge for loaded state: `{text, color, title}`.
#[wasm_bindgen]
pub fn badge(stored: JsValue, managed: JsValue) -> Result<JsValue, JsError> {
    let stored: Stored = from_js(stored, "stored state")?;
    to_js(&summary::badge(&stored, &managed_from(managed)?))
}

/// The page of a setting, or `undefined` for an unknown id.
#[wasm_bindgen(js_name = settingUrl)]
pub fn setting_url(id: &str) -> Option<String> {
    catalogue::by_id(id).and_then(|s| s.url())
}

/// What a page script needs to know before it sends anything, written into the built
/// extension (`page/plan.js`) by the build: the hosts and paths the core scans, and the
/// plan for them. A page that matches none needs no work and no message.
#[wasm_bindgen(js_name = pageRules)]
pub fn page_rules() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct PageRules {
        hosts: Vec<String>,
        scan_prefixes: &'static [&'static str],
        exact_paths: &'static [&'static str],
        plan: crate::Plan,
    }
    let site = &catalogue::SITE;
    let hosts = crate::url::Location::parse(site.origin).map(|l| vec![l.host]).unwrap_or_default();
    to_js(&PageRules { hosts, scan_prefixes: site.scan_prefixes, exact_paths: site.login_paths, plan: crate::plan(site.origin) })
}

/// LinkedIn's "Partners and services" page, where the Microsoft account connection is listed.
#[wasm_bindgen(js_name = partnersUrl)]
pub fn partners_url() -> String {
    summary::org().partners_url.unwrap_or_default()
}

/// Whether a document that loaded at `loadedAt` is older than a request made at `askedAt`
/// (a late scan of the page being replaced): "Show me" asks, as jobs do in the core.
#[wasm_bindgen(js_name = loadedBefore)]
pub fn loaded_before(loaded_at: f64, asked_at: f64) -> bool {
    crate::job::loaded_before(loaded_at, asked_at)
}

/// "5 min ago" for a time stamp (ms since the epoch), as a text.
#[wasm_bindgen(js_name = agoText)]
pub fn ago_text(now: f64, then: f64) -> Result<JsValue, JsError> {
    to_js(&summary::ago(now, then))
}

/// The i18n message for a reason code such as `not-found`; empty for an unknown code.
#[wasm_bindgen(js_name = reasonMessage)]
pub fn reason_message(code: JsValue) -> String {
    parse::<crate::detect::Reason>(code).map(|r| r.msg().to_string()).unwrap_or_default()
}

// ---- Pages that did not load, job summaries, "Report a problem" ----
// (crate::job's load failures, crate::summary::job_summary, crate::report)

/// Scans page facts and refines the outcome (an error page, switches no rule knows):
/// `{marks, observations, unrecognised: [{setting, count}]}`. Throws on malformed facts.
#[wasm_bindgen(js_name = scanPage)]
pub fn scan_page(facts: JsValue) -> Result<JsValue, JsError> {
    let extra: crate::report::ExtraFacts = from_js(facts.clone(), "page facts")?;
    let facts: PageFacts = from_js(facts, "page facts")?;
    to_js(&crate::report::examine(&facts, &extra))
}

/// Records a `scanPage` outcome in loaded state: `{stored, changed}`.
#[wasm_bindgen(js_name = applyScan)]
pub fn apply_scan(stored: JsValue, examined: JsValue, now: f64, by_extension: JsValue) -> Result<JsValue, JsError> {
    let mut stored: Stored = from_js(stored, "stored state")?;
    let examined: crate::report::Examined = from_js(examined, "scan outcome")?;
    let by_extension: Vec<String> =
        if by_extension.is_undefined() { Vec::new() } else { from_js(by_extension, "setting ids")? };
    let read_on = examined.category.as_ref().map(|c| (c.page.as_str(), c.settled.as_slice()));
    let mut changed = state::apply_read(&mut stored, &examined.observations, now, &by_extension, read_on);
    let counts: Vec<(String, u32)> = examined.unrecognised.into_iter().map(|u| (u.setting, u.count)).collect();
    changed |= state::note_unrecognised(&mut stored, &counts);
    to_js(&Applied { stored, changed })
}

/// Starts a job: `kind` "sweep" or "opt-out", `settings` the chosen ids (or `undefined`
/// for every setting), `running` the saved job (or `undefined`). Returns `{job}`, or
/// `{refusal, text}` with the reason as a code and as a message.
#[wasm_bindgen(js_name = jobStart)]
pub fn job_start(kind: &str, settings: JsValue, running: JsValue, now: f64, managed: JsValue) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Started {
        #[serde(skip_serializing_if = "Option::is_none")]
        job: Option<Job>,
        #[serde(skip_serializing_if = "Option::is_none")]
        refusal: Option<crate::job::Refusal>,
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<crate::text::Text>,
    }
    let settings: Option<Vec<String>> = if settings.is_undefined() || settings.is_null() { None } else { Some(from_js(settings, "setting ids")?) };
    let running: Option<Job> = if running.is_undefined() || running.is_null() { None } else { from_js(running, "job").ok() };
    let started = match Job::start(kind, settings.as_deref(), running.as_ref(), now, &managed_from(managed)?) {
        Ok(job) => Started { job: Some(job), refusal: None, text: None },
        Err(r) => Started { job: None, refusal: Some(r), text: Some(crate::text::Text::new(r.msg())) },
    };
    to_js(&started)
}

/// Feeds a `scanPage` outcome of the job's tab, with the page's facts (its URL, an open
/// dialog, its HTTP status): `{job, directive}`.
#[wasm_bindgen(js_name = jobOnPage)]
pub fn job_on_page(job: JsValue, facts: JsValue, outcome: JsValue, now: f64) -> Result<JsValue, JsError> {
    let mut job: Job = from_js(job, "job")?;
    let page: crate::job::PageLoad = from_js(facts, "page facts")?;
    let outcome: ScanOutcome = from_js(outcome, "scan outcome")?;
    let directive = job.on_page(&page, &outcome, now);
    to_js(&Stepped { job, directive })
}

/// The job's tab finished loading `url`; `scriptAnswered`: whether its content script
/// answered a ping. `{job, directive}`.
#[wasm_bindgen(js_name = jobOnTabLoaded)]
pub fn job_on_tab_loaded(job: JsValue, url: &str, script_answered: bool, now: f64) -> Result<JsValue, JsError> {
    let mut job: Job = from_js(job, "job")?;
    let directive = job.on_tab_loaded(url, script_answered, now);
    to_js(&Stepped { job, directive })
}

/// What the popup says about a job: `{sentences, results, retry, retryKind}`.
#[wasm_bindgen(js_name = jobSummary)]
pub fn job_summary(job: JsValue) -> Result<JsValue, JsError> {
    let job: Job = from_js(job, "job")?;
    to_js(&summary::job_summary(&job))
}

/// Keeps a scanned page for "Report a problem": the remembered pages (an array, or
/// `undefined`) with this scan's record, reduced to what a report may hold and bounded.
#[wasm_bindgen(js_name = reportRemember)]
pub fn report_remember(pages: JsValue, facts: JsValue, examined: JsValue, now: f64) -> Result<JsValue, JsError> {
    let pages: Vec<crate::report::PageRecord> =
        if pages.is_undefined() || pages.is_null() { Vec::new() } else { from_js(pages, "remembered pages").unwrap_or_default() };
    let extra: crate::report::ExtraFacts = from_js(facts.clone(), "page facts")?;
    let facts: PageFacts = from_js(facts, "page facts")?;
    let examined: crate::report::Examined = from_js(examined, "scan outcome")?;
    let pages = match crate::report::record(&facts, &extra, &examined, now) {
        Some(r) => crate::report::remember(pages, r),
        None => pages,
    };
    to_js(&pages)
}

/// The diagnostic report about `setting` (or everything, for `undefined`): `{json,
/// markdown}`, `json` the report object, `markdown` the readable rendering in the words
/// `lookup(message, substitutions)` returns, with the JSON at its end. `env`:
/// `{extensionVersion, userAgent}`.
#[wasm_bindgen(js_name = reportBuild)]
pub fn report_build(
    pages: JsValue,
    setting: Option<String>,
    stored: JsValue,
    job: JsValue,
    env: JsValue,
    now: f64,
    lookup: &js_sys::Function,
) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Built {
        json: crate::report::Report,
        markdown: String,
    }
    let pages: Vec<crate::report::PageRecord> =
        if pages.is_undefined() || pages.is_null() { Vec::new() } else { from_js(pages, "remembered pages")? };
    let stored: Stored = from_js(stored, "stored state")?;
    let job: Option<Job> = if job.is_undefined() || job.is_null() { None } else { from_js(job, "job").ok() };
    let env: crate::report::Environment = if env.is_undefined() { Default::default() } else { from_js(env, "environment")? };
    let report = crate::report::build(&pages, setting.as_deref(), &stored, job.as_ref(), &env, now);
    let value = to_js(&report)?;
    let json = js_sys::JSON::stringify_with_replacer_and_space(&value, &JsValue::NULL, &JsValue::from(2))
        .map_err(|_| JsError::new("report not serialisable"))?
        .as_string()
        .unwrap_or_default();
    let mut say = |key: &str, args: &[String]| {
        let list: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
        lookup.call2(&JsValue::NULL, &JsValue::from_str(key), &list).ok().and_then(|v| v.as_string()).unwrap_or_default()
    };
    let markdown = crate::report::markdown(&report, &json, &mut say);
    to_js(&Built { json: report, markdown })
}

// ---- Entra ----
// The organisation side (crate::entra): Microsoft Entra's "LinkedIn account connections".

/// What `entra.js` should look for on the portal page (or frame) at `url`:
/// `{scan, settingsPage, groupSelector, radioSelector, captionSelector, captionLevels,
/// signedOutSelector, maxTextChars, maxGroups, maxRadios, maxFrames, settleMs, debounceMs}`.
#[wasm_bindgen(js_name = entraPlanFor)]
pub fn entra_plan_for(url: &str) -> Result<JsValue, JsError> {
    to_js(&crate::entra::plan(url))
}

/// Scans Entra page facts; throws on malformed facts. Returns `{marks: [{index, state,
/// look, label}], observation: null | {state, reason?, recommended}}`.
#[wasm_bindgen(js_name = entraScan)]
pub fn entra_scan(facts: JsValue) -> Result<JsValue, JsError> {
    let facts: crate::entra::EntraFacts = from_js(facts, "Entra page facts")?;
    to_js(&crate::entra::scan(&facts))
}

/// What to say about a stored observation (`{state, reason?}`): a text `{key, args}`,
/// the same as the label beside the setting. Throws on a malformed observation.
#[wasm_bindgen(js_name = entraDescribe)]
pub fn entra_describe(observation: JsValue) -> Result<JsValue, JsError> {
    let o: crate::entra::EntraObservation = from_js(observation, "Entra observation")?;
    to_js(&crate::entra::describe(o.observed))
}

/// The User settings page of the Microsoft Entra admin center ("Show me").
#[wasm_bindgen(js_name = entraSettingsUrl)]
pub fn entra_settings_url() -> String {
    crate::entra::settings_url().to_string()
}

#[cfg(test)]
mod json_tests {
    //! The JSON crossing (run in a browser by wasm-bindgen-test): what JavaScript writes,
    //! the core reads, and the reverse, for the values page text can hold.
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn js(text: &str) -> JsValue {
        js_sys::JSON::parse(text).expect("valid JSON in test")
    }

    #[wasm_bindgen_test]
    fn texts_survive_both_ways() {
        let tricky = "quote \" backslash \\ slash / newline \n tab \t nul \u{0} bell \u{7} é ü ß 中文 😀 \u{200b}\u{202e}";
        let there = to_js(&tricky).expect("written");
        assert_eq!(there.as_string().as_deref(), Some(tricky));
        let back: String = from_js(there, "text").expect("read");
        assert_eq!(back, tricky);
    }

    #[wasm_bindgen_test]
    fn lone_surrogates_become_replacement_characters() {
        // As JavaScript strings holding them become Rust strings anywhere else.
        let v: Vec<String> = from_js(js(r#"["a\ud800b", "\udc00", "x\ud83d", "\ud83d\ude00"]"#), "texts").expect("read");
        assert_eq!(v, ["a\u{fffd}b", "\u{fffd}", "x\u{fffd}", "😀"]);
    }

    #[wasm_bindgen_test]
    fn numbers_keep_their_value() {
        let v: Vec<f64> = from_js(js("[0, -3, 1733000000000, 1234.5678, 1e-7, 2.5e21]"), "numbers").expect("read");
        assert_eq!(v, [0.0, -3.0, 1_733_000_000_000.0, 1234.5678, 1e-7, 2.5e21]);
        let back = to_js(&v).expect("written");
        assert_eq!(js_sys::JSON::stringify(&back).ok().and_then(|t| t.as_string()).as_deref(), Some("[0,-3,1733000000000,1234.5678,1e-7,2.5e+21]"));
        assert!(from_js::<u32>(js("1.5"), "count").is_err());
        assert!(from_js::<u32>(js("-1"), "count").is_err());
        assert_eq!(to_js(&f64::NAN).ok(), Some(JsValue::NULL)); // as JSON.stringify
    }

    #[wasm_bindgen_test]
    fn malformed_values_are_refused_with_a_reason() {
        let err = parse::<Vec<String>>(js(r#"{"a": 1}"#)).expect_err("an object is no list");
        assert!(err.contains("invalid type"), "{err}");
        assert!(parse::<Option<String>>(JsValue::UNDEFINED).expect("undefined reads as null").is_none());
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert!(parse::<crate::json::Val>(js(&deep)).is_err(), "nesting is bounded");
    }
}
