//! Shared by the `wire` libFuzzer target and its libFuzzer-free loop: arbitrary JSON,
//! read by the very serde derives the wasm reads its arguments with (serde_json here,
//! serde-wasm-bindgen there), pushed through scan, apply, summary, jobs, the report,
//! Entra and the options. Whatever the JSON, nothing panics, and what the core writes it
//! reads back unchanged.

use arbitrary::{Result, Unstructured};
use opt_out_lens_core::catalogue::Region;
use opt_out_lens_core::detect::PageFacts;
use opt_out_lens_core::entra::{self, EntraFacts, EntraObservation, EntraRecord};
use opt_out_lens_core::job::{Event, Job, PageLoad, Role, TabSeen};
use opt_out_lens_core::managed::{self, Managed};
use opt_out_lens_core::options::{self, Change, Options};
use opt_out_lens_core::report::{self, Environment, PageRecord};
use opt_out_lens_core::scan::{self, Examined};
use opt_out_lens_core::state::{self, Stored};
use opt_out_lens_core::{export, summary};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};

/// How often each part of the pipeline ran: page facts that read, a job that read, Entra
/// facts that read, an options change accepted (the loop prints them: a fuzzer that never
/// gets past reading would prove little).
pub static REACHED: [AtomicU64; 4] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

fn reached(i: usize) {
    REACHED[i].fetch_add(1, Ordering::Relaxed);
}

/// Keys the boundary's types read, so that generated objects often mean something.
const KEYS: &[&str] = &[
    "url", "elapsedMs", "loginForm", "dialogOpen", "candidates", "heading", "checkboxes", "entries", "tag", "inputType",
    "role", "checked", "ariaChecked", "labelledby", "labelledbyText", "ariaLabel", "labelText", "contextText", "id",
    "lang", "httpStatus", "candidateIds", "loadedAt", "schema", "settings", "baselineAt", "state", "reason", "checkedAt",
    "lastKnown", "lastKnownAt", "changedAt", "history", "alert", "unrecognised", "at", "from", "to", "by", "kind",
    "status", "stopReason", "steps", "current", "tabId", "ownTab", "startedAt", "finishedAt", "setting", "clickedAt",
    "awaitingConfirmation", "protectiveSeenAt", "renavigated", "failedLoads", "loadFailure", "retryAt", "scanned",
    "silentSince", "endedAt", "outcome", "marks", "observations", "index", "protective", "watchSettings", "allowOptOut",
    "region", "reminderDays", "notify", "remindDays", "showMarks", "groups", "radios", "labels", "label", "frames",
    "visible", "top", "tabUrl", "signedOut", "recommended", "path", "seenAt", "candidateCount", "decisions", "ariaKeys",
    "matched", "signals", "whyNot", "extensionVersion", "userAgent", "count",
];
/// Texts the types know, and some they do not.
const TEXTS: &[&str] = &[
    "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement", "https://www.linkedin.com/mypreferences/d/categories/ads",
    "https://www.linkedin.com/psettings/partners-and-services", "https://www.linkedin.com/login", "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings",
    "ai-training", "research", "cookies", "microsoft-connection", "on", "off", "unknown", "yes", "no", "selected-group",
    "not-found", "loading", "conflicting", "not-checked", "timed-out", "list", "turned-back-on", "newly-on",
    "user-via-extension", "sweep", "opt-out", "running", "finished", "stopped", "eu", "uk", "us", "mars", "input",
    "checkbox", "switch", "true", "false", "allowDataForGenerativeAI", "Use my data for training content creation AI models",
    "LinkedIn account connections", "Yes", "No", "Selected group", "", "\u{0}", "😀", "%2F", "x",
];

fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    Ok(match u.int_in_range(0..=if depth > 4 { 5 } else { 8 })? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => json!(u.int_in_range(-3i64..=40)?),
        3 => json!(f64::from(u.arbitrary::<i32>()?) * 1000.0),
        4 => Value::String(TEXTS[u.choose_index(TEXTS.len())?].to_string()),
        5 => Value::String(u.arbitrary()?),
        6 | 7 => {
            let mut m = Map::new();
            for _ in 0..u.int_in_range(0..=8)? {
                let key = if u.ratio(1, 8)? { TEXTS[u.choose_index(TEXTS.len())?] } else { KEYS[u.choose_index(KEYS.len())?] };
                m.insert(key.to_string(), value(u, depth + 1)?);
            }
            Value::Object(m)
        }
        _ => Value::Array((0..u.int_in_range(0..=4)?).map(|_| value(u, depth + 1)).collect::<Result<_>>()?),
    })
}

/// `base` with some of its fields replaced, removed or added: close enough to what the
/// shell sends that the types read it, different enough to reach their edges.
fn mutate(u: &mut Unstructured, base: &Value, depth: u32, rate: u32) -> Result<Value> {
    if depth > 6 || u.ratio(1, rate * 4)? {
        return value(u, depth);
    }
    Ok(match base {
        Value::Object(fields) => {
            let mut m = Map::new();
            for (k, v) in fields {
                match u.int_in_range(0..=rate * 2)? {
                    0 => {}
                    1 => {
                        m.insert(k.clone(), value(u, depth + 1)?);
                    }
                    _ => {
                        m.insert(k.clone(), mutate(u, v, depth + 1, rate)?);
                    }
                }
            }
            if u.ratio(1, rate)? {
                m.insert(KEYS[u.choose_index(KEYS.len())?].to_string(), value(u, depth + 1)?);
            }
            Value::Object(m)
        }
        Value::Array(items) => {
            let mut out: Vec<Value> = items.iter().map(|i| mutate(u, i, depth + 1, rate)).collect::<Result<_>>()?;
            if u.ratio(1, rate)? && !out.is_empty() {
                let i = u.choose_index(out.len())?;
                out.remove(i);
            }
            if u.ratio(1, rate)? && !items.is_empty() {
                let i = u.choose_index(items.len())?;
                out.push(mutate(u, &items[i], depth + 1, rate)?);
            }
            Value::Array(out)
        }
        _ if u.ratio(1, rate)? => value(u, depth)?,
        other => other.clone(),
    })
}

/// What the shell sends, as it sends it: the starting points of [`mutate`].
fn bases() -> Map<String, Value> {
    let ai = "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement";
    let facts = json!({"url": ai, "elapsedMs": 9000, "loginForm": false, "dialogOpen": false, "loadedAt": 1.0, "httpStatus": 200,
        "lang": "en", "heading": "Data for Generative AI Improvement", "checkboxes": 0, "entries": [], "candidateIds": ["a", ""],
        "candidates": [
            {"tag": "input", "inputType": "checkbox", "role": "switch", "checked": true, "ariaChecked": null,
             "labelledby": ["allowDataForGenerativeAI"], "labelledbyText": "Use my data for training content creation AI models",
             "ariaLabel": "", "labelText": "", "contextText": "Data for Generative AI Improvement", "id": "a"},
            {"tag": "div", "role": "switch", "ariaChecked": "false", "labelledby": [], "contextText": "Research", "id": ""}]});
    let mut stored = state::load(Ok(None)).stored;
    let seen = scan::examine(&serde_json::from_value(facts.clone()).expect("base facts"));
    state::apply(&mut stored, &seen.observations, 1.0, &[]);
    // As "Check all" runs: with its helper tab (tab 1 the job's, tab 2 the helper's).
    let (mut job, d) = Job::start("sweep", None, None, 0.0, &Managed::default()).expect("a check starts");
    for go in d.go {
        job.on(Some(if go.role == Role::Main { 1.0 } else { 2.0 }), Event::Opened { role: go.role }, 0.0);
    }
    let mut m = Map::new();
    m.insert("facts".into(), facts);
    m.insert("outcome".into(), serde_json::to_value(&seen).expect("outcome"));
    m.insert("stored".into(), serde_json::to_value(&stored).expect("stored"));
    m.insert("job".into(), serde_json::to_value(&job).expect("job"));
    m.insert("managed".into(), json!({"watchSettings": ["ai-training", "research"], "allowOptOut": true, "region": "eu", "reminderDays": 7}));
    m.insert("pages".into(), json!([]));
    m.insert("entra".into(), json!({"url": TEXTS[4], "tabUrl": TEXTS[4], "top": true, "elapsedMs": 9000, "signedOut": false, "frames": [],
        "groups": [{"labels": ["LinkedIn account connections"], "radios": [
            {"label": "Yes", "checked": false}, {"label": "Selected group", "ariaChecked": "false"}, {"label": "No", "checked": true}]}]}));
    m.insert("entraRecord".into(), json!({"state": "no", "recommended": "no", "checkedAt": 1.0, "url": TEXTS[4]}));
    m.insert("options".into(), json!({"region": "eu", "notify": true, "remindDays": 7, "showMarks": true}));
    m.insert("change".into(), json!({"remindDays": 30, "region": "ch"}));
    m.insert("env".into(), json!({"extensionVersion": "0.1.0", "userAgent": "Mozilla/5.0 Firefox/153.0"}));
    m.insert("region".into(), json!("uk"));
    m
}

/// The input as JSON: a JSON text when it is one, else the shell's values mutated as its
/// bytes say.
pub fn input(data: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        return v;
    }
    let mut u = Unstructured::new(data);
    let mut m = Map::new();
    for (part, base) in bases() {
        // Some parts barely changed, some much: a job has hundreds of fields.
        let rate = [4, 32, 1024][u.choose_index(3).unwrap_or(0)];
        if let Ok(v) = mutate(&mut u, &base, 0, rate) {
            m.insert(part, v);
        }
    }
    Value::Object(m)
}

fn read<T: DeserializeOwned>(v: &Value, key: &str) -> Option<T> {
    serde_json::from_value(v.get(key)?.clone()).ok()
}

/// What the core writes, it reads back unchanged.
fn round_trips<T: serde::Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let wire = serde_json::to_value(v).expect("the core writes what it holds");
    let back: T = serde_json::from_value(wire.clone()).unwrap_or_else(|e| panic!("{wire} does not read back: {e}"));
    assert_eq!(&back, v, "{wire}");
}

pub fn run(data: &[u8]) {
    let v = input(data);
    let now = 1_764_288_000_000.0;
    let say = &mut |k: &str, a: &[String]| format!("{k}{a:?}");
    // Storage and policies never fail to load: they reset or are ignored with a reason.
    let mut stored = state::load(v.get("stored").map(|s| serde_json::from_value::<Stored>(s.clone()).map_err(|e| e.to_string())).transpose()).stored;
    let policy = managed::load(v.get("managed").map(|m| serde_json::from_value::<Managed>(m.clone()).map_err(|e| e.to_string())).transpose());
    let managed = policy.managed;
    round_trips(&stored);
    if let Some(facts) = read::<PageFacts>(&v, "facts") {
        reached(0);
        let examined = scan::examine(&facts);
        let wire = serde_json::to_value(&examined).expect("written");
        let again: Examined = serde_json::from_value(wire).expect("an outcome reads back");
        state::apply(&mut stored, &again.observations, now, &[]);
        let pages: Vec<PageRecord> = read(&v, "pages").unwrap_or_default();
        let page = report::record(&facts, &examined, now);
        let pages = match page { Some(p) => report::remember(pages, p), None => pages };
        let job: Option<Job> = v.get("job").and_then(|j| Job::from_text(&j.to_string()).ok());
        let env: Environment = read(&v, "env").unwrap_or_default();
        let r = report::build(&pages, None, &stored, job.as_ref(), &env, now);
        report::markdown(&r, say);
    }
    // The job crosses as the core's text; a text this version could not have written is refused.
    if let Some(mut job) = v.get("job").and_then(|j| Job::from_text(&j.to_string()).ok()) {
        reached(1);
        round_trips(&job);
        let load: PageLoad = read(&v, "facts").unwrap_or_default();
        let mut outcome: Examined = read(&v, "outcome").unwrap_or_default();
        outcome.page = load.clone();
        // Each event from either tab, and from one that is not the job's.
        for tab in [Some(1.0), Some(2.0), Some(3.0)] {
            job.on(tab, Event::Scan { outcome: Box::new(outcome.clone()) }, now);
            job.on(tab, Event::Loaded { url: load.url.clone(), script_answered: false }, now + 1_000.0);
        }
        let seen = |url: Option<&str>| vec![TabSeen { tab: 1.0, url: url.map(String::from), gone: false }, TabSeen { tab: 2.0, url: url.map(String::from), gone: false }];
        job.on(None, Event::Tick { tabs: seen(Some(&load.url)) }, now + 30_000.0);
        job.on(Some(2.0), Event::Closed, now + 32_000.0);
        job.on(None, Event::Tick { tabs: seen(None) }, now + 60_000.0);
        round_trips(&job);
        summary::job_summary(&job);
        assert!(Job::from_text(&job.to_text()).is_ok(), "a job the core wrote reads back");
    }
    round_trips(&stored);
    let region: Option<Region> = read(&v, "region");
    let s = summary::summary(&stored, now, region, &managed);
    assert!(s.rows.len() <= opt_out_lens_core::catalogue::SETTINGS.len());
    summary::badge(&stored, &managed);
    export::export(&stored, now);
    export::markdown(&stored, now, say);
    if let Some(facts) = read::<EntraFacts>(&v, "entra") {
        reached(2);
        let out = entra::scan(&facts);
        if let Some(o) = out.observation {
            round_trips(&o);
            let previous: Option<EntraRecord> = read(&v, "entraRecord");
            if let Some(r) = entra::record(previous.as_ref(), o, now, &facts.url) {
                round_trips(&r);
            }
        }
    }
    let _: Option<EntraObservation> = read(&v, "entraRecord");
    let person: Options = read(&v, "options").unwrap_or_default();
    if let Some(change) = read::<Change>(&v, "change") {
        if let Ok(next) = person.with(change) {
            reached(3);
            round_trips(&next);
        }
    }
    options::effective(&person, &managed, region.unwrap_or(Region::Other));
}
