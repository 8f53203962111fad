//! Every export that reads a value, fed values it cannot read, run as wasm in real
//! browsers: it throws a `CoreError` saying what was malformed, or (for what storage and
//! policies hold) resets with a reason. Nothing panics: a panic would abort the wasm.
#![cfg(target_arch = "wasm32")]

use js_sys::{Reflect, JSON};
use opt_out_lens_core::wasm::{
    alerts_added, apply_observations, apply_scan, effective_options, options_set, badge, dismiss_alert, entra_describe, entra_record, entra_scan, export_json, export_markdown,
    job_ended, job_on, job_start, job_summary, job_view, load_managed, load_state,
    plan_for, report_build, report_remember, scan_page, setting_url, summary,
    CoreError,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("valid JSON in test")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("property")
}

/// Values of every wrong shape a caller could hand over, and an object whose fields have
/// the wrong types for every record the exports read (fields a record does not have are
/// ignored, and absent optional ones default, so each record is given its own).
fn malformed() -> Vec<(&'static str, JsValue)> {
    vec![
        ("a number", JsValue::from(5)),
        ("a text", JsValue::from_str("{}")),
        ("an array", js("[1, 2]")),
        ("a boolean", JsValue::TRUE),
        ("a function", js_sys::Function::new_no_args("return 1").into()),
        (
            "an object with fields of the wrong types",
            js(r#"{"url": 7, "candidates": {}, "marks": "x", "observations": 3, "schema": "one", "settings": 5,
                  "state": 1, "steps": "x", "allowOptOut": "yes", "userAgent": 5, "kind": 9, "record": "x", "navigate": 5}"#),
        ),
    ]
}

/// Asserts that `answer` is a `CoreError` that names `what`.
#[track_caller]
fn refused(answer: Result<impl std::fmt::Debug, CoreError>, what: &str, given: &str) {
    let err = answer.expect_err(&format!("{what} given {given} must be refused"));
    let message = err.to_string();
    assert!(message.contains(what), "{message:?} should name {what}");
    let thrown = JsValue::from(err).dyn_into::<js_sys::Error>().expect("a JavaScript Error");
    assert_eq!(thrown.name(), "CoreError");
}

fn stored() -> JsValue {
    get(&load_state(JsValue::UNDEFINED).expect("load"), "stored")
}

fn job() -> String {
    get(&job_start("sweep", JsValue::UNDEFINED, None, 0.0, JsValue::UNDEFINED).expect("start"), "job").as_string().expect("text")
}

/// Texts that are not a job the core wrote.
const NOT_JOBS: [&str; 6] = ["", "5", "{}", "[1, 2]", "true", r#"{"kind": 9, "steps": "x"}"#];

/// `{type: 'scan', outcome}` with the given outcome.
fn scan_event(outcome: &JsValue) -> JsValue {
    let event = js(r#"{"type":"scan"}"#);
    js_sys::Reflect::set(&event, &"outcome".into(), outcome).expect("set");
    event
}

fn lookup() -> js_sys::Function {
    js_sys::Function::new_with_args("key, args", "return key;")
}

#[wasm_bindgen_test]
fn page_facts_and_outcomes_of_the_wrong_shape_are_refused() {
    for (given, bad) in malformed() {
        refused(scan_page(bad.clone()), "page facts", given);
        refused(entra_scan(bad.clone()), "Entra page facts", given);
        refused(entra_describe(bad.clone()), "Entra observation", given);
        refused(entra_record(JsValue::UNDEFINED, bad.clone(), 0.0, "u"), "Entra observation", given);
        refused(apply_scan(stored(), bad.clone(), JsValue::UNDEFINED, 0.0), "scan outcome", given);
        refused(apply_scan(stored(), js("{}"), bad.clone(), 0.0), "job directive", given);
        refused(apply_observations(stored(), bad.clone(), 0.0, JsValue::UNDEFINED), "observations", given);
        let outcome = js(r#"{"marks":[],"observations":[]}"#);
        js_sys::Reflect::set(&outcome, &"page".into(), &bad).expect("set");
        refused(job_on(&job(), Some(1.0), scan_event(&outcome), 0.0), "job event", given);
        refused(job_on(&job(), Some(1.0), scan_event(&bad), 0.0), "job event", given);
        refused(job_on(&job(), None, bad.clone(), 0.0), "job event", given);
        refused(report_remember(JsValue::UNDEFINED, bad.clone(), js("{}"), 0.0), "page facts", given);
    }
}

#[wasm_bindgen_test]
fn stored_state_of_the_wrong_shape_is_refused_where_it_is_used_and_reset_where_it_is_loaded() {
    for (given, bad) in malformed() {
        refused(apply_observations(bad.clone(), js("[]"), 0.0, JsValue::UNDEFINED), "stored state", given);
        refused(dismiss_alert(bad.clone(), "ai-training"), "stored state", given);
        refused(export_json(bad.clone(), 0.0), "stored state", given);
        refused(export_markdown(bad.clone(), 0.0, &lookup()), "stored state", given);
        refused(summary(bad.clone(), 0.0, None, JsValue::UNDEFINED), "stored state", given);
        refused(badge(bad.clone(), JsValue::UNDEFINED), "stored state", given);
        refused(apply_scan(bad.clone(), js("{}"), JsValue::UNDEFINED, 0.0), "stored state", given);
        refused(report_build(JsValue::UNDEFINED, None, bad.clone(), None, JsValue::UNDEFINED, 0.0, &lookup()), "stored state", given);
        // Loading never throws: what storage held is replaced, with the reason for the log.
        let loaded = load_state(bad.clone()).expect("loading never throws");
        assert!(get(&loaded, "resetReason").as_string().is_some_and(|r| !r.is_empty()), "{given}");
        assert_eq!(get(&get(&loaded, "stored"), "schema").as_f64(), Some(1.0));
        // Nor does a policy: it is ignored with the reason.
        let policy = load_managed(bad.clone()).expect("a policy never throws");
        assert!(get(&policy, "problem").as_string().is_some(), "{given}");
    }
}

#[wasm_bindgen_test]
fn jobs_ids_and_environments_of_the_wrong_shape_are_refused() {
    for (given, bad) in malformed() {
        refused(job_start("sweep", bad.clone(), None, 0.0, JsValue::UNDEFINED), "setting ids", given);
        refused(job_start("sweep", JsValue::UNDEFINED, None, 0.0, bad.clone()), "managed options", given);
        refused(summary(stored(), 0.0, None, bad.clone()), "managed options", given);
        refused(badge(stored(), bad.clone()), "managed options", given);
        refused(apply_observations(stored(), js("[]"), 0.0, bad.clone()), "setting ids", given);
        refused(alerts_added(JsValue::UNDEFINED, bad.clone()), "stored state", given);
        refused(options_set(JsValue::UNDEFINED, bad.clone()), "options change", given);
        refused(effective_options(JsValue::UNDEFINED, bad.clone(), "", vec![]), "managed options", given);
        refused(report_build(bad.clone(), None, stored(), None, JsValue::UNDEFINED, 0.0, &lookup()), "remembered pages", given);
        refused(report_build(JsValue::UNDEFINED, None, stored(), None, bad.clone(), 0.0, &lookup()), "environment", given);
    }
}

#[wasm_bindgen_test]
fn names_this_version_does_not_know_read_as_unknown_and_odd_texts_as_nothing() {
    // A region, reason or state written by another version never makes the popup throw.
    let sum = summary(stored(), 0.0, Some("mars".into()), js(r#"{"region":"atlantis"}"#)).expect("summary");
    assert!(get(&sum, "rows").is_object());
    let odd = js(r#"{"schema":1,"baselineAt":null,"settings":{"ai-training":{"state":"sideways","reason":"gremlins",
        "checkedAt":1,"lastKnown":"dim","lastKnownAt":null,"changedAt":null,"history":[{"at":1,"from":"dim","to":"on","by":"ghost"}],"alert":"shouting"}}}"#);
    let loaded = load_state(odd).expect("load");
    assert!(get(&loaded, "resetReason").is_null(), "kept, with the foreign names read as unknown");
    let entry = get(&get(&get(&loaded, "stored"), "settings"), "ai-training");
    assert_eq!(get(&entry, "state").as_string().as_deref(), Some("unknown"));
    assert!(get(&entry, "lastKnown").is_null() && get(&entry, "alert").is_null());
    summary(get(&loaded, "stored"), 0.0, None, JsValue::UNDEFINED).expect("the popup can show it");
    // Texts the exports take as they are: never a panic, at most nothing.
    for text in ["", "not a url", "https://", "https://www.linkedin.com/%", "\u{0}\u{fffd}", &"x".repeat(100_000)] {
        plan_for(text).expect("a plan for any text");
        assert!(setting_url(text).is_none());
        let loaded = js(r#"{"type":"loaded","scriptAnswered":false}"#);
        js_sys::Reflect::set(&loaded, &"url".into(), &text.into()).expect("set");
        job_on(&job(), Some(1.0), loaded, 0.0).expect("any address");
    }
    // Options: a change this version cannot make is refused; stored ones it cannot read count as none.
    for change in [r#"{"region":"mars"}"#, r#"{"remindDays":14}"#, r#"{"colour":"red"}"#, r#"{"notify":"yes"}"#] {
        refused(options_set(JsValue::UNDEFINED, js(change)), "options change", change);
    }
    let set = options_set(js(r#"{"region":"atlantis","notify":true}"#), js(r#"{"remindDays":7}"#)).expect("set");
    assert!(get(&set, "region").is_undefined() && get(&set, "notify") == JsValue::TRUE && get(&set, "remindDays").as_f64() == Some(7.0));
    let applies = effective_options(js("[1]"), JsValue::UNDEFINED, "Europe/Berlin", vec![]).expect("unreadable options count as none");
    assert_eq!(get(&applies, "showMarks"), JsValue::TRUE);
    assert_eq!(get(&applies, "region").as_string().as_deref(), Some("eu"), "guessed");
    assert!(job_start("dance", JsValue::UNDEFINED, None, 0.0, JsValue::UNDEFINED).expect("refusal, not a throw").is_object());
}

#[wasm_bindgen_test]
fn a_text_that_is_not_a_job_is_refused_and_never_holds_a_tab() {
    for bad in NOT_JOBS {
        refused(job_on(bad, None, js(r#"{"type":"cancel"}"#), 0.0), "job", bad);
        refused(job_view(bad), "job", bad);
        refused(job_summary(bad), "job", bad);
        refused(job_ended(stored(), bad, 0.0), "job", bad);
        assert!(!opt_out_lens_core::wasm::job_holds_tab(Some(bad.into()), 1.0), "{bad}");
        // A kept job this version cannot read is no job to wait for.
        assert!(get(&job_start("sweep", JsValue::UNDEFINED, Some(bad.into()), 0.0, JsValue::UNDEFINED).expect("start"), "job").is_string());
    }
}
