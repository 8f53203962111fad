//! The JavaScript interface of the core. Values cross as plain JSON-compatible objects
//! (never `Map`s), so they can go straight into `storage.local` and messages.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::detect::{Observation, PageFacts, ScanOutcome};
use crate::job::{Directive, Job};
use crate::managed::Managed;
use crate::state::{self, Stored};
use crate::catalogue::Region;
use crate::{catalogue, export, summary};

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

/// A new "Check all" job over the watched settings.
#[wasm_bindgen(js_name = jobSweep)]
pub fn job_sweep(now: f64, managed: JsValue) -> Result<JsValue, JsError> {
    to_js(&Job::sweep(now, &managed_from(managed)?))
}

/// A new guided opt-out job for the given setting ids; throws on an empty or unknown
/// list, or when the administrator does not allow it.
#[wasm_bindgen(js_name = jobOptOut)]
pub fn job_opt_out(ids: JsValue, now: f64, managed: JsValue) -> Result<JsValue, JsError> {
    let ids: Vec<String> = from_js(ids, "setting ids")?;
    to_js(&Job::opt_out(&ids, now, &managed_from(managed)?).map_err(|r| JsError::new(r.msg()))?)
}

#[derive(Serialize)]
struct Stepped {
    job: Job,
    directive: Directive,
}

/// Feeds a scan of the job's tab: `{job, directive}`.
#[wasm_bindgen(js_name = jobOnScan)]
pub fn job_on_scan(job: JsValue, url: &str, outcome: JsValue, dialog_open: bool, now: f64) -> Result<JsValue, JsError> {
    let mut job: Job = from_js(job, "job")?;
    let outcome: ScanOutcome = from_js(outcome, "scan outcome")?;
    let directive = job.on_scan(url, &outcome, dialog_open, now);
    to_js(&Stepped { job, directive })
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
        serde_wasm_bindgen::from_value::<Managed>(raw).map_err(|e| format!("managed options ignored: {e}"))
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

/// "5 min ago" for a time stamp (ms since the epoch), as a text.
#[wasm_bindgen(js_name = agoText)]
pub fn ago_text(now: f64, then: f64) -> Result<JsValue, JsError> {
    to_js(&summary::ago(now, then))
}

/// The i18n message for a reason code such as `not-found`; empty for an unknown code.
#[wasm_bindgen(js_name = reasonMessage)]
pub fn reason_message(code: JsValue) -> String {
    serde_wasm_bindgen::from_value::<crate::detect::Reason>(code).map(|r| r.msg().to_string()).unwrap_or_default()
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
    let mut changed = state::apply(&mut stored, &examined.observations, now, &by_extension);
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
