//! The core of Opt-Out Lens: everything the extension knows about LinkedIn's privacy
//! settings, as pure functions from data to decisions.
//!
//! - [`catalogue`]: the settings (built from `rules/linkedin.toml`, in the shape `schema.rs`
//!   declares); [`category`]: LinkedIn's category pages, which list settings with their state.
//! - [`detect`]: page facts in, marks and observations out; [`scan`]: a scan as the
//!   background receives it (the facts read once, the outcome refined, the page for a job).
//! - [`state`]: the stored per-setting state and how observations change it; [`record`]:
//!   what a scan and a job's end change in it.
//! - [`summary`]: what the popup and badge say; [`export`]: JSON and Markdown;
//!   [`history`]: each setting's story as a timeline; [`objection`]: LinkedIn's objection form.
//! - [`job`]: "Check all" and guided opt-out, the core's model of their tabs.
//! - [`report`]: the diagnostic report behind "Report a problem".
//! - [`entra`]: the Entra admin center's LinkedIn setting (organisations).
//! - [`managed`], [`options`], [`region`], [`text`], [`normalize`], [`url`], [`date`]:
//!   administrator options, the person's options, the person's region, words for people,
//!   label folding, URL parsing, dates as the exports write them.
//! - `wire` reads names another version may have written; `wasm` is the JavaScript interface.
//!
//! ```
//! use opt_out_lens_core::detect::{scan, Candidate, PageFacts};
//! let facts = PageFacts {
//!     url: "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement".into(),
//!     candidates: vec![Candidate {
//!         tag: "input".into(),
//!         input_type: Some("checkbox".into()),
//!         role: Some("switch".into()),
//!         checked: Some(true),
//!         labelledby: vec!["allowDataForGenerativeAI".into()],
//!         ..Candidate::default()
//!     }],
//!     ..PageFacts::default()
//! };
//! let outcome = scan(&facts);
//! assert_eq!(outcome.marks[0].setting, "ai-training");
//! ```
//!
//! The browser-facing glue is in `wasm` (only compiled for wasm32, and tested there); nothing else here
//! touches a browser API, so `cargo test` covers it natively.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used)]

/// Where a fact of the rules came from (the `source` fields of the generated statics): kept
/// in native builds, where the tests check that every fact has one, and left out of the
/// wasm, which never shows it (about 6 KB of text).
macro_rules! source {
    ($text:literal) => {
        if cfg!(target_arch = "wasm32") { "" } else { $text }
    };
}

pub mod catalogue;
pub mod category;
pub mod date;
pub mod detect;
pub mod entra;
pub mod export;
pub mod history;
pub mod job;
pub mod managed;
pub mod normalize;
pub mod objection;
pub mod options;
pub mod record;
pub mod region;
pub mod report;
pub mod scan;
pub mod state;
pub mod summary;
pub mod text;
pub mod url;
pub(crate) mod wire;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

use serde::Serialize;

/// What the content script should look for on a page; the content script itself holds
/// no selectors or knowledge of LinkedIn.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Whether this page may show settings at all.
    pub scan: bool,
    /// CSS selector of candidate switches (looked for in open shadow roots too).
    pub candidate_selector: &'static str,
    /// CSS selector of plain checkboxes, counted (a page that is a list of them).
    pub checkbox_selector: &'static str,
    /// CSS selector of the page's title, whose text is sent.
    pub heading_selector: &'static str,
    /// CSS selector of list entries' names, whose texts are sent (at most `max_entries`,
    /// each at most `max_entry_chars`): a connection's page is read from them.
    pub entry_selector: &'static str,
    /// Most entry texts sent.
    pub max_entries: u32,
    /// Upper bound on each entry text.
    pub max_entry_chars: u32,
    /// CSS selector of a sign-in form.
    pub login_form_selector: &'static str,
    /// CSS selector of an open modal dialog.
    pub dialog_selector: &'static str,
    /// The page reports whether its `localStorage` has a key name starting with this.
    pub signed_in_key_prefix: &'static str,
    /// Links whose path starts with this name a member: their text and slug are sent,
    /// only to be scrubbed from reports.
    pub profile_path_prefix: &'static str,
    /// Elements whose texts may be the member's name or headline, sent only to be scrubbed.
    pub identity_selector: &'static str,
    /// Most identity strings sent.
    pub max_identity: u32,
    /// How many ancestors up to look for a switch's row.
    pub context_levels: u32,
    /// Upper bound on each text sent.
    pub max_text_chars: u32,
    /// When to re-scan after navigation if nothing changes, so a missing switch is reported.
    pub settle_ms: u32,
    /// Batching delay for DOM-change re-scans.
    pub debounce_ms: u32,
    /// CSS selector of the links reported (a category page's settings are links).
    pub link_selector: &'static str,
    /// Most links reported.
    pub max_links: u32,
    /// Most text pieces reported per link's row.
    pub max_row_texts: u32,
}

/// The plan for the page at `url`.
pub fn plan(url: &str) -> Plan {
    let site = &catalogue::SITE;
    Plan {
        scan: detect::should_scan(url),
        candidate_selector: site.candidate_selector,
        checkbox_selector: site.checkbox_selector,
        heading_selector: site.heading_selector,
        entry_selector: site.entry_selector,
        max_entries: site.max_entries,
        max_entry_chars: site.max_entry_chars,
        login_form_selector: site.login_form_selector,
        dialog_selector: site.dialog_selector,
        signed_in_key_prefix: site.signed_in_key_prefix,
        profile_path_prefix: site.profile_path_prefix,
        identity_selector: site.identity_selector,
        max_identity: site.max_identity,
        context_levels: site.context_levels,
        max_text_chars: site.max_text_chars,
        settle_ms: site.settle_ms,
        debounce_ms: site.debounce_ms,
        link_selector: site.category_pages.link_selector,
        max_links: site.category_pages.max_links,
        max_row_texts: site.category_pages.max_row_texts,
    }
}

/// What a page script needs to know before it sends anything, written into the built
/// extension (`page/plan.js`) at build time: the hosts and paths the core scans, and the
/// plan for them. A page that matches none needs no work and no message.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageRules {
    /// The hosts whose pages may be scanned.
    pub hosts: Vec<String>,
    /// Paths under which pages are scanned.
    pub scan_prefixes: &'static [&'static str],
    /// Paths scanned only as themselves (the sign-in pages), trailing slashes aside.
    pub exact_paths: &'static [&'static str],
    /// The plan for those pages.
    pub plan: Plan,
}

/// The page rules (see [`PageRules`]).
pub fn page_rules() -> PageRules {
    let site = &catalogue::SITE;
    let hosts = url::Location::parse(site.origin).map(|l| vec![l.host]).unwrap_or_default();
    PageRules { hosts, scan_prefixes: site.scan_prefixes, exact_paths: site.login_paths, plan: plan(site.origin) }
}
