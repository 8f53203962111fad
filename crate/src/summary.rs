//! What the popup and the toolbar badge tell the user, computed from stored state.

use serde::Serialize;

use crate::catalogue::{Category, SwitchState, SETTINGS};
use crate::detect::{Observed, Reason};
use crate::state::Stored;

/// The popup's content.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// One line, e.g. "3 of 13 settings share your data".
    pub headline: String,
    /// A second line about what is not known yet, if anything.
    pub subline: Option<String>,
    /// Settings known to be on (exposing data).
    pub exposed: usize,
    /// Settings whose state is unknown.
    pub unknown: usize,
    /// One row per catalogued setting, in catalogue order.
    pub rows: Vec<Row>,
    /// Background reading on the November 2025 changes.
    pub links: Vec<Link>,
}

/// One setting in the popup.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// Setting id.
    pub id: &'static str,
    /// LinkedIn's title of the setting.
    pub title: &'static str,
    /// Category.
    pub category: Category,
    /// `on`, `off` or `unknown`.
    pub state: &'static str,
    /// Whether the state protects the user (`false` for unknown).
    pub protective: bool,
    /// A short sentence on what the state means.
    pub state_text: String,
    /// Why the state is unknown: machine code and sentence.
    pub reason: Option<Reason>,
    /// The sentence for `reason`.
    pub reason_text: Option<&'static str>,
    /// "Checked 5 min ago", or `None` if never.
    pub seen_text: Option<String>,
    /// The page to open for "Show me".
    pub url: Option<String>,
}

/// A link for background reading.
#[derive(Debug, Serialize)]
pub struct Link {
    /// Link text.
    pub title: &'static str,
    /// Address.
    pub url: &'static str,
}

/// The toolbar badge.
#[derive(Debug, PartialEq, Serialize)]
pub struct Badge {
    /// Text: the number of settings known to be on.
    pub text: String,
    /// Background colour (CSS hex).
    pub color: &'static str,
    /// Tooltip.
    pub title: String,
}

const RED: &str = "#b3261e";
const GREY: &str = "#5f6368";
const GREEN: &str = "#1e7d32";

/// Builds the popup's summary at time `now` (ms since the epoch).
pub fn summary(stored: &Stored, now: f64) -> Summary {
    let rows: Vec<Row> = SETTINGS
        .iter()
        .map(|s| {
            let entry = stored.settings.get(s.id);
            let observed = entry.map_or(Observed::Unknown(Reason::NotChecked), |e| e.observed);
            let (state, protective, reason) = match observed {
                Observed::On => ("on", s.protective == SwitchState::On, None),
                Observed::Off => ("off", s.protective == SwitchState::Off, None),
                Observed::Unknown(r) => ("unknown", false, Some(r)),
            };
            let state_text = match (observed, entry.and_then(|e| e.last_known.zip(e.last_known_at))) {
                (Observed::Unknown(_), Some((was, at))) => {
                    format!("Unknown now; it was {} {}.", word(was), ago(now, at))
                }
                (Observed::Unknown(_), None) => String::new(),
                _ if protective => "Off: LinkedIn does not use this.".to_string(),
                _ => format!("On: {}.", s.on_means),
            };
            Row {
                id: s.id,
                title: s.title,
                category: s.category,
                state,
                protective,
                state_text,
                reason,
                reason_text: reason.map(Reason::text),
                seen_text: entry.filter(|_| reason != Some(Reason::NotChecked)).map(|e| format!("Checked {}", ago(now, e.checked_at))),
                url: s.url(),
            }
        })
        .collect();
    let total = rows.len();
    let exposed = rows.iter().filter(|r| r.state != "unknown" && !r.protective).count();
    let unknown = rows.iter().filter(|r| r.state == "unknown").count();
    let headline = match exposed {
        1 => format!("1 of {total} settings shares your data"),
        n => format!("{n} of {total} settings share your data"),
    };
    let subline = (unknown > 0).then(|| match unknown {
        1 => "1 setting is not known yet: open it with \u{201c}Show me\u{201d}.".to_string(),
        n => format!("{n} settings are not known yet: open them with \u{201c}Show me\u{201d}."),
    });
    Summary { headline, subline, exposed, unknown, rows, links: links() }
}

/// The toolbar badge for the stored state.
pub fn badge(stored: &Stored) -> Badge {
    let s = summary(stored, 0.0);
    let color = if s.exposed > 0 {
        RED
    } else if s.unknown > 0 {
        GREY
    } else {
        GREEN
    };
    let title = match s.unknown {
        0 => format!("Opt-Out Lens: {}", s.headline),
        n => format!("Opt-Out Lens: {}; {n} not known yet", s.headline),
    };
    Badge { text: s.exposed.to_string(), color, title }
}

fn links() -> Vec<Link> {
    vec![
        Link { title: "LinkedIn: How LinkedIn uses your data (settings)", url: "https://www.linkedin.com/mypreferences/d/categories/privacy" },
        Link { title: "LinkedIn: Advertising data (settings)", url: "https://www.linkedin.com/mypreferences/d/categories/ads" },
        Link { title: "LinkedIn Privacy Policy", url: "https://www.linkedin.com/legal/privacy-policy" },
    ]
}

fn word(s: SwitchState) -> &'static str {
    match s {
        SwitchState::On => "on",
        SwitchState::Off => "off",
    }
}

/// "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn ago(now: f64, then: f64) -> String {
    let minutes = ((now - then) / 60_000.0).max(0.0).floor() as u64;
    match minutes {
        0 => "just now".into(),
        m @ 1..=59 => format!("{m} min ago"),
        m if m < 48 * 60 => format!("{} h ago", m / 60),
        m => format!("{} days ago", m / (24 * 60)),
    }
}
