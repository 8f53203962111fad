//! The core's JavaScript interface, run as wasm in real browsers (wasm-bindgen-test with
//! headless Chromium and Firefox): values must cross as plain objects that storage and
//! messages accept, and malformed input must be refused or reset, never crash.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, JSON};
use opt_out_lens_core::wasm::{
    ago_text, apply_observations, badge, dismiss_alert, entra_describe, entra_plan_for, entra_record, entra_scan, entra_settings_url,
    export_json, export_markdown, guess_region, job_holds_tab, job_on, job_start, job_summary, job_view, load_managed,
    load_state, page_rules, partners_url, plan_for, regions, scan_page, setting_url, summary,
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
    let out = scan_page(facts).expect("scan");
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
        let err = scan_page(js(bad)).expect_err(bad);
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

    let sum = summary(next.clone(), 61_000.0, None, JsValue::UNDEFINED).expect("summary");
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

fn ai_facts(checked: bool) -> JsValue {
    js(&format!(
        r#"{{"url":"{AI}","elapsedMs":9000,"candidates":[{{"tag":"input","inputType":"checkbox","role":"switch",
            "checked":{checked},"labelledby":["allowDataForGenerativeAI"]}}]}}"#
    ))
}

/// A new job of `kind` through `jobStart`, as the shell starts one: `{job, directive}` or
/// `{refusal, text}`.
fn start(kind: &str, settings: JsValue, managed: JsValue) -> JsValue {
    job_start(kind, settings, None, 0.0, managed).expect("start")
}

/// The job's text in a `{job, …}` answer.
fn text(v: &JsValue) -> String {
    get(v, "job").as_string().expect("the job crosses as text")
}

/// A started job with its tabs opened as the background opens them: the main lane's 3,
/// the helper's 7.
fn opened(started: &JsValue) -> String {
    let mut job = text(started);
    let go: Array = get(&get(started, "directive"), "go").dyn_into().expect("go");
    for g in go.iter() {
        let role = get(&g, "role").as_string().expect("role");
        let tab = if role == "main" { 3.0 } else { 7.0 };
        job = text(&job_on(&job, Some(tab), js(&format!(r#"{{"type":"opened","role":"{role}"}}"#)), 1.0).expect("opened"));
    }
    job
}

#[wasm_bindgen_test]
fn a_check_s_helper_tab_is_told_apart_from_its_own_tab() {
    let started = start("sweep", JsValue::UNDEFINED, JsValue::UNDEFINED);
    let roles = json(&get(&started, "directive"));
    assert!(roles.contains(r#""role":"main""#) && roles.contains(r#""role":"helper""#), "two tabs to open: {roles}");
    let job = opened(&started);
    assert!(job_holds_tab(Some(job.clone()), 3.0) && job_holds_tab(Some(job.clone()), 7.0));
    assert!(!job_holds_tab(Some(job.clone()), 11.0) && !job_holds_tab(None, 3.0), "a tab no job holds is free");
    assert_eq!(json(&get(&job_view(&job).expect("view"), "tabs")), "[3,7]");
    // The helper's tab closed: the job goes on in its own tab.
    let closed = job_on(&job, Some(7.0), js(r#"{"type":"closed"}"#), 5.0).expect("closed");
    let view = job_view(&text(&closed)).expect("view");
    assert_eq!((get(&view, "running"), json(&get(&view, "tabs"))), (JsValue::TRUE, "[3]".to_string()));
    // A tab that is neither changes nothing; the job's own tab cancels the job, and the
    // helper's tab goes with it.
    assert_eq!(get(&job_on(&job, Some(11.0), js(r#"{"type":"closed"}"#), 5.0).expect("closed"), "changed"), JsValue::FALSE);
    let cancelled = job_on(&job, Some(3.0), js(r#"{"type":"closed"}"#), 5.0).expect("closed");
    assert_eq!(get(&job_summary(&text(&cancelled)).expect("summary"), "status").as_string().as_deref(), Some("cancelled"));
    assert_eq!(json(&get(&get(&cancelled, "directive"), "close")), "[7]", "the helper's tab goes with it");
}

#[wasm_bindgen_test]
fn page_rules_cover_the_settings_pages_and_carry_the_plan() {
    let rules = page_rules().expect("rules");
    let hosts: Array = get(&rules, "hosts").dyn_into().expect("hosts");
    assert_eq!(hosts.get(0).as_string().as_deref(), Some("www.linkedin.com"));
    let prefixes = json(&get(&rules, "scanPrefixes"));
    assert!(prefixes.contains("/mypreferences/"), "{prefixes}");
    let plan = get(&rules, "plan");
    assert!(get(&plan, "candidateSelector").as_string().expect("selector").contains("role=switch"));
    assert!(get(&plan, "settleMs").as_f64().is_some_and(|ms| ms > 0.0));
    assert!(partners_url().starts_with("https://www.linkedin.com/"));
}

/// `{type: 'scan', outcome}` for `facts`, as the shell feeds a scan (`scanPage`'s answer).
fn scan_event(facts: &JsValue) -> JsValue {
    let event = js(r#"{"type":"scan"}"#);
    Reflect::set(&event, &"outcome".into(), &scan_page(js(&json(facts))).expect("scan")).expect("set");
    event
}

/// Where a directive sends the lane `role`.
fn go_to(stepped: &JsValue, role: &str) -> Option<String> {
    let go: Array = get(&get(stepped, "directive"), "go").dyn_into().expect("go");
    go.iter().find(|g| get(g, "role").as_string().as_deref() == Some(role)).and_then(|g| get(&g, "url").as_string())
}

#[wasm_bindgen_test]
fn a_sweep_job_crosses_as_text_and_is_driven_by_scans_and_ticks() {
    let started = start("sweep", JsValue::UNDEFINED, JsValue::UNDEFINED);
    let category = go_to(&started, "main").expect("the main tab's first page");
    assert!(category.contains("/categories/"), "{category}");
    let job = opened(&started);
    let words = job_summary(&job).expect("summary");
    assert_eq!((get(&words, "running"), get(&words, "kind").as_string()), (JsValue::TRUE, Some("sweep".into())));
    // A category page without any state word sends the check page by page.
    let wordless = js(&format!(
        r#"{{"url":"{category}","elapsedMs":300,"lang":"en","links":[{{"href":"/mypreferences/d/settings/ads-beyond-linkedin","text":"Ads off LinkedIn","rowTexts":["Ads off LinkedIn"]}}]}}"#
    ));
    let past = job_on(&job, Some(3.0), scan_event(&wordless), 5.0).expect("step");
    assert_eq!(get(&past, "changed"), JsValue::TRUE);
    let first = go_to(&past, "main").expect("on to a setting's page");
    // A scan of that page ends its step and sends the tab to the next page.
    let facts = js(&json(&ai_facts(true)).replace(AI, &first));
    let stepped = job_on(&text(&past), Some(3.0), scan_event(&facts), 10.0).expect("step");
    let second = go_to(&stepped, "main").expect("the next page");
    assert_ne!(first, second);
    // The clock: nothing yet, then the page's time is up (tried once more, never left hanging).
    let tick = |job: &str, now: f64| job_on(job, None, js(&format!(r#"{{"type":"tick","tabs":[{{"tab":3,"url":"{second}"}}]}}"#)), now).expect("tick");
    let quiet = tick(&text(&stepped), 20.0);
    assert_eq!(go_to(&quiet, "main"), None);
    let waiting = tick(&text(&stepped), 10.0 + 3_600_000.0);
    let again = tick(&text(&waiting), 10.0 + 3_700_000.0);
    assert_eq!(go_to(&again, "main"), Some(second.clone()), "tried once more");
    // Cancelling ends it.
    let cancelled = job_on(&text(&again), None, js(r#"{"type":"cancel"}"#), 7_300_000.0).expect("cancel");
    assert_eq!(get(&job_summary(&text(&cancelled)).expect("summary"), "status").as_string().as_deref(), Some("cancelled"));
    assert_eq!(get(&get(&cancelled, "directive"), "finished"), JsValue::TRUE);
    assert!(job_on("{}", Some(3.0), js(r#"{"type":"cancel"}"#), 0.0).is_err(), "a malformed job is refused");
}

#[wasm_bindgen_test]
fn opt_out_clicks_once_on_the_identified_switch_and_is_refused_when_not_allowed() {
    let ids = js(r#"["ai-training"]"#);
    let job = opened(&start("opt-out", ids.clone(), JsValue::UNDEFINED));
    let stepped = job_on(&job, Some(3.0), scan_event(&ai_facts(true)), 5.0).expect("step");
    let click = get(&get(&stepped, "directive"), "click");
    assert_eq!((get(&click, "index").as_f64(), get(&click, "setting").as_string()), (Some(0.0), Some("ai-training".into())));
    assert!(get(&click, "watchMs").as_f64().is_some_and(|ms| ms > 0.0), "the core says how long the page is watched");
    // An administrator may forbid it; an empty or unknown list is refused (a code and its words).
    let refused = |settings: JsValue, managed: JsValue| {
        let out = start("opt-out", settings, managed);
        assert!(get(&out, "job").is_undefined(), "{}", json(&out));
        assert!(get(&out, "refusal").as_string().is_some_and(|r| !r.is_empty()), "{}", json(&out));
        assert!(get(&get(&out, "text"), "key").as_string().is_some_and(|k| !k.is_empty()), "{}", json(&out));
    };
    refused(ids, js(r#"{"allowOptOut":false}"#));
    refused(js("[]"), JsValue::UNDEFINED);
    refused(js(r#"["no-such-setting"]"#), JsValue::UNDEFINED);
}

#[wasm_bindgen_test]
fn managed_policy_is_checked_and_a_bad_one_ignored_with_a_reason() {
    let none = load_managed(JsValue::UNDEFINED).expect("none");
    assert!(get(&none, "problem").is_null());
    let good = load_managed(js(r#"{"watchSettings":["ai-training"],"allowOptOut":false,"region":"eu","reminderDays":7}"#)).expect("good");
    assert!(get(&good, "problem").is_null());
    assert_eq!(get(&get(&good, "managed"), "region").as_string().as_deref(), Some("eu"));
    let unknown = load_managed(js(r#"{"watchSettings":["ai-training","nope"]}"#)).expect("unknown ids");
    assert!(get(&unknown, "problem").as_string().expect("problem").contains("nope"));
    // A region this version does not know is named and ignored; the rest of the policy holds.
    let bad = load_managed(js(r#"{"region":"mars","allowOptOut":false}"#)).expect("never throws");
    assert!(get(&bad, "problem").as_string().expect("problem").contains("mars"));
    assert!(get(&get(&bad, "managed"), "region").is_null());
    assert_eq!(get(&get(&bad, "managed"), "allowOptOut"), JsValue::FALSE);
    let unreadable = load_managed(js(r#"{"allowOptOut":"yes"}"#)).expect("never throws");
    assert!(get(&unreadable, "problem").as_string().expect("problem").contains("ignored"));
    // A watched list narrows the summary and the sweep.
    let stored = get(&load_state(JsValue::UNDEFINED).expect("load"), "stored");
    let sum = summary(stored, 0.0, None, get(&good, "managed")).expect("summary");
    assert_eq!(get(&sum, "rows").dyn_into::<Array>().expect("rows").length(), 1);
    assert_eq!(get(&sum, "optOutAllowed"), JsValue::FALSE);
    let job = opened(&start("sweep", JsValue::UNDEFINED, get(&good, "managed")));
    assert_eq!(get(&job_summary(&job).expect("summary"), "total").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn exports_are_plain_json_and_markdown_in_the_callers_words() {
    let stored = get(&load_state(JsValue::UNDEFINED).expect("load"), "stored");
    let obs = js(r#"[{"setting":"ai-training","state":"on"}]"#);
    let stored = get(&apply_observations(stored, obs, 1000.0, JsValue::UNDEFINED).expect("apply"), "stored");
    let exported = export_json(stored.clone(), 2000.0).expect("export");
    let text = json(&exported);
    assert!(text.contains("ai-training"), "{text}");
    // The lookup is the browser's i18n; here it echoes the message name.
    let lookup = js_sys::Function::new_with_args("key, args", "return '<' + key + '>';");
    let md = export_markdown(stored.clone(), 2000.0, &lookup).expect("markdown");
    assert!(md.contains("<reportTitle>"), "{md}");
    // Alerts go through the same plain objects.
    let dismissed = dismiss_alert(stored, "ai-training").expect("dismiss");
    assert_eq!(get(&dismissed, "changed"), JsValue::FALSE);
}

#[wasm_bindgen_test]
fn entra_facts_cross_and_the_answer_is_described() {
    let url = entra_settings_url();
    let plan = entra_plan_for(&url).expect("plan");
    assert_eq!(get(&plan, "scan"), JsValue::TRUE);
    let facts = js(&format!(
        r#"{{"url":"{url}","top":true,"elapsedMs":9000,"signedOut":false,"groups":[{{"labels":["LinkedIn account connections"],
            "radios":[{{"label":"Yes","checked":false}},{{"label":"Selected group","checked":false}},{{"label":"No","checked":true}}]}}]}}"#
    ));
    let out = entra_scan(facts).expect("scan");
    let observation = get(&out, "observation");
    assert_eq!(get(&observation, "state").as_string().as_deref(), Some("no"));
    let text = entra_describe(observation.clone()).expect("describe");
    assert!(get(&text, "key").as_string().is_some_and(|k| !k.is_empty()));
    assert!(entra_scan(js(r#"{"url":5}"#)).is_err());
    // What to store: the observation with when and where; a "not found" right after keeps it.
    let stored = entra_record(JsValue::UNDEFINED, observation.clone(), 1000.0, &url).expect("record");
    assert_eq!(get(&stored, "state").as_string().as_deref(), Some("no"));
    assert_eq!(get(&stored, "checkedAt").as_f64(), Some(1000.0));
    let missing = js(r#"{"state":"unknown","reason":"not-found"}"#);
    assert!(entra_record(stored.clone(), missing.clone(), 2000.0, &url).expect("kept").is_null());
    assert!(entra_record(stored, missing, 62_000.0, &url).expect("replaced").is_object());
    // A state another version wrote reads as unknown; no state at all is refused.
    let foreign = entra_describe(js(r#"{"state":"maybe"}"#)).expect("describe");
    assert_eq!(json(&foreign), json(&entra_describe(js(r#"{"state":"unknown"}"#)).expect("describe")));
    let err = entra_describe(js("{}")).expect_err("no state");
    assert_eq!(JsValue::from(err).dyn_into::<js_sys::Error>().expect("an Error").name(), "CoreError");
}

#[wasm_bindgen_test]
fn small_helpers_speak_message_names() {
    let region = guess_region("Europe/Berlin", vec!["de-DE".into()]).expect("guess");
    assert_eq!(region.as_string().as_deref(), Some("eu"));
    let all: Array = regions().expect("regions").dyn_into().expect("array");
    assert!(all.length() >= 7);
    assert_eq!(get(&ago_text(120_000.0, 0.0).expect("ago"), "key").as_string().as_deref(), Some("agoMinutes"));
}
