//! The core's JavaScript interface, run as wasm in real browsers (wasm-bindgen-test with
//! headless Chromium and Firefox): values must cross as plain objects that storage and
//! messages accept, and malformed input must be refused or reset, never crash.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, JSON};
use opt_out_lens_core::wasm::{apply_observations, badge, load_state, plan_for, scan, setting_url, summary};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("valid JSON in test")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("property")
}

fn json(v: &JsValue) -> String {
    JSON::stringify(v).expect("stringify").as_string().expect("string")
}

const AI: &str = "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement";

#[wasm_bindgen_test]
fn plan_is_a_plain_object_with_selectors() {
    let plan = plan_for(AI).expect("plan");
    assert_eq!(get(&plan, "scan"), JsValue::TRUE);
    assert!(get(&plan, "candidateSelector").as_string().expect("selector").contains("role=switch"));
    assert_eq!(get(&plan_for("https://www.linkedin.com/feed/").expect("plan"), "scan"), JsValue::FALSE);
}

#[wasm_bindgen_test]
fn scan_turns_js_facts_into_marks() {
    let facts = js(&format!(
        r#"{{"url":"{AI}","elapsedMs":9000,"loginForm":false,"candidates":[
            {{"tag":"input","inputType":"checkbox","role":"switch","checked":true,"ariaChecked":null,
              "labelledby":["allowDataForGenerativeAI"],"labelledbyText":"Use my data for training content creation AI models",
              "ariaLabel":"","labelText":"","contextText":""}}]}}"#
    ));
    let out = scan(facts).expect("scan");
    let marks: Array = get(&out, "marks").dyn_into().expect("array");
    assert_eq!(marks.length(), 1);
    let mark = marks.get(0);
    assert_eq!(get(&mark, "setting").as_string().as_deref(), Some("ai-training"));
    assert_eq!(get(&mark, "state").as_string().as_deref(), Some("on"));
    assert_eq!(get(&mark, "index").as_f64(), Some(0.0));
    assert_eq!(json(&get(&out, "observations")), r#"[{"setting":"ai-training","state":"on"}]"#);
}

#[wasm_bindgen_test]
fn malformed_facts_are_refused_with_a_reason() {
    for bad in [r#"{"url": 5}"#, r#"{"url":"x","candidates":"many"}"#, r#"{"url":"x","candidates":[{"tag":5}]}"#, "null", "[]"] {
        let err = scan(js(bad)).expect_err(bad);
        let message = get(&err.into(), "message").as_string().unwrap_or_default();
        assert!(message.contains("malformed page facts"), "{bad}: {message}");
    }
}

#[wasm_bindgen_test]
fn stored_state_round_trips_through_plain_objects() {
    let loaded = load_state(JsValue::UNDEFINED).expect("load");
    assert!(get(&loaded, "resetReason").is_null());
    let stored = get(&loaded, "stored");
    let obs = js(r#"[{"setting":"ai-training","state":"off"},{"setting":"research","state":"unknown","reason":"not-found"}]"#);
    let applied = apply_observations(stored, obs, 1000.0, JsValue::UNDEFINED).expect("apply");
    assert_eq!(get(&applied, "changed"), JsValue::TRUE);
    let next = get(&applied, "stored");
    // JSON.stringify sees everything: no Map or other exotic values that storage would drop.
    let text = json(&next);
    assert!(text.contains(r#""ai-training":{"state":"off","checkedAt":1000"#), "{text}");
    assert!(text.contains(r#""research":{"state":"unknown","reason":"not-found""#), "{text}");
    let reloaded = load_state(js(&text)).expect("reload");
    assert_eq!(json(&get(&reloaded, "stored")), text);
    assert!(get(&reloaded, "resetReason").is_null());

    let sum = summary(next.clone(), 61_000.0, JsValue::UNDEFINED, JsValue::UNDEFINED).expect("summary");
    assert_eq!(get(&sum, "exposed").as_f64(), Some(0.0));
    let b = badge(next, JsValue::UNDEFINED).expect("badge");
    assert_eq!(get(&b, "text").as_string().as_deref(), Some("0"));
}

#[wasm_bindgen_test]
fn corrupt_storage_is_reset_with_a_reason() {
    for bad in [r#""garbage""#, r#"{"schema":"one"}"#, r#"{"schema":1,"settings":[1]}"#, r#"{"schema":42,"settings":{}}"#] {
        let loaded = load_state(js(bad)).expect("load never throws");
        assert!(get(&loaded, "resetReason").as_string().is_some(), "{bad}");
        assert_eq!(json(&get(&loaded, "stored")), r#"{"schema":1,"settings":{},"baselineAt":null}"#);
    }
}

#[wasm_bindgen_test]
fn setting_urls() {
    assert_eq!(setting_url("ai-training").as_deref(), Some(AI));
    assert_eq!(setting_url("nope"), None);
}
