//! The organisation side: Microsoft Entra's tenant-wide "LinkedIn account connections"
//! setting (Yes / Selected group / No) on the User settings page of the Microsoft Entra
//! admin center and the Azure portal. CIS Microsoft 365 benchmark 1.1.18 recommends No.
//!
//! Same shape as [`crate::detect`]: the content script (`extension/entra.js`) asks for a
//! [`plan`], reports plain [`EntraFacts`] about every radio group it sees, and applies the
//! marks of the [`EntraOutcome`]; the facts and rules are in `rules/entra.toml`.
//!
//! The portals show blades in their own page and in cross-origin, sandboxed iframes served
//! from other hosts (`frame_domains` in the rules, e.g. `sandbox-1.reactblade.portal.azure.net`).
//! The content script runs in every frame of those hosts; a frame that its parent cannot
//! read scans itself and reports its own facts. Which frame holds the setting is decided by
//! content alone, never by address: those hosts serve many blades of many products.
//!
//! A radio group is the setting when one of its captions equals a label of the setting
//! (after [`normalize`]). On a portal's own page a confirmed label is enough and an
//! unconfirmed translation also needs the group's radios to name the options; in a frame
//! of another host both are always needed. Which option is selected is read from
//! the radio labels only, never from positions: exactly one checked radio whose label names
//! an option, in a group whose every radio names a different option. Anything else is
//! "unknown" with a reason, never a guess.
//!
//! ```
//! use opt_out_lens_core::entra::{scan, EntraFacts, GroupFacts, RadioFacts, EntraOption, EntraObserved};
//! let radio = |label: &str, checked: bool| RadioFacts { label: label.into(), checked: Some(checked), aria_checked: None };
//! let facts = EntraFacts {
//!     url: "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings".into(),
//!     top: true,
//!     groups: vec![GroupFacts {
//!         labels: vec!["LinkedIn account connections".into()],
//!         radios: vec![radio("Yes", false), radio("Selected group", false), radio("No", true)],
//!     }],
//!     ..EntraFacts::default()
//! };
//! let outcome = scan(&facts);
//! assert_eq!(outcome.marks[0].index, 0);
//! assert_eq!(outcome.observation.unwrap().observed, EntraObserved::Option(EntraOption::No));
//! ```

use serde::{Deserialize, Serialize};

use crate::normalize::normalize;
use crate::text::Text;
use crate::url::Location;

/// Why the setting's option is not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntraReason {
    /// The page showed a sign-in form.
    SignedOut,
    /// The User settings page showed no radio groups at all by the time it should have.
    NotLoaded,
    /// The User settings page showed radio groups, none of them the setting.
    NotFound,
    /// The setting was found, but which option is selected could not be read.
    Ambiguous,
    /// The page showed the setting more than once, with different options selected.
    Conflicting,
}

impl EntraReason {
    /// The i18n message explaining it to the person.
    pub fn msg(self) -> &'static str {
        match self {
            EntraReason::SignedOut => "entraReasonSignedOut",
            EntraReason::NotLoaded => "entraReasonNotLoaded",
            EntraReason::NotFound => "entraReasonNotFound",
            EntraReason::Ambiguous => "entraReasonAmbiguous",
            EntraReason::Conflicting => "entraReasonConflicting",
        }
    }
}

/// What a scan learned about the setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntraObserved {
    /// This option is selected.
    Option(EntraOption),
    /// Not known, for this reason.
    Unknown(EntraReason),
}

/// The `state` field of an observation or mark: an option, or `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntraState {
    /// Yes.
    Yes,
    /// Selected group.
    SelectedGroup,
    /// No.
    No,
    /// Unknown; see the reason. Also what a state this version does not know reads as.
    #[serde(other)]
    Unknown,
}

impl EntraObserved {
    /// The two fields of the wire form.
    pub fn split(self) -> (EntraState, Option<EntraReason>) {
        match self {
            EntraObserved::Option(EntraOption::Yes) => (EntraState::Yes, None),
            EntraObserved::Option(EntraOption::SelectedGroup) => (EntraState::SelectedGroup, None),
            EntraObserved::Option(EntraOption::No) => (EntraState::No, None),
            EntraObserved::Unknown(r) => (EntraState::Unknown, Some(r)),
        }
    }

    /// Rebuilds from the two fields; unknown without a reason reads as not found.
    pub fn join(state: EntraState, reason: Option<EntraReason>) -> EntraObserved {
        match state {
            EntraState::Yes => EntraObserved::Option(EntraOption::Yes),
            EntraState::SelectedGroup => EntraObserved::Option(EntraOption::SelectedGroup),
            EntraState::No => EntraObserved::Option(EntraOption::No),
            EntraState::Unknown => EntraObserved::Unknown(reason.unwrap_or(EntraReason::NotFound)),
        }
    }

    /// How a mark of this looks: the recommended option, another option, or unknown.
    pub fn look(self) -> Look {
        match self {
            EntraObserved::Option(o) if o == ENTRA_SETTING.recommended => Look::Protective,
            EntraObserved::Option(_) => Look::Exposed,
            EntraObserved::Unknown(_) => Look::Unknown,
        }
    }
}

/// How a mark, or a row of the popup, is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Look {
    /// The recommended option is selected.
    Protective,
    /// Another option is selected.
    Exposed,
    /// The selection could not be read.
    Unknown,
}

// ---- rules (generated from rules/entra.toml) --------------------------------------------

/// A static string of the rules.
type Str = &'static str;
/// A static list of the rules.
type List<T> = &'static [T];
/// Where a fact came from (empty in the wasm).
type Source = &'static str;

macro_rules! entra_structs {
    ($($item:item)*) => { $( #[derive(Debug)] $item )* };
}
macro_rules! entra_enums {
    ($($item:item)*) => { $( #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)] #[serde(rename_all = "kebab-case")] $item )* };
}
include!("entra_schema.rs");

include!(concat!(env!("OUT_DIR"), "/entra_data.rs"));

// ---- plan -------------------------------------------------------------------------------

/// What the content script should look for; it holds no selectors or labels of its own.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntraPlan {
    /// Whether to scan this page at all.
    pub scan: bool,
    /// Whether this is the User settings page (a missing setting is reported there).
    pub settings_page: bool,
    /// Whether to scan again once the page should have settled, so a missing setting is
    /// reported: on the User settings page, and in a blade frame of another host (which may
    /// be on it; only the background knows the tab's address).
    pub settles: bool,
    /// CSS selector of radio groups.
    pub group_selector: &'static str,
    /// CSS selector of the radios of a group.
    pub radio_selector: &'static str,
    /// CSS selector of frames whose same-origin documents are read too.
    pub frame_selector: &'static str,
    /// CSS selector of a caption inside a group.
    pub caption_selector: &'static str,
    /// How many ancestors up to look for a caption just before a group.
    pub caption_levels: u32,
    /// CSS selector of a sign-in form.
    pub signed_out_selector: &'static str,
    /// Upper bound on each text sent.
    pub max_text_chars: u32,
    /// Most groups to send.
    pub max_groups: u32,
    /// Most radios per group to send (one more than the setting may have, so a group with
    /// too many shows as such).
    pub max_radios: u32,
    /// Most frames to read.
    pub max_frames: u32,
    /// When to re-scan after navigation if nothing changes, so a missing setting is reported.
    pub settle_ms: u32,
    /// Batching delay for DOM-change re-scans.
    pub debounce_ms: u32,
}

/// Where a URL is, as far as the Entra setting goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// One of the portals (`hosts`).
    Portal,
    /// A host that serves the portals' blade frames (`frame_domains`).
    Frame,
    /// Anywhere else: nothing is scanned.
    Elsewhere,
}

/// Where `url` is: an `https://` URL on a portal host, on a frame host, or elsewhere.
pub fn place(url: &str) -> Place {
    let Some(loc) = Location::parse(url) else {
        return Place::Elsewhere;
    };
    let host = loc.host.trim_end_matches('.');
    if ENTRA_SITE.hosts.contains(&host) {
        Place::Portal
    } else if ENTRA_SITE.frame_domains.iter().any(|d| host == *d || host.strip_suffix(d).is_some_and(|sub| sub.ends_with('.') && sub.len() > 1)) {
        // Like the match pattern https://*.<domain>/*: the domain itself and every subdomain.
        Place::Frame
    } else {
        Place::Elsewhere
    }
}

/// The match patterns of every host the content script runs on, in the order of the rules:
/// `https://<host>/*` for each portal, then `https://*.<domain>/*` for each frame domain.
/// These are the manifest's optional host permissions (crate/tests/entra.rs checks them).
pub fn origins() -> Vec<String> {
    let portals = ENTRA_SITE.hosts.iter().map(|h| format!("https://{h}/*"));
    portals.chain(ENTRA_SITE.frame_domains.iter().map(|d| format!("https://*.{d}/*"))).collect()
}

/// The plan for the page (or frame) at `url`.
pub fn plan(url: &str) -> EntraPlan {
    let site = &ENTRA_SITE;
    EntraPlan {
        scan: place(url) != Place::Elsewhere,
        settings_page: is_settings_page(url),
        settles: is_settings_page(url) || place(url) == Place::Frame,
        group_selector: site.group_selector,
        radio_selector: site.radio_selector,
        frame_selector: site.frame_selector,
        caption_selector: site.caption_selector,
        caption_levels: site.caption_levels,
        signed_out_selector: site.signed_out_selector,
        max_text_chars: site.max_text_chars,
        max_groups: site.max_groups,
        max_radios: site.max_radios + 1,
        max_frames: site.max_frames,
        settle_ms: site.settle_ms,
        debounce_ms: site.debounce_ms,
    }
}

/// Whether `url` is on one of the portals (any path, any port).
pub fn is_entra(url: &str) -> bool {
    place(url) == Place::Portal
}

/// Whether `url` is the User settings page: a portal URL whose fragment holds one of the
/// page's routes, starting at the fragment's start or after a `/` (a tenant prefix such as
/// `#@contoso.onmicrosoft.com/view/...`), and ending at its end or before `/`, `?` or `&`.
pub fn is_settings_page(url: &str) -> bool {
    if !is_entra(url) {
        return false;
    }
    let Some((_, fragment)) = url.split_once('#') else {
        return false;
    };
    let fragment = fragment.to_ascii_lowercase();
    ENTRA_SITE.settings_fragments.iter().any(|route| {
        fragment.match_indices(route).any(|(at, _)| {
            let before_ok = at == 0 || fragment[..at].ends_with('/');
            let after = &fragment[at + route.len()..];
            let after_ok = after.is_empty() || after.starts_with(['/', '?', '&']);
            before_ok && after_ok
        })
    })
}

/// The User settings page to open ("Show me").
pub fn settings_url() -> &'static str {
    ENTRA_SITE.settings_url
}

// ---- facts --------------------------------------------------------------------------------

/// What the content script reports: every radio group in its frame and the same-origin
/// frames below it.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EntraFacts {
    /// `location.href` of the scanning frame.
    pub url: String,
    /// The address of the tab's top page, as the browser gives it to the background with
    /// the message (never what the page says); empty when not known. A frame of another
    /// origin cannot read it itself.
    pub tab_url: String,
    /// Whether the scanning frame is the tab's top frame.
    pub top: bool,
    /// Milliseconds since the page loaded or navigated in-app.
    pub elapsed_ms: f64,
    /// Whether a sign-in form is shown.
    pub signed_out: bool,
    /// The radio groups, in document order (frame by frame).
    pub groups: Vec<GroupFacts>,
    /// The frames below that could not be read (another origin, or sandboxed): each runs
    /// its own content script and answers for itself.
    pub frames: Vec<FrameFacts>,
}

/// A frame the scanning frame could not read.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FrameFacts {
    /// Its address (the frame element's resolved `src`).
    pub url: String,
    /// Whether it takes up room on the page (the portals also keep hidden frames).
    pub visible: bool,
}

/// Plain facts about one radio group.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GroupFacts {
    /// Candidate captions, best first: `aria-labelledby` text, `aria-label`, the caption
    /// inside the group (legend or label), the text just before it. The first non-empty
    /// one is the group's caption.
    pub labels: Vec<String>,
    /// The group's own radios (not those of a group nested in it), in document order.
    pub radios: Vec<RadioFacts>,
}

/// Plain facts about one radio.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RadioFacts {
    /// Its label text (`<label>`s, `aria-labelledby`, `aria-label`, or its own text).
    pub label: String,
    /// The `checked` property of an `<input>`; `None` for other elements.
    pub checked: Option<bool>,
    /// The `aria-checked` attribute, as written.
    pub aria_checked: Option<String>,
}

impl RadioFacts {
    /// Whether it is selected: an input's `checked`, else its `aria-checked`; `None` when
    /// it does not say.
    pub fn selected(&self) -> Option<bool> {
        self.checked.or(match self.aria_checked.as_deref().map(str::trim) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        })
    }
}

// ---- outcome ------------------------------------------------------------------------------

/// What a scan learned about the setting: the wire form is
/// `{state: 'yes'|'selected-group'|'no'|'unknown', reason?, recommended: 'no'}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ObservationWire", from = "ObservationWire")]
pub struct EntraObservation {
    /// What was seen.
    pub observed: EntraObserved,
}

#[derive(Clone, Serialize, Deserialize)]
struct ObservationWire {
    state: EntraState,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    reason: Option<EntraReason>,
    /// Always the benchmark's recommendation; ignored when read back.
    #[serde(default, skip_deserializing)]
    recommended: Option<EntraOption>,
}

impl From<ObservationWire> for EntraObservation {
    fn from(w: ObservationWire) -> Self {
        EntraObservation { observed: EntraObserved::join(w.state, w.reason) }
    }
}

impl From<EntraObservation> for ObservationWire {
    fn from(o: EntraObservation) -> Self {
        let (state, reason) = o.observed.split();
        ObservationWire { state, reason, recommended: Some(ENTRA_SETTING.recommended) }
    }
}

/// The Entra answer as stored (`org.entra`): the observation, when and where it was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntraRecord {
    /// What was seen.
    #[serde(flatten)]
    pub observation: EntraObservation,
    /// When (ms since the epoch).
    pub checked_at: f64,
    /// The frame's address.
    #[serde(default)]
    pub url: String,
}

/// How long a known answer outlasts a "not found" (the portal re-renders its blades).
const KEEP_KNOWN_MS: f64 = 60_000.0;

/// What to store after an observation, or `None` to keep `previous`: a "not found" or
/// "not loaded" while the portal re-renders must not wipe an answer read less than a
/// minute ago; every other observation (an option, conflicting, ambiguous, signed out)
/// replaces it.
pub fn record(previous: Option<&EntraRecord>, observation: EntraObservation, now: f64, url: &str) -> Option<EntraRecord> {
    let known = previous.is_some_and(|p| !matches!(p.observation.observed, EntraObserved::Unknown(_)) && now - p.checked_at < KEEP_KNOWN_MS);
    let missing = matches!(observation.observed, EntraObserved::Unknown(EntraReason::NotFound | EntraReason::NotLoaded));
    if known && missing {
        return None;
    }
    Some(EntraRecord { observation, checked_at: now, url: url.to_string() })
}

/// An instruction to mark one radio group.
#[derive(Debug, PartialEq, Serialize)]
pub struct EntraMark {
    /// Index into [`EntraFacts::groups`].
    pub index: usize,
    /// The option the group shows, or `unknown`.
    pub state: EntraState,
    /// How to draw it.
    pub look: Look,
    /// The label shown beside the group.
    pub label: Text,
}

/// The result of one scan.
#[derive(Debug, Default, Serialize)]
pub struct EntraOutcome {
    /// Groups to mark (every other mark is removed).
    pub marks: Vec<EntraMark>,
    /// What to record, or `None` when this scan has nothing to say (another page, a frame
    /// that did not see the setting, a page still loading).
    pub observation: Option<EntraObservation>,
}

/// Folds a page text for comparison: [`normalize`], then without a trailing required-field
/// asterisk.
fn fold(text: &str) -> String {
    let mut n = normalize(text);
    while n.ends_with(['*', ' ', '.', ':', '?', '!']) {
        n.pop();
    }
    n
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    None,
    Unconfirmed,
    Confirmed,
}

/// Whether the group's caption (its first non-empty candidate caption) is a label of the
/// setting. Only the first counts: a group with a name of its own is that, whatever text
/// precedes it.
fn setting_match(group: &GroupFacts) -> Match {
    let Some(caption) = group.labels.iter().take(8).map(|t| fold(t)).find(|n| !n.is_empty()) else {
        return Match::None;
    };
    let mut best = Match::None;
    for l in ENTRA_SETTING.labels.iter().filter(|l| l.norm == caption) {
        best = best.max(if l.confirmed { Match::Confirmed } else { Match::Unconfirmed });
    }
    best
}

/// The option a radio label names.
pub fn option_named(text: &str) -> Option<EntraOption> {
    let n = fold(text);
    ENTRA_OPTIONS.iter().find(|o| o.labels.iter().any(|l| l.norm == n)).map(|o| o.option)
}

/// The options of a group's radios, if every radio names a different option and both
/// Yes and No are among them.
fn options_of(group: &GroupFacts) -> Option<Vec<EntraOption>> {
    if group.radios.is_empty() || group.radios.len() > ENTRA_SITE.max_radios as usize {
        return None;
    }
    let mut options = Vec::with_capacity(group.radios.len());
    for r in &group.radios {
        let o = option_named(&r.label)?;
        if options.contains(&o) {
            return None;
        }
        options.push(o);
    }
    (options.contains(&EntraOption::Yes) && options.contains(&EntraOption::No)).then_some(options)
}

/// The option a group identified as the setting shows.
fn selection(group: &GroupFacts) -> EntraObserved {
    let Some(options) = options_of(group) else {
        return EntraObserved::Unknown(EntraReason::Ambiguous);
    };
    let checked: Vec<usize> = group.radios.iter().enumerate().filter(|(_, r)| r.selected() == Some(true)).map(|(i, _)| i).collect();
    match checked.as_slice() {
        [one] => EntraObserved::Option(options[*one]),
        _ => EntraObserved::Unknown(EntraReason::Ambiguous),
    }
}

/// The label beside the group, e.g. "LinkedIn account connections: Yes (CIS 1.1.18
/// recommends No)"; also what the popup says about a stored observation.
pub fn describe(observed: EntraObserved) -> Text {
    match observed {
        EntraObserved::Option(EntraOption::Yes) => Text::new("entraMarkYes").arg(ENTRA_SETTING.benchmark),
        EntraObserved::Option(EntraOption::SelectedGroup) => Text::new("entraMarkSelectedGroup").arg(ENTRA_SETTING.benchmark),
        EntraObserved::Option(EntraOption::No) => Text::new("entraMarkNo").arg(ENTRA_SETTING.benchmark),
        EntraObserved::Unknown(reason) => Text::new("entraMarkUnknown").arg(Text::new(reason.msg())),
    }
}

/// Scans one frame's facts.
pub fn scan(facts: &EntraFacts) -> EntraOutcome {
    let mut outcome = EntraOutcome::default();
    let here = place(&facts.url);
    if here == Place::Elsewhere {
        return outcome;
    }

    for (index, group) in facts.groups.iter().take(ENTRA_SITE.max_groups as usize).enumerate() {
        let identified = match (setting_match(group), here) {
            (Match::None, _) => false,
            // On a portal's own page its confirmed caption is enough.
            (Match::Confirmed, Place::Portal) => true,
            // A guessed translation, or any caption in a frame host's page (they serve
            // many products' blades), counts only together with the options' labels.
            _ => options_of(group).is_some(),
        };
        if !identified {
            continue;
        }
        let observed = selection(group);
        outcome.marks.push(EntraMark { index, state: observed.split().0, look: observed.look(), label: describe(observed) });
        let merged = match outcome.observation {
            None => observed,
            Some(seen) if seen.observed == observed => observed,
            Some(_) => EntraObserved::Unknown(EntraReason::Conflicting),
        };
        outcome.observation = Some(EntraObservation { observed: merged });
    }
    if outcome.observation.is_some() {
        return outcome;
    }

    outcome.observation = missing(facts).map(|reason| EntraObservation { observed: EntraObserved::Unknown(reason) });
    outcome
}

/// Why the setting is missing from a frame that did not show it, if that frame can say:
/// - the top frame of the User settings page: signed out at once; once settled, not loaded
///   (no radio groups) or not found, unless a visible frame it cannot read may hold the
///   blade (that frame answers for itself);
/// - a frame of its own below it, while the tab shows the User settings page: not found
///   once settled, if it shows radio groups (a blade, but not this setting's); a frame
///   without any says nothing (the portals keep hidden and helper frames).
fn missing(facts: &EntraFacts) -> Option<EntraReason> {
    let settled = !facts.elapsed_ms.is_nan() && facts.elapsed_ms >= f64::from(ENTRA_SITE.settle_ms);
    if facts.top {
        if !is_settings_page(&facts.url) {
            return None;
        }
        if facts.signed_out {
            return Some(EntraReason::SignedOut);
        }
        let blade_frame = facts.frames.iter().take(ENTRA_SITE.max_frames as usize).any(|f| f.visible && place(&f.url) != Place::Elsewhere);
        if !settled || blade_frame {
            return None;
        }
        return Some(if facts.groups.is_empty() { EntraReason::NotLoaded } else { EntraReason::NotFound });
    }
    (is_settings_page(&facts.tab_url) && settled && !facts.groups.is_empty()).then_some(EntraReason::NotFound)
}
