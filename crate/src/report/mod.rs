//! "Report a problem": a diagnostic report built from the page facts the core received,
//! shown whole to the person, who may copy or save it (the extension sends nothing).
//!
//! What goes in: the page's path (never its query or fragment), language and HTTP status,
//! its first heading, and for each candidate switch its tag, role, ids, `aria-labelledby`
//! keys, state, label text, and which signal matched it or why none did; the rules' and
//! the extension's versions, the browser's name and major version, and the core's
//! decisions. What never goes in: row text around a switch, links, or any other page text.
//! Labels and headings are truncated, and anything in them shaped like an e-mail address,
//! a phone number or a web address is removed, in case a page puts personal data there.
//!
//! The background keeps one [`PageRecord`] per settings page (already reduced like this)
//! in `storage.session`, at most [`MAX_PAGES`], so the report can be built later.

use serde::{Deserialize, Serialize};


use crate::catalogue::{self, SwitchState, SETTINGS, SITE};
use crate::detect::{self, Candidate, Observation, Observed, PageFacts, Reason};
use crate::scan::Examined;
use crate::date::rfc3339;
use crate::job::{Job, JobKind, JobStatus, Outcome};
use crate::normalize::normalize;
use crate::state::Stored;
use crate::url::Location;

mod markdown;
pub mod scrub;

pub use markdown::{json_text, markdown};
pub use scrub::{clean, REMOVED};

/// Identifies the JSON format.
pub const FORMAT: &str = "opt-out-lens-diagnostic";
/// Version of the JSON format.
pub const VERSION: u32 = 1;
/// Most characters kept of a label or heading.
pub const TEXT_CHARS: usize = 120;
/// Most characters kept of an id or key.
pub const ID_CHARS: usize = 80;
/// Most candidates kept per page.
pub const MAX_CANDIDATES: usize = 40;
/// Most pages remembered for reports.
pub const MAX_PAGES: usize = 40;

/// One settings page as the report keeps it: nothing about the person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageRecord {
    /// The URL's path only.
    pub path: String,
    /// The catalogued settings whose page this is.
    pub settings: Vec<String>,
    /// When it was seen (ms since the epoch).
    pub seen_at: f64,
    /// Milliseconds from loading to this scan.
    pub elapsed_ms: f64,
    /// The page's language.
    pub lang: String,
    /// The HTTP status, when known.
    pub http_status: Option<u16>,
    /// The first heading, truncated and cleaned.
    pub heading: String,
    /// Whether a sign-in form was shown.
    pub login_form: bool,
    /// Whether a dialog was open.
    pub dialog_open: bool,
    /// How many candidates the page had (only the first [`MAX_CANDIDATES`] are kept).
    pub candidate_count: usize,
    /// The candidates.
    pub candidates: Vec<CandidateRecord>,
    /// What the core decided for each setting seen here.
    pub decisions: Vec<Observation>,
}

/// One candidate switch in a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateRecord {
    /// Position among the page's candidates.
    pub index: usize,
    /// Tag name.
    pub tag: String,
    /// `type` of an input.
    pub input_type: Option<String>,
    /// `role`.
    pub role: Option<String>,
    /// The element's `id`.
    pub id: String,
    /// Its `aria-labelledby` ids (LinkedIn's language-independent keys).
    pub aria_keys: Vec<String>,
    /// `checked` of an input.
    pub checked: Option<bool>,
    /// `aria-checked`.
    pub aria_checked: Option<String>,
    /// The state the core read, if it is a switch it trusts.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub state: Option<SwitchState>,
    /// Its label text (from `aria-labelledby`, `aria-label` or `<label>`), truncated and cleaned.
    pub label: String,
    /// The setting it was identified as.
    pub matched: Option<String>,
    /// Which signals pointed at a setting: `aria-key`, `label`, `unconfirmed-label`,
    /// `only-switch`, `row-text`.
    pub signals: Vec<String>,
    /// Why it was not identified, when it was not.
    pub why_not: Option<String>,
    /// Whether the person could not see it, or saw another copy of its setting better
    /// (never marked; read only when no copy of its setting was seen).
    #[serde(default)]
    pub hidden: bool,
}

/// The page record for a scan, or `None` when the page is not one the core scans. The
/// member's identity strings the facts carry are scrubbed from every text it holds
/// ([`crate::scrub`]) and are not kept.
pub fn record(facts: &PageFacts, outcome: &Examined, now: f64) -> Option<PageRecord> {
    let loc = Location::parse(&facts.url).filter(Location::is_linkedin)?;
    if !detect::should_scan(&facts.url) {
        return None;
    }
    let own: Vec<&'static catalogue::Setting> = detect::settings_at(&loc.path).collect();
    // Scrubbed before truncating, so a name cut short at the end still goes whole.
    let identity = scrub::Identity::new(&facts.identity);
    let switch_count = facts.candidates.iter().take(detect::MAX_CANDIDATES).filter(|c| detect::switch_state(c).is_some()).count();
    let candidates = facts
        .candidates
        .iter()
        .enumerate()
        .take(MAX_CANDIDATES)
        .map(|(i, c)| candidate(i, c, facts.candidate_ids.get(i).map_or("", String::as_str), outcome, &own, switch_count, &identity))
        .collect();
    // A sign-in page's path is generic; its query (the page asked for) is never kept.
    let record = PageRecord {
        path: loc.path.clone(),
        settings: own.iter().map(|s| s.id.to_string()).collect(),
        seen_at: now,
        elapsed_ms: facts.elapsed_ms.max(0.0).round(),
        lang: facts.lang.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(20).collect(),
        http_status: facts.http_status,
        heading: clean(&identity.scrub(&facts.heading), TEXT_CHARS),
        login_form: facts.login_form,
        dialog_open: facts.dialog_open,
        candidate_count: facts.candidates.len(),
        candidates,
        decisions: outcome.observations.clone(),
    };
    Some(scrub::record(record, &identity))
}

fn candidate(
    index: usize,
    c: &Candidate,
    id: &str,
    outcome: &Examined,
    own: &[&'static catalogue::Setting],
    switch_count: usize,
    identity: &scrub::Identity,
) -> CandidateRecord {
    let state = detect::switch_state(c);
    let matched = outcome
        .marks
        .iter()
        .find(|m| m.index == index)
        .map(|m| m.setting.clone())
        .or_else(|| outcome.hidden_copies.iter().find(|h| h.index == index).map(|h| h.setting.clone()));
    let texts: Vec<String> =
        [&c.labelledby_text, &c.aria_label, &c.label_text].into_iter().filter(|t| !t.trim().is_empty()).map(|t| normalize(t)).collect();
    let context = normalize(&c.context_text);
    let mut signals = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for s in SETTINGS {
        let mut hit = |signal: &str| {
            if !signals.iter().any(|x| x == signal) {
                signals.push(signal.to_string());
            }
            if !named.contains(&s.id) {
                named.push(s.id);
            }
        };
        if c.labelledby.iter().any(|k| s.keys.contains(&k.as_str())) {
            hit("aria-key");
        }
        if s.labels.iter().any(|l| l.confirmed && texts.iter().any(|t| t == l.norm)) {
            hit("label");
        }
        let own_page = own.iter().any(|o| o.id == s.id);
        if own_page && s.labels.iter().any(|l| !l.confirmed && texts.iter().any(|t| t == l.norm)) {
            hit("unconfirmed-label");
        }
        if own_page && own.len() == 1 && switch_count == 1 {
            hit("only-switch");
        }
        if own_page && !context.is_empty() && s.labels.iter().any(|l| l.confirmed && context.contains(l.norm)) {
            hit("row-text");
        }
    }
    let why_not = match (&matched, state) {
        (Some(_), _) => None,
        (None, None) => Some("not a switch the rules trust (role=switch with a checked state)".to_string()),
        (None, Some(_)) if named.len() > 1 => Some(format!("its signals name several settings: {}", named.join(", "))),
        (None, Some(_)) if named.is_empty() && own.is_empty() => {
            Some("no catalogued key or label, and not on a setting's own page".to_string())
        }
        (None, Some(_)) if named.is_empty() => Some("no catalogued key or label, and not the only switch on its page".to_string()),
        (None, Some(_)) => Some("only weak signals, which count for one setting alone".to_string()),
    };
    let label = [&c.labelledby_text, &c.aria_label, &c.label_text].into_iter().find(|t| !t.trim().is_empty()).map_or(String::new(), |t| clean(&identity.scrub(t), TEXT_CHARS));
    CandidateRecord {
        index,
        tag: clean(&c.tag, 20),
        input_type: c.input_type.as_deref().map(|t| clean(t, 20)),
        role: c.role.as_deref().map(|r| clean(r, 20)),
        id: clean(&identity.scrub(id), ID_CHARS),
        aria_keys: c.labelledby.iter().take(8).map(|k| clean(k, ID_CHARS)).collect(),
        checked: c.checked,
        aria_checked: c.aria_checked.as_deref().map(|a| clean(a, 10)),
        state,
        label,
        matched,
        signals,
        why_not,
        hidden: c.hidden || outcome.hidden_copies.iter().any(|h| h.index == index),
    }
}

/// Keeps `record` among the remembered pages: it replaces the page's earlier record, and
/// only the [`MAX_PAGES`] seen last are kept.
pub fn remember(mut pages: Vec<PageRecord>, record: PageRecord) -> Vec<PageRecord> {
    pages.retain(|p| p.path.trim_end_matches('/') != record.path.trim_end_matches('/'));
    pages.push(record);
    // At most MAX_PAGES + 1 pages: an insertion sort (stable, like `sort_by`), because the
    // standard library's stable sort costs the wasm about 4 KB.
    for i in 1..pages.len() {
        let mut j = i;
        while j > 0 && pages[j - 1].seen_at.total_cmp(&pages[j].seen_at).is_gt() {
            pages.swap(j - 1, j);
            j -= 1;
        }
    }
    let excess = pages.len().saturating_sub(MAX_PAGES);
    pages.drain(..excess);
    pages
}

/// What the shell knows about itself; every field may be absent.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Environment {
    /// The extension's version (manifest).
    pub extension_version: String,
    /// `navigator.userAgent`: only the browser's name and major version are kept.
    pub user_agent: String,
}

/// The report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// When it was made (RFC 3339, UTC).
    pub made_at: String,
    /// The extension's version.
    pub extension_version: String,
    /// The browser's name and major version, e.g. "Firefox 153".
    pub browser: String,
    /// The rules' version: the core's version and a fingerprint of the catalogue.
    pub rules_version: String,
    /// The setting the report is about, if any.
    pub setting: Option<String>,
    /// What the extension holds about the settings concerned.
    pub settings: Vec<SettingDigest>,
    /// The pages read, most recent last.
    pub pages: Vec<PageRecord>,
    /// The latest job, if any.
    pub job: Option<JobDigest>,
}

/// A setting's stored state in a report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingDigest {
    /// Setting id.
    pub id: &'static str,
    /// Its catalogue paths.
    pub paths: &'static [&'static str],
    /// Its catalogued keys.
    pub keys: &'static [&'static str],
    /// The latest state.
    pub state: detect::StateWord,
    /// Why unknown.
    pub reason: Option<Reason>,
    /// When last checked or tried.
    pub checked_at: Option<String>,
    /// The last on/off state seen.
    pub last_known: Option<SwitchState>,
    /// Unrecognised switches on its page.
    pub unrecognised: Option<u32>,
}

/// A job in a report: no URLs, only settings and results.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobDigest {
    /// What it did.
    pub kind: JobKind,
    /// Where it ended.
    pub status: JobStatus,
    /// Each step's result.
    pub steps: Vec<StepDigest>,
}

/// One step of a job in a report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepDigest {
    /// Setting id.
    pub setting: String,
    /// Result.
    pub outcome: Option<Outcome>,
    /// Why.
    pub reason: Option<Reason>,
    /// Failed loads of its page.
    pub failed_loads: u32,
    /// Whether the one click was made.
    pub clicked: bool,
}

/// Builds the report about `setting` (or about every page read, for `None`).
pub fn build(pages: &[PageRecord], setting: Option<&str>, stored: &Stored, job: Option<&Job>, env: &Environment, now: f64) -> Report {
    let concerned = |id: &str| setting.is_none_or(|s| s == id);
    let pages: Vec<PageRecord> = pages.iter().filter(|p| setting.is_none_or(|s| p.settings.iter().any(|x| x == s))).cloned().collect();
    let settings = SETTINGS
        .iter()
        .filter(|s| concerned(s.id))
        .map(|s| {
            let e = stored.settings.get(s.id);
            let (state, reason) = e.map_or(Observed::Unknown(Reason::NotChecked), |e| e.observed).split();
            SettingDigest {
                id: s.id,
                paths: s.paths,
                keys: s.keys,
                state,
                reason,
                checked_at: e.map(|e| rfc3339(e.checked_at)),
                last_known: e.and_then(|e| e.last_known),
                unrecognised: e.and_then(|e| e.unrecognised),
            }
        })
        .collect();
    let job = job.map(|j| JobDigest {
        kind: j.kind,
        status: j.status,
        steps: j
            .steps
            .iter()
            .filter(|s| concerned(&s.setting))
            .map(|s| StepDigest {
                setting: s.setting.clone(),
                outcome: s.outcome,
                reason: s.reason,
                failed_loads: s.failed_loads,
                clicked: s.change != crate::job::Change::Untouched,
            })
            .collect(),
    });
    Report {
        format: FORMAT,
        version: VERSION,
        made_at: rfc3339(now),
        extension_version: clean(&env.extension_version, 20),
        browser: browser(&env.user_agent),
        rules_version: format!("{} ({:08x})", env!("CARGO_PKG_VERSION"), fingerprint()),
        setting: setting.filter(|s| catalogue::by_id(s).is_some()).map(str::to_string),
        settings,
        pages,
        job,
    }
}

/// The browser's name and major version from a user agent, nothing else of it.
pub fn browser(user_agent: &str) -> String {
    let major = |name: &str| {
        user_agent.split(|c: char| c.is_whitespace()).find_map(|part| {
            let v = part.strip_prefix(name)?.strip_prefix('/')?;
            let m: String = v.chars().take_while(char::is_ascii_digit).take(5).collect();
            (!m.is_empty()).then_some(m)
        })
    };
    for (token, name) in [("Firefox", "Firefox"), ("Edg", "Edge"), ("OPR", "Opera"), ("HeadlessChrome", "Chrome"), ("Chrome", "Chrome")] {
        if let Some(m) = major(token) {
            return format!("{name} {m}");
        }
    }
    "unknown browser".into()
}

/// A fingerprint of the catalogue, so a report says exactly which rules read the page.
pub fn fingerprint() -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0]) {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    eat(SITE.candidate_selector);
    for s in SETTINGS {
        eat(s.id);
        s.paths.iter().for_each(|p| eat(p));
        s.keys.iter().for_each(|k| eat(k));
        s.labels.iter().for_each(|l| eat(l.norm));
    }
    h
}
