//! The JavaScript interface of the core: each export reads its arguments, calls the core
//! and returns its answer. Values cross with `serde-wasm-bindgen` through the types' serde
//! derives, where each wire name is declared once: out as plain JSON-compatible objects
//! (never `Map`s, `None` as `null`), so they can go straight into `storage` and messages.
//!
//! Every export that reads a value throws a [`CoreError`] (a JavaScript `Error` named
//! `CoreError`) for input it cannot read, and never panics; the shell logs or shows it.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::catalogue::Region;
use crate::detect::{Observation, PageFacts};
use crate::job::{Directive, Job};
use crate::managed::Managed;
use crate::state::{self, Stored};
use crate::{catalogue, export, summary};

/// Why an export could not answer: an argument it could not read, or (never expected) an
/// answer it could not write. Crosses as a JavaScript `Error` named `CoreError`.
#[derive(Debug)]
pub enum CoreError {
    /// An argument is not the value the export reads.
    Malformed {
        /// Which argument, in words ("stored state").
        what: &'static str,
        /// What is wrong with it, as serde says.
        detail: String,
    },
    /// The answer could not be turned into a JavaScript value.
    Unwritable(String),
}

impl std::fmt::Display for CoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoreError::Malformed { what, detail } => write!(f, "malformed {what}: {detail}"),
            CoreError::Unwritable(detail) => write!(f, "the core could not write its answer: {detail}"),
        }
    }
}

impl From<CoreError> for JsValue {
    fn from(e: CoreError) -> JsValue {
        let error = js_sys::Error::new(&e.to_string());
        error.set_name("CoreError");
        error.into()
    }
}

type Answer<T = JsValue> = Result<T, CoreError>;

fn to_js<T: Serialize + ?Sized>(value: &T) -> Answer {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| CoreError::Unwritable(e.to_string()))
}

/// The shape a JavaScript argument must have before serde reads it: serde reads a struct
/// from an array's entries too, which would let a list pass for an object.
#[derive(Clone, Copy)]
enum Shape {
    /// A plain object (not an array).
    Record,
    /// An array.
    List,
}

fn from_js<T: DeserializeOwned>(value: JsValue, shape: Shape, what: &'static str) -> Answer<T> {
    let malformed = |detail: String| CoreError::Malformed { what, detail };
    let is_array = js_sys::Array::is_array(&value);
    match shape {
        Shape::Record if !value.is_object() || is_array || value.is_function() => {
            return Err(malformed(format!("expected an object, got {}", kind(&value))))
        }
        Shape::List if !is_array => return Err(malformed(format!("expected an array, got {}", kind(&value)))),
        _ => {}
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| malformed(e.to_string()))
}

/// What a JavaScript value is, in words, for an error.
fn kind(value: &JsValue) -> &'static str {
    if value.is_null() {
        "null"
    } else if value.is_undefined() {
        "undefined"
    } else if js_sys::Array::is_array(value) {
        "an array"
    } else if value.is_function() {
        "a function"
    } else if value.is_object() {
        "an object"
    } else if value.is_string() {
        "a text"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else {
        "a number"
    }
}

fn record<T: DeserializeOwned>(value: JsValue, what: &'static str) -> Answer<T> {
    from_js(value, Shape::Record, what)
}

fn list<T: DeserializeOwned>(value: JsValue, what: &'static str) -> Answer<T> {
    from_js(value, Shape::List, what)
}

/// An optional argument: `undefined` and `null` read as `None`.
fn optional<T>(value: JsValue, what: &'static str, read: fn(JsValue, &'static str) -> Answer<T>) -> Answer<Option<T>> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        read(value, what).map(Some)
    }
}

fn managed_from(value: JsValue) -> Answer<Managed> {
    optional(value, "managed options", record).map(Option::unwrap_or_default)
}

/// Calls `lookup(message, substitutions)` (`browser.i18n.getMessage`) for the core's words.
fn words(lookup: &js_sys::Function) -> impl FnMut(&str, &[String]) -> String + '_ {
    |key: &str, args: &[String]| {
        let list: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
        lookup.call2(&JsValue::NULL, &JsValue::from_str(key), &list).ok().and_then(|v| v.as_string()).unwrap_or_default()
    }
}

/// What the content script should look for on the page at `url`.
#[wasm_bindgen(js_name = planFor)]
pub fn plan_for(url: &str) -> Answer {
    to_js(&crate::plan(url))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoadedJs {
    stored: Stored,
    reset_reason: Option<String>,
}

/// Turns whatever `storage.local` held into usable state: `{stored, resetReason}`.
#[wasm_bindgen(js_name = loadState)]
pub fn load_state(raw: JsValue) -> Answer {
    let parsed = optional::<Stored>(raw, "stored state", record).map_err(|e| e.to_string());
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
pub fn apply_observations(stored: JsValue, observations: JsValue, now: f64, by_extension: JsValue) -> Answer {
    let mut stored: Stored = record(stored, "stored state")?;
    let observations: Vec<Observation> = list(observations, "observations")?;
    let by_extension: Vec<String> = optional(by_extension, "setting ids", list)?.unwrap_or_default();
    let changed = state::apply(&mut stored, &observations, now, &by_extension);
    to_js(&Applied { stored, changed })
}

/// Clears the alert on a setting: `{stored, changed}`.
#[wasm_bindgen(js_name = dismissAlert)]
pub fn dismiss_alert(stored: JsValue, id: &str) -> Answer {
    let mut stored: Stored = record(stored, "stored state")?;
    let changed = state::dismiss_alert(&mut stored, id);
    to_js(&Applied { stored, changed })
}

/// The settings flagged for attention in `after` that were not in `before` (stored
/// state, or `undefined`): what a notification is about.
#[wasm_bindgen(js_name = alertsAdded)]
pub fn alerts_added(before: JsValue, after: JsValue) -> Answer<Vec<String>> {
    let before: Option<Stored> = optional(before, "stored state", record)?;
    let after: Stored = record(after, "stored state")?;
    Ok(state::alerts_added(before.as_ref(), &after))
}

/// The JSON export (an object; the caller stringifies it).
#[wasm_bindgen(js_name = exportJson)]
pub fn export_json(stored: JsValue, now: f64) -> Answer {
    let stored: Stored = record(stored, "stored state")?;
    to_js(&export::export(&stored, now))
}

/// The Markdown report, in the words `lookup(message, substitutions)` returns
/// (`browser.i18n.getMessage`).
#[wasm_bindgen(js_name = exportMarkdown)]
pub fn export_markdown(stored: JsValue, now: f64, lookup: &js_sys::Function) -> Answer<String> {
    let stored: Stored = record(stored, "stored state")?;
    Ok(export::markdown(&stored, now, &mut words(lookup)))
}

/// Checks what `storage.managed` held: `{managed, problem}`; a malformed policy is
/// ignored with the reason, never a crash.
#[wasm_bindgen(js_name = loadManaged)]
pub fn load_managed(raw: JsValue) -> Answer {
    to_js(&crate::managed::load(optional(raw, "managed options", record).map_err(|e| e.to_string())))
}

/// The popup's summary of loaded state at `now`, for a person in `region` (a region code,
/// or `undefined` when not chosen; a code this version does not know counts as not
/// chosen), within the administrator's `managed` options.
#[wasm_bindgen]
pub fn summary(stored: JsValue, now: f64, region: Option<String>, managed: JsValue) -> Answer {
    let stored: Stored = record(stored, "stored state")?;
    let region = region.as_deref().and_then(crate::wire::name::<Region>);
    to_js(&summary::summary(&stored, now, region, &managed_from(managed)?))
}

/// The person's options (what `storage.local` holds, or `undefined`) with the options
/// page's `change` made: the options to store. Throws on an option this version does not
/// have, a value of the wrong type, an unknown region or a reminder interval not offered.
#[wasm_bindgen(js_name = optionsSet)]
pub fn options_set(current: JsValue, change: JsValue) -> Answer {
    // Stored options this version cannot read at all are replaced.
    let current: crate::options::Options = optional(current, "stored options", record).ok().flatten().unwrap_or_default();
    let change: crate::options::Change = record(change, "options change")?;
    let next = current.with(change).map_err(|e| CoreError::Malformed { what: "options change", detail: e.to_string() })?;
    to_js(&next)
}

/// What applies of the person's `options` under the administrator's `managed` policy,
/// the region guessed from the browser's `timeZone` and `languages` when nobody chose one:
/// `{region, regionGuessed, regionManaged, remindDays, remindManaged, notify, showMarks,
/// managed}`.
#[wasm_bindgen(js_name = effectiveOptions)]
pub fn effective_options(options: JsValue, managed: JsValue, time_zone: &str, languages: Vec<String>) -> Answer {
    // Stored options this version cannot read at all count as none set.
    let options: crate::options::Options = optional(options, "stored options", record).ok().flatten().unwrap_or_default();
    let guess = crate::region::guess(time_zone, &languages);
    to_js(&crate::options::effective(&options, &managed_from(managed)?, guess))
}

/// A first guess at the person's region from the browser's time zone and languages.
#[wasm_bindgen(js_name = guessRegion)]
pub fn guess_region(time_zone: &str, languages: Vec<String>) -> Answer {
    to_js(&crate::region::guess(time_zone, &languages))
}

/// The regions the options page offers: `[{code, name}]`, `name` an i18n message.
#[wasm_bindgen]
pub fn regions() -> Answer {
    #[derive(Serialize)]
    struct Choice {
        code: Region,
        name: &'static str,
    }
    to_js(&Region::ALL.iter().map(|&r| Choice { code: r, name: r.msg() }).collect::<Vec<_>>())
}

/// The toolbar badge for loaded state: `{text, color, title}`.
#[wasm_bindgen]
pub fn badge(stored: JsValue, managed: JsValue) -> Answer {
    let stored: Stored = record(stored, "stored state")?;
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
pub fn page_rules() -> Answer {
    to_js(&crate::page_rules())
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
pub fn ago_text(now: f64, then: f64) -> Answer {
    to_js(&summary::ago(now, then))
}

// ---- Pages that did not load, job summaries, "Report a problem" ----
// (crate::job's load failures, crate::summary::job_summary, crate::report)

/// Scans page facts (read once) and refines the outcome (an error page, switches no rule
/// knows): `{marks, observations, unrecognised: [{setting, count}], hiddenCopies, page}`,
/// what the job reads of a scan too. Throws on malformed facts.
#[wasm_bindgen(js_name = scanPage)]
pub fn scan_page(facts: JsValue) -> Answer {
    let facts: PageFacts = record(facts, "page facts")?;
    to_js(&crate::scan::examine(&facts))
}

/// Records a `scanPage` outcome in loaded state, with the job's `directive` when the
/// scan came from the job's tab (or `undefined`): `{stored, changed}`.
#[wasm_bindgen(js_name = applyScan)]
pub fn apply_scan(stored: JsValue, examined: JsValue, directive: JsValue, now: f64) -> Answer {
    let mut stored: Stored = record(stored, "stored state")?;
    let examined: crate::scan::Examined = record(examined, "scan outcome")?;
    let directive: Option<Directive> = optional(directive, "job directive", record)?;
    let changed = crate::record::scan(&mut stored, &examined, directive.as_ref(), now);
    to_js(&Applied { stored, changed })
}

/// A job has ended: what it changes in loaded state (a finished "Check all" becomes the
/// baseline for news): `{stored, changed}`.
#[wasm_bindgen(js_name = jobEnded)]
pub fn job_ended(stored: JsValue, job: &str, now: f64) -> Answer {
    let mut stored: Stored = record(stored, "stored state")?;
    let job = job_from(job)?;
    let changed = crate::record::job_ended(&mut stored, &job, now);
    to_js(&Applied { stored, changed })
}

/// A job the shell kept, as the JSON text the core gave it.
fn job_from(text: &str) -> Answer<Job> {
    Job::from_text(text).map_err(|e| CoreError::Malformed { what: "job", detail: e.to_string() })
}

/// Starts a job: `kind` "sweep" or "opt-out", `settings` the chosen ids (or `undefined`
/// for every setting), `running` the kept job (or `undefined`). Returns `{job, directive}`
/// (the job as text to keep, what to do first), or `{refusal, text}` with the reason as a
/// code and as a message.
#[wasm_bindgen(js_name = jobStart)]
pub fn job_start(kind: &str, settings: JsValue, running: Option<String>, now: f64, managed: JsValue) -> Answer {
    let settings: Option<Vec<String>> = optional(settings, "setting ids", list)?;
    // A kept job this version cannot read is no job to wait for.
    let running = running.as_deref().and_then(|t| Job::from_text(t).ok());
    to_js(&crate::job::Started::from(Job::start(kind, settings.as_deref(), running.as_ref(), now, &managed_from(managed)?)))
}

/// Feeds a job one event: `tab` the tab it concerns (`undefined` for the job as a whole),
/// `event` one of `{type: 'opened', role}`, `{type: 'scan', outcome}` (the page's `scanPage`
/// outcome), `{type: 'loaded', url, scriptAnswered}`,
/// `{type: 'closed'}`, `{type: 'tick', tabs: [{tab, url, gone}]}`, `{type: 'cancel'}`,
/// `{type: 'wound-up'}`. Returns `{job, directive, changed}`.
#[wasm_bindgen(js_name = jobOn)]
pub fn job_on(job: &str, tab: Option<f64>, event: JsValue, now: f64) -> Answer {
    let job = job_from(job)?;
    let event: crate::job::Event = record(event, "job event")?;
    to_js(&job.step(tab, event, now))
}

/// What the background asks of a job: `{running, ending, tabs}`.
#[wasm_bindgen(js_name = jobView)]
pub fn job_view(job: &str) -> Answer {
    to_js(&job_from(job)?.view())
}

/// Whether a running job (`undefined`: none) holds the tab `tab`: then no one else may use it.
#[wasm_bindgen(js_name = jobHoldsTab)]
pub fn job_holds_tab(job: Option<String>, tab: f64) -> bool {
    job.as_deref().and_then(|t| Job::from_text(t).ok()).is_some_and(|j| j.holds_tab(tab))
}

/// What the popup says about a job: `{kind, status, running, awaitingConfirmation,
/// sentences, results, retry, retryKind, current, done, total}`.
#[wasm_bindgen(js_name = jobSummary)]
pub fn job_summary(job: &str) -> Answer {
    to_js(&summary::job_summary(&job_from(job)?))
}

#[derive(Serialize)]
struct Remembered {
    pages: Vec<crate::report::PageRecord>,
    changed: bool,
}

/// Keeps a scanned page for "Report a problem": the remembered pages (an array, or
/// `undefined`) with this scan's record, reduced to what a report may hold and bounded:
/// `{pages, changed}`.
#[wasm_bindgen(js_name = reportRemember)]
pub fn report_remember(pages: JsValue, facts: JsValue, examined: JsValue, now: f64) -> Answer {
    // Remembered pages this version cannot read are forgotten, not a reason to refuse the scan.
    let pages: Vec<crate::report::PageRecord> = optional(pages, "remembered pages", list).ok().flatten().unwrap_or_default();
    let facts: PageFacts = record(facts, "page facts")?;
    let examined: crate::scan::Examined = record(examined, "scan outcome")?;
    let before = pages.clone();
    let pages = match crate::report::record(&facts, &examined, now) {
        Some(r) => crate::report::remember(pages, r),
        None => pages,
    };
    let changed = pages != before;
    to_js(&Remembered { pages, changed })
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
    job: Option<String>,
    env: JsValue,
    now: f64,
    lookup: &js_sys::Function,
) -> Answer {
    #[derive(Serialize)]
    struct Built {
        json: crate::report::Report,
        markdown: String,
    }
    let pages: Vec<crate::report::PageRecord> = optional(pages, "remembered pages", list)?.unwrap_or_default();
    let stored: Stored = record(stored, "stored state")?;
    // A kept job this version cannot read is left out of the report.
    let job: Option<Job> = job.as_deref().and_then(|t| Job::from_text(t).ok());
    let env: crate::report::Environment = optional(env, "environment", record)?.unwrap_or_default();
    let report = crate::report::build(&pages, setting.as_deref(), &stored, job.as_ref(), &env, now);
    let markdown = crate::report::markdown(&report, &mut words(lookup));
    to_js(&Built { json: report, markdown })
}

// ---- Entra ----
// The organisation side (crate::entra): Microsoft Entra's "LinkedIn account connections".

/// What `entra.js` should look for on the portal page (or frame) at `url`:
/// `{scan, settingsPage, groupSelector, radioSelector, captionSelector, captionLevels,
/// signedOutSelector, maxTextChars, maxGroups, maxRadios, maxFrames, settleMs, debounceMs}`.
#[wasm_bindgen(js_name = entraPlanFor)]
pub fn entra_plan_for(url: &str) -> Answer {
    to_js(&crate::entra::plan(url))
}

/// Scans Entra page facts; throws on malformed facts. Returns `{marks: [{index, state,
/// look, label}], observation: null | {state, reason?, recommended}}`.
#[wasm_bindgen(js_name = entraScan)]
pub fn entra_scan(facts: JsValue) -> Answer {
    let facts: crate::entra::EntraFacts = record(facts, "Entra page facts")?;
    to_js(&crate::entra::scan(&facts))
}

/// What to say about a stored observation (`{state, reason?}`): a text `{key, args}`,
/// the same as the label beside the setting. Throws on a malformed observation.
#[wasm_bindgen(js_name = entraDescribe)]
pub fn entra_describe(observation: JsValue) -> Answer {
    let o: crate::entra::EntraObservation = record(observation, "Entra observation")?;
    to_js(&crate::entra::describe(o.observed))
}

/// What to store after an Entra observation, given what is stored (`org.entra`, or
/// `undefined`): the record to store, or `null` to keep the stored one.
#[wasm_bindgen(js_name = entraRecord)]
pub fn entra_record(previous: JsValue, observation: JsValue, now: f64, url: &str) -> Answer {
    // A stored answer this version cannot read is no answer to keep.
    let previous: Option<crate::entra::EntraRecord> = optional(previous, "stored Entra answer", record).ok().flatten();
    let observation: crate::entra::EntraObservation = record(observation, "Entra observation")?;
    to_js(&crate::entra::record(previous.as_ref(), observation, now, url))
}

/// The User settings page of the Microsoft Entra admin center ("Show me").
#[wasm_bindgen(js_name = entraSettingsUrl)]
pub fn entra_settings_url() -> String {
    crate::entra::settings_url().to_string()
}

// ---- History and the objection form ----
// The History view's timelines (crate::history) and LinkedIn's objection form
// (crate::objection): the person's word that they sent it, kept in the stored state.

/// The History view of loaded state at `now`: `{start, end, axis, empty, notRead,
/// timelines: [{id, title, story, label, segments: [{state, look, from, to, x0, x1, text}],
/// marks: [{kind, at, x, when, state, text}]}]}`.
#[wasm_bindgen(js_name = historyView)]
pub fn history_view(stored: JsValue, now: f64, managed: JsValue) -> Answer {
    let stored: Stored = record(stored, "stored state")?;
    to_js(&crate::history::history(&stored, now, &managed_from(managed)?))
}

/// Records what the person says about LinkedIn's objection form at `now` (`sent`: "I sent
/// it"; not `sent`: Undo): `{stored, changed}`.
#[wasm_bindgen(js_name = objectionTell)]
pub fn objection_tell(stored: JsValue, sent: bool, now: f64) -> Answer {
    let mut stored: Stored = record(stored, "stored state")?;
    let changed = crate::objection::tell(&mut stored, sent, now);
    to_js(&Applied { stored, changed })
}

