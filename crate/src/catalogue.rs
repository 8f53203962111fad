//! The settings catalogue, generated at build time from `rules/linkedin.toml`.

use serde::{Deserialize, Serialize};

/// Whether a switch is on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SwitchState {
    /// The switch is on.
    On,
    /// The switch is off.
    Off,
}

/// What a setting is about; the popup groups by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Training generative AI.
    Ai,
    /// Sharing with affiliates (Microsoft) and partners.
    Sharing,
    /// Advertising data.
    Ads,
    /// Research use.
    Research,
    /// LinkedIn's own marketing.
    Marketing,
}

/// A label text of a setting in one language.
#[derive(Debug)]
pub struct Label {
    /// BCP 47 language, e.g. `de`.
    pub lang: &'static str,
    /// The text as LinkedIn shows it.
    pub text: &'static str,
    /// `text` passed through [`crate::normalize::normalize`].
    pub norm: &'static str,
    /// False when no source confirms the text; such labels only help on the setting's own page.
    pub confirmed: bool,
}

/// One LinkedIn setting the extension watches.
#[derive(Debug)]
pub struct Setting {
    /// Stable id, used in storage, messages and `data-optout-setting`.
    pub id: &'static str,
    /// LinkedIn's title of the setting (English), for reports.
    pub title: &'static str,
    /// What the setting is about.
    pub category: Category,
    /// Paths of the page(s) that show this one setting.
    pub paths: &'static [&'static str],
    /// Language-independent `aria-labelledby` keys of its switch.
    pub keys: &'static [&'static str],
    /// The state that protects the user.
    pub protective: SwitchState,
    /// Where the facts came from.
    pub source: &'static str,
    /// Titles and switch labels in every known language.
    pub labels: &'static [Label],
    /// Where and since when LinkedIn's use applies.
    pub policy: &'static [Policy],
    /// i18n message: short name for on-page labels.
    pub msg_short: &'static str,
    /// i18n message: the setting's title.
    pub msg_title: &'static str,
    /// i18n message: what "on" means for the member.
    pub msg_meaning: &'static str,
}

/// Where the member is, as far as LinkedIn's policies differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// European Union and European Economic Area.
    Eu,
    /// United Kingdom.
    Uk,
    /// Switzerland.
    Ch,
    /// Canada.
    Ca,
    /// Hong Kong.
    Hk,
    /// United States.
    Us,
    /// Anywhere else.
    Other,
}

impl Region {
    /// All regions, in the order the options page lists them.
    pub const ALL: [Region; 7] = [Region::Eu, Region::Uk, Region::Ch, Region::Ca, Region::Hk, Region::Us, Region::Other];

    /// i18n message naming the region.
    pub fn msg(self) -> &'static str {
        match self {
            Region::Eu => "region_eu",
            Region::Uk => "region_uk",
            Region::Ch => "region_ch",
            Region::Ca => "region_ca",
            Region::Hk => "region_hk",
            Region::Us => "region_us",
            Region::Other => "region_other",
        }
    }
}

/// How a policy applies in some regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// LinkedIn uses the data there, on by default.
    Applies,
    /// LinkedIn says it does not do this there.
    NotApplied,
    /// LinkedIn needs the member's consent there.
    OptIn,
}

/// A policy fact about one setting.
#[derive(Debug)]
pub struct Policy {
    /// How it applies.
    pub kind: PolicyKind,
    /// Where.
    pub regions: &'static [Region],
    /// Since when (YYYY-MM-DD).
    pub since: &'static str,
}

impl Setting {
    /// The full URL of the setting's first page.
    pub fn url(&self) -> Option<String> {
        self.paths.first().map(|p| format!("{}{}", SITE.origin, p))
    }
}

/// Site-wide rules: which pages to scan and what the content script collects.
#[derive(Debug)]
pub struct Site {
    /// Scheme and host of LinkedIn.
    pub origin: &'static str,
    /// Path prefixes of pages that may show settings.
    pub scan_prefixes: &'static [&'static str],
    /// Paths LinkedIn sends signed-out visitors to.
    pub login_paths: &'static [&'static str],
    /// Query parameters of a login page that carry the page asked for.
    pub redirect_params: &'static [&'static str],
    /// CSS selector of candidate switches.
    pub candidate_selector: &'static str,
    /// CSS selector whose presence means a sign-in form is shown.
    pub login_form_selector: &'static str,
    /// CSS selector of an open modal dialog.
    pub dialog_selector: &'static str,
    /// How many ancestors up to look for a switch's row.
    pub context_levels: u32,
    /// Upper bound on each text the content script sends.
    pub max_text_chars: u32,
    /// Time after navigation before a missing switch counts as "page changed".
    pub settle_ms: u32,
    /// Batching delay for DOM-change re-scans.
    pub debounce_ms: u32,
    /// How long a page in a job may take to show its setting's state.
    pub page_timeout_ms: u32,
    /// How long a switch may take to change after the one click.
    pub click_settle_ms: u32,
    /// How long a job's tab may be elsewhere before it is sent to its page again.
    pub renavigate_ms: u32,
    /// How long the state after the click must hold to count.
    pub click_verify_ms: u32,
    /// How long a LinkedIn confirmation dialog is left to the person.
    pub confirm_wait_ms: u32,
}

/// `[site.failures]`: what a job does when a page does not load.
#[derive(Debug)]
pub struct Failures {
    /// Path prefixes of LinkedIn's security checks ("verify it's you", captchas).
    pub checkpoint_prefixes: &'static [&'static str],
    /// How long to wait before trying a page that did not load once more.
    pub retry_wait_ms: u32,
    /// How long a loaded tab without a content script may stay silent before it counts
    /// as the browser's error page.
    pub no_script_grace_ms: u32,
}

include!(concat!(env!("OUT_DIR"), "/catalogue_data.rs"));

/// The setting with this id.
pub fn by_id(id: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.id == id)
}
