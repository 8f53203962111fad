//! The JavaScript interface of the core. Values cross as plain JSON-compatible objects
//! (never `Map`s), so they can go straight into `storage.local` and messages.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::detect::{Observation, PageFacts};
use crate::state::{self, Stored};
use crate::{catalogue, summary};

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("malformed {what}: {e}")))
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
        serde_wasm_bindgen::from_value::<Stored>(raw).map(Some).map_err(|e| e.to_string())
    };
    let loaded = state::load(parsed);
    to_js(&LoadedJs { stored: loaded.stored, reset_reason: loaded.reset_reason })
}

#[derive(Serialize)]
struct Applied {
    stored: Stored,
    changed: bool,
}

/// Records observations in loaded state: `{stored, changed}`.
#[wasm_bindgen(js_name = applyObservations)]
pub fn apply_observations(stored: JsValue, observations: JsValue, now: f64) -> Result<JsValue, JsError> {
    let mut stored: Stored = from_js(stored, "stored state")?;
    let observations: Vec<Observation> = from_js(observations, "observations")?;
    let changed = state::apply(&mut stored, &observations, now);
    to_js(&Applied { stored, changed })
}

/// The popup's summary of loaded state at `now`.
#[wasm_bindgen]
pub fn summary(stored: JsValue, now: f64) -> Result<JsValue, JsError> {
    let stored: Stored = from_js(stored, "stored state")?;
    to_js(&summary::summary(&stored, now))
}

/// The toolbar badge for loaded state: `{text, color, title}`.
#[wasm_bindgen]
pub fn badge(stored: JsValue) -> Result<JsValue, JsError> {
    let stored: Stored = from_js(stored, "stored state")?;
    to_js(&summary::badge(&stored))
}

/// The page of a setting, or `undefined` for an unknown id.
#[wasm_bindgen(js_name = settingUrl)]
pub fn setting_url(id: &str) -> Option<String> {
    catalogue::by_id(id).and_then(|s| s.url())
}
