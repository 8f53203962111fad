//! The History view's and the objection form's exports, run as wasm in real browsers:
//! stored state they cannot read is refused with a `CoreError`; what they return is plain
//! JSON-compatible data (numbers for times and positions, `null` for nothing).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, JSON};
use opt_out_lens_core::wasm::{history_view, load_state, objection_tell, summary, CoreError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("valid JSON in test")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("property")
}

fn stored() -> JsValue {
    get(&load_state(JsValue::UNDEFINED).expect("load"), "stored")
}

#[track_caller]
fn refused(answer: Result<JsValue, CoreError>, given: &str) {
    let err = answer.expect_err(&format!("stored state given {given} must be refused"));
    assert!(err.to_string().contains("stored state"), "{err}");
    let thrown = JsValue::from(err).dyn_into::<js_sys::Error>().expect("a JavaScript Error");
    assert_eq!(thrown.name(), "CoreError");
}

#[wasm_bindgen_test]
fn stored_state_of_the_wrong_shape_is_refused() {
    for (given, bad) in [("a number", JsValue::from(5)), ("an array", js("[1]")), ("wrong fields", js(r#"{"schema": "one", "settings": 5}"#))] {
        refused(history_view(bad.clone(), 0.0, JsValue::UNDEFINED), given);
        refused(objection_tell(bad.clone(), true, 0.0), given);
    }
}

#[wasm_bindgen_test]
fn told_stored_and_drawn() {
    let told = objection_tell(stored(), true, 1_797_069_600_000.0).expect("tell");
    assert_eq!(get(&told, "changed").as_bool(), Some(true));
    let state = get(&told, "stored");
    assert_eq!(get(&get(&state, "objection"), "sentAt").as_f64(), Some(1_797_069_600_000.0));
    // Region not known (`undefined`): the row says so and still offers the form.
    let sum = summary(state.clone(), 1_797_069_660_000.0, None, JsValue::UNDEFINED).expect("summary");
    let row = get(&sum, "objection");
    assert_eq!(get(&row, "applies").as_string().as_deref(), Some("unknown"));
    assert_eq!(get(&row, "sent").as_bool(), Some(true));
    assert_eq!(get(&get(&row, "regionText"), "key").as_string().as_deref(), Some("objectionRegionUnknown"));
    let view = history_view(state, 1_797_069_660_000.0, JsValue::UNDEFINED).expect("view");
    let lines: Array = get(&view, "timelines").dyn_into().expect("an array");
    assert_eq!(lines.length(), 1);
    let marks: Array = get(&lines.get(0), "marks").dyn_into().expect("an array");
    assert_eq!(get(&marks.get(0), "kind").as_string().as_deref(), Some("objection-sent"));
    assert!(get(&marks.get(0), "state").is_null(), "what the person told is not a state");
    assert!(get(&marks.get(0), "x").as_f64().is_some_and(|x| x > 0.99 && x <= 1.0));
}
