//! Page facts in, marks and observations out: which switch on a page is which setting,
//! and what state it shows.
//!
//! A switch is identified by independent signals. Strong ones work on any page: its
//! `aria-labelledby` key, its element `id`, or a whole label text equal (after
//! [`normalize`]) to a confirmed catalogue label of at least `min_words_anywhere` words.
//! Weak ones only count on a setting's own page: being the page's only switch, an
//! unconfirmed or short label, or the row's text containing one of the setting's labels as
//! whole words. A switch whose signals point at no setting, or at more than one, is left
//! alone.
//!
//! A setting's own page is the page at one of its paths (or the same path in a mirrored
//! tree such as `/mypreferences/m/`), or, for settings marked `by_heading`, a page whose
//! title is one of its labels. On its own page a setting that shows no switch is unknown:
//! "a list" when the page holds plain checkboxes (never guessed), else "loading" or "not
//! found". A connection (Partners and services › Microsoft) is read from the names of the
//! page's list entries: "on" when its entry is there, otherwise unknown, never "off".

use serde::{Deserialize, Serialize};

use crate::catalogue::{Kind, Setting, SwitchState, Wording, SETTINGS, SITE};
use crate::normalize::normalize;
use crate::text::Text;
pub use crate::url::{canonical_path, same_path};
use crate::url::Location;

/// Most candidates one scan accepts; a page with more is hostile or broken.
pub const MAX_CANDIDATES: usize = 20_000;

/// What the content script reports about a page: every field but the URL may be absent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageFacts {
    /// `location.href`.
    pub url: String,
    /// Milliseconds since the page loaded or was navigated to in-app.
    #[serde(default)]
    pub elapsed_ms: f64,
    /// Whether a sign-in form is on the page.
    #[serde(default)]
    pub login_form: bool,
    /// Whether a modal dialog is open (LinkedIn asking to confirm a change).
    #[serde(default)]
    pub dialog_open: bool,
    /// Every element matching the plan's candidate selector, in document order, open
    /// shadow roots included.
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    /// Text of the page's title (the plan's heading selector), at most `max_text_chars`.
    #[serde(default)]
    pub heading: String,
    /// How many plain checkboxes (the plan's checkbox selector) the page holds.
    #[serde(default)]
    pub checkboxes: u32,
    /// On pages whose plan asks for entries: the text of each list entry's name (the
    /// plan's entry selector), at most `max_entries` texts of at most `max_entry_chars`.
    #[serde(default)]
    pub entries: Vec<String>,
    /// `document.documentElement.lang` (a category page's words are read in it).
    #[serde(default)]
    pub lang: String,
    /// The page's links (the category rules' selector), at most `max_links`.
    #[serde(default)]
    pub links: Vec<crate::category::LinkFact>,
    /// Whether the page's `localStorage` has a key name starting with the rules'
    /// `signed_in_key_prefix` (a positive sign of a signed-in member; names only, never
    /// values). Absent: `false`, no sign either way.
    #[serde(default)]
    pub signed_in: bool,
    /// The HTTP status of the page's document, when the browser tells it.
    #[serde(default)]
    pub http_status: Option<u16>,
    /// When the document was loaded (`performance.timeOrigin`, ms since the epoch): a job
    /// tells a late scan of the document its tab showed before from the one it asked for.
    #[serde(default)]
    pub loaded_at: Option<f64>,
    /// When the page script began this reading (ms since the epoch, the page's clock): a
    /// reading begun before "Forget everything" is never stored after it.
    #[serde(default)]
    pub taken_at: Option<f64>,
    /// Per candidate, in the same order: the element's own `id` (for a report).
    #[serde(default)]
    pub candidate_ids: Vec<String>,
    /// The member's own identity as the page shows it (name, headline, profile slug):
    /// used only to scrub it from a report's record ([`crate::report::scrub`]), never kept.
    #[serde(default)]
    pub identity: Vec<String>,
}

impl PageFacts {
    /// The facts a category page is read from.
    pub fn category(&self) -> crate::category::CategoryFacts<'_> {
        crate::category::CategoryFacts { url: &self.url, lang: &self.lang, links: &self.links, login_form: self.login_form, elapsed_ms: self.elapsed_ms }
    }
}

/// Plain facts about one candidate switch; every field may be absent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Candidate {
    /// Lower-case tag name.
    pub tag: String,
    /// The `type` attribute of an `<input>`.
    pub input_type: Option<String>,
    /// The `role` attribute.
    pub role: Option<String>,
    /// The `checked` property of an `<input>`.
    pub checked: Option<bool>,
    /// The `aria-checked` attribute.
    pub aria_checked: Option<String>,
    /// The ids listed in `aria-labelledby`.
    pub labelledby: Vec<String>,
    /// Text of the elements `aria-labelledby` names.
    pub labelledby_text: String,
    /// The `aria-label` attribute.
    pub aria_label: String,
    /// Text of the `<label>` elements of an `<input>`.
    pub label_text: String,
    /// Text of the switch's row: the nearest ancestor holding no other candidate.
    pub context_text: String,
    /// The element's `id` attribute.
    pub id: String,
    /// Whether the person can see neither the element nor its row: `display:none`,
    /// `visibility:hidden`, `opacity:0` (on it or an ancestor, as an exit animation leaves a
    /// stale copy), `content-visibility:hidden` (the row's own or an ancestor's), the
    /// `hidden` attribute, a collapsed section. `aria-hidden` and `inert` hide nothing from
    /// the eye (a page puts them on everything behind a modal dialog) and do not count.
    /// A hidden copy never overrides a seen one and is never marked; a setting whose only
    /// switch is hidden is still read. Absent: `false` (seen).
    pub hidden: bool,
    /// Whether the element itself cannot be seen (as for `hidden`), whatever its row shows:
    /// a styled switch that hides its native input and draws its own, or a copy whose switch
    /// alone was made transparent. A copy whose switch is seen overrides it. Absent: `false`.
    pub switch_hidden: bool,
}

/// How much of a copy of a switch the person can see, least first. For each setting the
/// copies the person sees best decide: the others are never marked and never read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sight {
    /// Neither the switch nor its row (it is read only when no copy is seen).
    Hidden,
    /// Its row, not the switch element itself (a styled switch hiding its input).
    Row,
    /// The switch itself.
    Switch,
}

impl Candidate {
    /// How much of it the person can see.
    pub fn sight(&self) -> Sight {
        if self.hidden {
            Sight::Hidden
        } else if self.switch_hidden {
            Sight::Row
        } else {
            Sight::Switch
        }
    }
}


/// Why a setting's state is not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// LinkedIn showed its sign-in page.
    NotLoggedIn,
    /// The setting's page settled without a recognisable switch.
    NotFound,
    /// The setting's page has not finished rendering.
    Loading,
    /// The page showed the setting more than once, in different states.
    Conflicting,
    /// The setting's page has not been visited.
    NotChecked,
    /// The page did not load or answer in time.
    TimedOut,
    /// After the click, the switch still showed the same state.
    DidNotChange,
    /// LinkedIn asked for a confirmation in a dialog that was not given.
    NotConfirmed,
    /// The person cancelled.
    Cancelled,
    /// The switch changed after the click, then LinkedIn changed it back.
    Reverted,
    /// The page did not load (network error, the browser's error page), even on a second try.
    NotLoaded,
    /// LinkedIn answered with an error page (an HTTP error status), even on a second try.
    PageError,
    /// LinkedIn showed a security check ("verify it's you", a captcha) instead of the page.
    Checkpoint,
    /// The setting's page shows switches, but none that a rule recognises.
    Unrecognised,
    /// The setting's page is a list of checkboxes, not one switch: the person reviews it.
    List,
    /// A connection's entry was not seen on its page (which is not the same as "not connected").
    NotSeen,
    /// The setting's page, seen by a signed-in member, settled without a switch any rule
    /// recognises: LinkedIn may have changed it.
    Changed,
    /// The setting's only switch is in a part of the page the person cannot see (a
    /// collapsed section): it was read, but it is not marked or clicked.
    Hidden,
    /// After the click, a fresh load of the setting's page still showed the old state:
    /// LinkedIn did not keep the change.
    NotKept,
    /// After the click, no fresh load of the setting's page showed the new state in time:
    /// LinkedIn has not confirmed the change.
    Unconfirmed,
}

impl Reason {
    /// The i18n message explaining it to the person.
    pub fn msg(self) -> &'static str {
        match self {
            Reason::NotLoggedIn => "reasonNotLoggedIn",
            Reason::NotFound => "reasonNotFound",
            Reason::Loading => "reasonLoading",
            Reason::Conflicting => "reasonConflicting",
            Reason::NotChecked => "reasonNotChecked",
            Reason::TimedOut => "reasonTimedOut",
            Reason::DidNotChange => "reasonDidNotChange",
            Reason::NotConfirmed => "reasonNotConfirmed",
            Reason::Cancelled => "reasonCancelled",
            Reason::Reverted => "reasonReverted",
            Reason::NotLoaded => "reasonNotLoaded",
            Reason::PageError => "reasonPageError",
            Reason::Checkpoint => "reasonCheckpoint",
            Reason::Unrecognised => "reasonUnrecognised",
            Reason::List => "reasonList",
            Reason::NotSeen => "reasonNotSeen",
            Reason::Changed => "reasonChanged",
            Reason::Hidden => "reasonHidden",
            Reason::NotKept => "reasonNotKept",
            Reason::Unconfirmed => "reasonUnconfirmed",
        }
    }
}

/// What a scan learned about one setting. In stored and wire form it is two fields,
/// `state` and (when unknown) `reason`: see [`ObservationWire`] and `state::EntryWire`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    /// The switch is on.
    On,
    /// The switch is off.
    Off,
    /// The state could not be read, for this reason.
    Unknown(Reason),
}

/// The `state` field of an [`Observed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateWord {
    /// On.
    On,
    /// Off.
    Off,
    /// Unknown; see the reason. Also what a state this version does not know reads as.
    #[serde(other)]
    Unknown,
}

impl Observed {
    /// The two fields of the stored and wire form.
    pub fn split(self) -> (StateWord, Option<Reason>) {
        match self {
            Observed::On => (StateWord::On, None),
            Observed::Off => (StateWord::Off, None),
            Observed::Unknown(r) => (StateWord::Unknown, Some(r)),
        }
    }

    /// Rebuilds from the two fields; an unknown state without a reason reads as never checked.
    pub fn join(state: StateWord, reason: Option<Reason>) -> Observed {
        match state {
            StateWord::On => Observed::On,
            StateWord::Off => Observed::Off,
            StateWord::Unknown => Observed::Unknown(reason.unwrap_or(Reason::NotChecked)),
        }
    }
}

impl From<SwitchState> for Observed {
    fn from(s: SwitchState) -> Self {
        match s {
            SwitchState::On => Observed::On,
            SwitchState::Off => Observed::Off,
        }
    }
}

/// A setting observed on a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "ObservationWire", from = "ObservationWire")]
pub struct Observation {
    /// Setting id.
    pub setting: String,
    /// What was seen.
    pub observed: Observed,
}

/// [`Observation`] as it crosses and is stored.
#[derive(Clone, Serialize, Deserialize)]
struct ObservationWire {
    setting: String,
    state: StateWord,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    reason: Option<Reason>,
}

impl From<ObservationWire> for Observation {
    fn from(w: ObservationWire) -> Self {
        Observation { setting: w.setting, observed: Observed::join(w.state, w.reason) }
    }
}

impl From<Observation> for ObservationWire {
    fn from(o: Observation) -> Self {
        let (state, reason) = o.observed.split();
        ObservationWire { setting: o.setting, state, reason }
    }
}

/// An instruction to the content script to mark one candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// Index into [`PageFacts::candidates`].
    pub index: usize,
    /// Setting id.
    pub setting: String,
    /// The switch's state.
    pub state: SwitchState,
    /// Whether that state protects the user.
    pub protective: bool,
    /// The label shown beside the switch, longest first: the content script uses the
    /// first that fits the free space beside the switch (only sent, never read back).
    #[serde(skip_deserializing)]
    pub labels: Vec<Text>,
}

/// A switch identified as a setting's but not marked: the person cannot see it (or sees
/// another copy of the setting better).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HiddenCopy {
    /// Index into [`PageFacts::candidates`].
    pub index: usize,
    /// Setting id.
    pub setting: String,
}

/// The result of scanning one page.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanOutcome {
    /// Candidates to mark.
    pub marks: Vec<Mark>,
    /// Settings learned about (including ones expected on this page but not found).
    pub observations: Vec<Observation>,
    /// On a category page: what it told (its settled settings are among `observations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<crate::category::CategoryRead>,
    /// Switches identified but never marked: the person cannot see them, or sees another
    /// copy of the setting better (its switch, where this one shows only its row).
    #[serde(default)]
    pub hidden_copies: Vec<HiddenCopy>,
}



/// Scans one page's facts.
pub fn scan(facts: &PageFacts) -> ScanOutcome {
    let mut outcome = ScanOutcome::default();
    let Some(loc) = Location::parse(&facts.url).filter(Location::is_linkedin) else {
        return outcome;
    };

    if let Some(asked_for) = login_redirect_target(&loc) {
        for s in settings_at(&asked_for) {
            outcome.observations.push(Observation {
                setting: s.id.into(),
                observed: Observed::Unknown(Reason::NotLoggedIn),
            });
        }
        // A category page asked for: the job reading it learns it is signed out.
        if let Some(page) = crate::category::page_at(&asked_for) {
            let read = crate::category::CategoryRead { page: page.id.into(), ready: true, signed_out: true, ..Default::default() };
            outcome.category = Some(read);
        }
        return outcome;
    }

    let heading = normalize(&facts.heading);
    let own_page: Vec<&'static Setting> = own_settings(&loc.path, &heading).collect();
    let switches: Vec<(usize, &Candidate, SwitchState)> = facts
        .candidates
        .iter()
        .take(MAX_CANDIDATES)
        .enumerate()
        .filter_map(|(i, c)| switch_state(c).map(|s| (i, c, s)))
        .collect();

    let identified: Vec<(usize, &'static Setting, SwitchState, Sight)> = switches
        .iter()
        .filter_map(|&(index, candidate, state)| identify(candidate, &own_page, switches.len()).map(|s| (index, s, state, candidate.sight())))
        .collect();
    // Rendered copies decide: for each setting, the copies the person sees best. A hidden
    // copy (a responsive twin, a stale copy an exit animation left transparent) and a copy
    // seen only by its row beside one whose switch is seen are left out of the reading and
    // never marked. A setting whose switches are all hidden (a collapsed section) is still
    // read from them, and not marked: hidden is not absent.
    let mut best: Vec<(&str, Sight)> = Vec::new();
    for &(_, setting, _, sight) in &identified {
        match best.iter_mut().find(|(id, _)| *id == setting.id) {
            Some((_, b)) => *b = (*b).max(sight),
            None => best.push((setting.id, sight)),
        }
    }
    for &(index, setting, state, sight) in &identified {
        let decides = best.iter().any(|&(id, b)| id == setting.id && b == sight);
        if sight == Sight::Hidden || !decides {
            outcome.hidden_copies.push(HiddenCopy { index, setting: setting.id.into() });
            if !decides {
                continue;
            }
        } else {
            outcome.marks.push(Mark {
                index,
                setting: setting.id.into(),
                state,
                protective: state == setting.protective,
                labels: mark_labels(setting, state),
            });
        }
        // One observation per setting seen; disagreeing copies that decide make it unknown.
        let observed = Observed::from(state);
        match outcome.observations.iter_mut().find(|o| o.setting == setting.id) {
            Some(o) if o.observed != observed => o.observed = Observed::Unknown(Reason::Conflicting),
            Some(_) => {}
            None => outcome.observations.push(Observation { setting: setting.id.into(), observed }),
        }
    }

    for s in own_page {
        if outcome.observations.iter().any(|o| o.setting == s.id) {
            continue;
        }
        let settled = facts.elapsed_ms >= f64::from(SITE.settle_ms);
        let observed = if facts.login_form {
            Observed::Unknown(Reason::NotLoggedIn)
        } else if s.kind == Kind::Connection {
            if entry_seen(s, &facts.entries) {
                Observed::On
            } else if settled {
                Observed::Unknown(Reason::NotSeen)
            } else {
                Observed::Unknown(Reason::Loading)
            }
        } else if !settled {
            Observed::Unknown(Reason::Loading)
        } else if facts.checkboxes > 0 {
            Observed::Unknown(Reason::List)
        } else if facts.signed_in {
            // A signed-in member's page without the switch: not a sign-in question.
            Observed::Unknown(Reason::Changed)
        } else {
            Observed::Unknown(Reason::NotFound)
        };
        outcome.observations.push(Observation { setting: s.id.into(), observed });
    }
    // A category page: the states its rows settle, for settings no switch here showed.
    if let Some((mut read, states)) = crate::category::read(&facts.category()) {
        for (setting, state) in states {
            if outcome.observations.iter().any(|seen| seen.setting == setting) {
                read.settled.retain(|id| id != setting);
            } else {
                outcome.observations.push(Observation { setting: setting.into(), observed: Observed::from(state) });
            }
        }
        outcome.category = Some(read);
    }
    outcome
}

/// Whether a connection's entry is among the page's entry names (whole names only).
fn entry_seen(s: &Setting, entries: &[String]) -> bool {
    let max = SITE.max_entries as usize;
    entries.iter().take(max).any(|e| {
        let e = normalize(e);
        s.labels.iter().any(|l| l.confirmed && l.norm == e)
    })
}

/// Whether `words` occurs in `text` as whole words (both normalised).
fn has_words(text: &str, words: &str) -> bool {
    !words.is_empty() && format!(" {text} ").contains(&format!(" {words} "))
}

/// Whether a confirmed label is long enough to name its setting on any page.
fn names_anywhere(l: &Wording) -> bool {
    l.confirmed && l.norm.split(' ').count() >= SITE.min_words_anywhere as usize
}

/// The state a candidate shows, or `None` if it is not a switch we trust.
///
/// For a native checkbox the `checked` property wins over `aria-checked`: it is what the
/// browser submits and what LinkedIn reads.
pub fn switch_state(c: &Candidate) -> Option<SwitchState> {
    let is_switch = c.role.as_deref().is_some_and(|r| r.trim().eq_ignore_ascii_case("switch"));
    if !is_switch {
        return None;
    }
    let on = if c.tag == "input" {
        if !c.input_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("checkbox")) {
            return None;
        }
        c.checked?
    } else {
        match c.aria_checked.as_deref().map(str::trim) {
            Some("true") => true,
            Some("false") => false,
            _ => return None,
        }
    };
    Some(if on { SwitchState::On } else { SwitchState::Off })
}

fn identify(c: &Candidate, own_page: &[&'static Setting], switch_count: usize) -> Option<&'static Setting> {
    let texts: Vec<String> = [&c.labelledby_text, &c.aria_label, &c.label_text]
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| normalize(t))
        .collect();

    let mut strong: Vec<&'static Setting> = Vec::new();
    for s in SETTINGS.iter().filter(|s| s.kind == Kind::Switch) {
        let by_key = c.labelledby.iter().any(|id| s.keys.contains(&id.as_str()));
        let by_id = !c.id.is_empty() && s.element_ids.contains(&c.id.as_str());
        let by_label = s.labels.iter().any(|l| names_anywhere(l) && texts.iter().any(|t| t == l.norm));
        if by_key || by_id || by_label {
            strong.push(s);
        }
    }
    match strong.as_slice() {
        [one] => return Some(one),
        [] => {}
        _ => return None,
    }

    // Weak signals, only for the settings this page exists to show.
    let context = normalize(&c.context_text);
    let switch_settings: Vec<&'static Setting> = own_page.iter().copied().filter(|s| s.kind == Kind::Switch).collect();
    let weak: Vec<&'static Setting> = switch_settings
        .iter()
        .copied()
        .filter(|s| {
            let by_label = s.labels.iter().any(|l| texts.iter().any(|t| t == l.norm));
            let in_row = s.labels.iter().any(|l| l.confirmed && has_words(&context, l.norm));
            (switch_settings.len() == 1 && switch_count == 1) || by_label || in_row
        })
        .collect();
    match weak.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The labels that may be shown beside a switch, longest first: "AI training: ON
/// (LinkedIn may use your data)", "AI training: ON", "ON". The page decides which fits.
pub fn mark_labels(s: &Setting, state: SwitchState) -> Vec<Text> {
    let (full, short, word) = match state {
        SwitchState::On => ("markOn", "markOnShort", "pillOn"),
        SwitchState::Off => ("markOff", "markOff", "pillOff"),
    };
    let mut labels = vec![Text::new(full).arg(Text::new(s.msg_short))];
    if short != full {
        labels.push(Text::new(short).arg(Text::new(s.msg_short)));
    }
    labels.push(Text::new(word));
    labels
}

/// The catalogued settings whose own page is at `path` (in any mirrored tree).
pub fn settings_at(path: &str) -> impl Iterator<Item = &'static Setting> + '_ {
    SETTINGS.iter().filter(move |s| s.paths.iter().any(|p| same_path(p, path)))
}

/// The settings whose own page this is: by path, or by the page's (normalised) title.
fn own_settings<'a>(path: &'a str, heading: &'a str) -> impl Iterator<Item = &'static Setting> + 'a {
    SETTINGS.iter().filter(move |s| {
        s.paths.iter().any(|p| same_path(p, path))
            || (s.by_heading && !heading.is_empty() && s.labels.iter().any(|l| l.confirmed && l.norm == heading))
    })
}

/// If `loc` is LinkedIn's sign-in page, the path of the page it was asked for instead
/// (empty when it does not say).
fn login_redirect_target(loc: &Location) -> Option<String> {
    if !SITE.login_paths.iter().any(|p| same_path(p, &loc.path)) {
        return None;
    }
    let target = SITE
        .redirect_params
        .iter()
        .find_map(|name| loc.query_param(name))
        .and_then(|raw| {
            // The redirect is either a path or a full URL.
            if raw.starts_with('/') {
                Location::parse(&SITE.at(&raw))
            } else {
                Location::parse(&raw)
            }
        })
        .filter(Location::is_linkedin)
        .map(|l| l.path)
        .unwrap_or_default();
    Some(target)
}

/// Whether `url` is LinkedIn's sign-in page.
pub fn is_login_page(url: &str) -> bool {
    Location::parse(url).filter(Location::is_linkedin).is_some_and(|loc| login_redirect_target(&loc).is_some())
}

/// Whether the content script should scan this page at all.
pub fn should_scan(url: &str) -> bool {
    Location::parse(url).filter(Location::is_linkedin).is_some_and(|loc| {
        SITE.scan_prefixes.iter().any(|p| loc.path.starts_with(p)) || login_redirect_target(&loc).is_some()
    })
}
