//! A scan of a settings page as the background receives it: the page's facts, read once,
//! scanned (`detect::scan`) and refined with what only the whole page tells (an error
//! status, switches no rule knows), with the few facts about the page itself that a job
//! needs. The report reads its record from the same facts only when a page is remembered
//! for "Report a problem".

use serde::{Deserialize, Serialize};

use crate::detect::{self, HiddenCopy, Mark, Observation, Observed, PageFacts, Reason, ScanOutcome};

/// What the page said about itself that a job and the background read (taken from the
/// scan's facts).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PageLoad {
    /// `location.href`.
    pub url: String,
    /// Whether a modal dialog is open.
    pub dialog_open: bool,
    /// The HTTP status of the page's document, when the browser tells it.
    pub http_status: Option<u16>,
    /// When the document was loaded (`performance.timeOrigin`, ms since the epoch).
    pub loaded_at: Option<f64>,
    /// When the page script began this reading (ms since the epoch).
    pub taken_at: Option<f64>,
}

/// A scan's outcome refined: why a setting's page was not read as it should be.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Examined {
    /// Candidates to mark.
    pub marks: Vec<Mark>,
    /// What was learned, per setting.
    pub observations: Vec<Observation>,
    /// Settings of this page left unknown while it shows switches no rule recognises.
    pub unrecognised: Vec<Unrecognised>,
    /// On a category page: what it told (its settled settings are among `observations`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<crate::category::CategoryRead>,
    /// Switches identified but hidden from the person, never marked.
    pub hidden_copies: Vec<HiddenCopy>,
    /// The page itself, for a job.
    pub page: PageLoad,
}

/// Switches on a setting's page that no rule recognises.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unrecognised {
    /// Setting id.
    pub setting: String,
    /// How many switches.
    pub count: u32,
}

impl Examined {
    /// A plain scan's outcome, of the page `page`, with nothing refined.
    pub fn of(outcome: ScanOutcome, page: PageLoad) -> Examined {
        let ScanOutcome { marks, observations, hidden_copies, category } = outcome;
        Examined { marks, observations, unrecognised: Vec::new(), category, hidden_copies, page }
    }
}

/// Scans a page and refines the outcome: on an error page (HTTP status 400 or more) a
/// missing switch is "LinkedIn showed an error page"; on a setting's page showing
/// switches that no rule recognises, it is "LinkedIn may have changed this page".
pub fn examine(facts: &PageFacts) -> Examined {
    let page = PageLoad { url: facts.url.clone(), dialog_open: facts.dialog_open, http_status: facts.http_status, loaded_at: facts.loaded_at, taken_at: facts.taken_at };
    let mut ex = Examined::of(detect::scan(facts), page);
    let identified = |i: usize| ex.marks.iter().any(|m| m.index == i) || ex.hidden_copies.iter().any(|h| h.index == i);
    let unmarked = facts
        .candidates
        .iter()
        .take(detect::MAX_CANDIDATES)
        .enumerate()
        .filter(|(i, c)| detect::switch_state(c).is_some() && !identified(*i))
        .count() as u32;
    for o in &mut ex.observations {
        if !matches!(o.observed, Observed::Unknown(Reason::NotFound | Reason::Changed)) {
            continue;
        }
        if facts.http_status.is_some_and(|s| s >= 400) {
            o.observed = Observed::Unknown(Reason::PageError);
        } else if unmarked > 0 {
            o.observed = Observed::Unknown(Reason::Unrecognised);
            ex.unrecognised.push(Unrecognised { setting: o.setting.clone(), count: unmarked });
        }
    }
    ex
}
