//! The JavaScript interface for pages that do not load, job summaries and "Report a
//! problem", run as wasm in real browsers: values cross as plain objects, and the
//! decisions the native tests check arrive intact.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use opt_out_lens_core::wasm::{apply_scan, job_on, job_start, job_summary, load_state, report_build, report_remember, scan_page};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const AI: &str = "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement";

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("valid JSON in test")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("property")
}

fn json(v: &JsValue) -> String {
    JSON::stringify(v).expect("stringify").as_string().expect("string")
}

/// The AI page showing two switches no rule knows, one label with an e-mail address.
fn renamed_facts(status: u16) -> JsValue {
    js(&format!(
        r#"{{"url":"{AI}?x=1#y","elapsedMs":6000,"httpStatus":{status},"lang":"en","heading":"Data for Generative AI Improvement",
        "candidateIds":["a",""],"candidates":[
        {{"tag":"input","inputType":"checkbox","role":"switch","checked":true,"labelledby":["newA"],"labelledbyText":"New thing"}},
        {{"tag":"input","inputType":"checkbox","role":"switch","checked":false,"labelledby":["newB"],"labelledbyText":"Mail jane@example.com"}}]}}"#
    ))
}

#[wasm_bindgen_test]
fn a_changed_page_crosses_with_its_count_and_an_error_page_as_such() {
    let examined = scan_page(renamed_facts(200)).expect("scan");
    assert_eq!(json(&get(&examined, "unrecognised")), r#"[{"setting":"ai-training","count":2}]"#);
    let stored = get(&load_state(JsValue::UNDEFINED).expect("state"), "stored");
    let applied = apply_scan(stored, examined, JsValue::UNDEFINED, 1.0).expect("apply");
    assert_eq!(get(&applied, "changed"), JsValue::TRUE);
    let entry = json(&get(&get(&get(&applied, "stored"), "settings"), "ai-training"));
    assert!(entry.contains(r#""reason":"unrecognised""#) && entry.contains(r#""unrecognised":2"#), "{entry}");
    let error = scan_page(renamed_facts(500)).expect("scan");
    assert!(json(&get(&error, "observations")).contains(r#""reason":"page-error""#));
}

/// The job's text in a `{job, …}` answer.
fn text(v: &JsValue) -> String {
    get(v, "job").as_string().expect("the job crosses as text")
}

#[wasm_bindgen_test]
fn refusals_cross_as_codes_with_their_message() {
    let busy = job_start("sweep", JsValue::UNDEFINED, None, 0.0, JsValue::UNDEFINED).expect("start");
    let running = text(&busy);
    assert!(running.contains(r#""status":"running""#));
    let refused = job_start("sweep", JsValue::UNDEFINED, Some(running), 1.0, JsValue::UNDEFINED).expect("start");
    assert_eq!(json(&refused), r#"{"refusal":"busy","text":{"key":"refusalBusy"}}"#);
    let forbidden = job_start("opt-out", js(r#"["ai-training"]"#), None, 1.0, js(r#"{"allowOptOut":false}"#)).expect("start");
    assert_eq!(get(&forbidden, "refusal").as_string().as_deref(), Some("not-allowed"));
}

#[wasm_bindgen_test]
fn a_page_that_does_not_load_is_tried_once_more_then_recorded_and_summarised() {
    let started = job_start("sweep", js(r#"["ai-training"]"#), None, 0.0, JsValue::UNDEFINED).expect("start");
    let go = json(&get(&get(&started, "directive"), "go"));
    assert!(go.contains(r#""role":"main","tab":null"#), "the main lane's tab is to be opened: {go}");
    let opened = job_on(&text(&started), Some(3.0), js(r#"{"type":"opened","role":"main"}"#), 1.0).expect("opened");
    let mut job = text(&opened);
    let tick = |job: &str, now: f64| job_on(job, None, js(&format!(r#"{{"type":"tick","tabs":[{{"tab":3,"url":"{AI}"}}]}}"#)), now).expect("tick");
    // The tab loads, no page script answers (the browser's error page); the grace passes.
    let step = job_on(&job, Some(3.0), js(&format!(r#"{{"type":"loaded","url":"{AI}","scriptAnswered":false}}"#)), 10.0).expect("loaded");
    job = text(&step);
    let step = tick(&job, 10_000.0);
    job = text(&step);
    assert_eq!(json(&get(&get(&step, "directive"), "record")), "[]", "first failure: waits");
    let step = tick(&job, 20_000.0);
    assert!(json(&get(&get(&step, "directive"), "go")).contains(AI), "tried once more");
    job = text(&step);
    // The second load answers 500.
    let outcome = scan_page(renamed_facts(500)).expect("scan");
    let event = js(r#"{"type":"scan"}"#);
    Reflect::set(&event, &"outcome".into(), &outcome).expect("set");
    let step = job_on(&job, Some(3.0), event, 21_000.0).expect("page");
    let d = get(&step, "directive");
    assert_eq!(get(&d, "discardObservations"), JsValue::TRUE);
    assert_eq!(json(&get(&d, "record")), r#"[{"setting":"ai-training","state":"unknown","reason":"page-error"}]"#);
    let sum = job_summary(&text(&step)).expect("summary");
    assert_eq!(json(&get(&sum, "retry")), r#"["ai-training"]"#);
    assert_eq!(get(&sum, "running"), JsValue::FALSE);
    let sentences = json(&get(&sum, "sentences"));
    assert!(sentences.contains(r#""key":"jobUnreadOne""#) && sentences.contains(r#""key":"whyPageError""#), "{sentences}");
}

#[wasm_bindgen_test]
fn the_report_is_built_from_remembered_pages_in_the_callers_words() {
    let facts = renamed_facts(200);
    let examined = scan_page(facts.clone()).expect("scan");
    let remembered = report_remember(JsValue::UNDEFINED, facts.clone(), examined.clone(), 5.0).expect("remember");
    assert_eq!(get(&remembered, "changed"), JsValue::TRUE);
    let pages = get(&remembered, "pages");
    let again = report_remember(pages.clone(), facts, examined, 5.0).expect("remember");
    assert_eq!(get(&again, "changed"), JsValue::FALSE, "the same scan at the same time changes nothing");
    assert_eq!(get(&get(&pages, "0"), "path").as_string().as_deref(), Some("/mypreferences/d/settings/data-for-ai-improvement"));
    let stored = get(&load_state(JsValue::UNDEFINED).expect("state"), "stored");
    let lookup = Function::new_with_args("key, args", "return key === 'reportProblemTitle' ? 'TITLE' : key;");
    let env = js(r#"{"extensionVersion":"9.9.9","userAgent":"Mozilla/5.0 Firefox/153.0"}"#);
    let built = report_build(pages, Some("ai-training".into()), stored, None, env, 0.0, &lookup).expect("report");
    let md = get(&built, "markdown").as_string().expect("markdown");
    assert!(md.starts_with("# TITLE\n"), "{md}");
    let report = json(&get(&built, "json"));
    assert!(report.contains(r#""browser":"Firefox 153""#) && report.contains(r#""extensionVersion":"9.9.9""#), "{report}");
    for leak in ["jane@example.com", "example.com", "?x=1", "#y"] {
        assert!(!report.contains(leak) && !md.contains(leak), "{leak} in the report");
    }
}
