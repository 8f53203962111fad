//! What the popup and the toolbar badge tell the user, computed from stored state.

use serde::Serialize;

use crate::catalogue::{Category, SwitchState, SETTINGS};
use crate::detect::{Observed, Reason};
use crate::state::{Alert, Stored};

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
    /// Settings flagged for attention (turned back on, or newly on).
    pub alerts: usize,
    /// A warning to lead with, when any setting is flagged.
    pub warning: Option<String>,
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
    /// Why this setting is flagged, if it is.
    pub alert: Option<Alert>,
    /// "Changed 3 days ago (off → on)", if a change was seen.
    pub changed_text: Option<String>,
    /// Whether the latest check saw a different state than the check before it.
    pub changed_at_last_check: bool,
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
const AMBER: &str = "#e37400";

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
                alert: entry.and_then(|e| e.alert),
                changed_text: entry.and_then(|e| e.history.last()).filter(|c| c.from.is_some()).map(|c| {
                    let by = if c.by.is_some() { ", by you through Opt-Out Lens" } else { "" };
                    format!("Changed {} ({} \u{2192} {}{by})", ago(now, c.at), c.from.map_or("?", word), word(c.to))
                }),
                changed_at_last_check: entry.is_some_and(|e| {
                    e.history.last().is_some_and(|c| c.from.is_some() && c.at == e.checked_at)
                }),
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
    let flagged: Vec<&str> = rows.iter().filter(|r| r.alert.is_some()).map(|r| r.title).collect();
    let warning = match flagged.as_slice() {
        [] => None,
        [one] => Some(format!("Turned on again: \u{201c}{one}\u{201d}. You had it off, or it is new since your last full check.")),
        many => Some(format!("{} settings turned on again or appeared since your last full check: {}.", many.len(), many.join(", "))),
    };
    Summary { headline, subline, exposed, unknown, alerts: flagged.len(), warning, rows, links: links() }
}

/// The toolbar badge for the stored state.
pub fn badge(stored: &Stored) -> Badge {
    let s = summary(stored, 0.0);
    let color = if s.alerts > 0 {
        AMBER
    } else if s.exposed > 0 {
        RED
    } else if s.unknown > 0 {
        GREY
    } else {
        GREEN
    };
    let mut title = format!("Opt-Out Lens: {}", s.headline);
    if s.unknown > 0 {
        title += &format!("; {} not known yet", s.unknown);
    }
    if let Some(w) = &s.warning {
        title += &format!(". {w}");
    }
    Badge { text: s.exposed.to_string(), color, title }
}

fn links() -> Vec<Link> {
    vec![
        Link { title: "LinkedIn: How LinkedIn uses your data (settings)", url: "https://www.linkedin.com/mypreferences/d/categories/privacy" },
        Link { title: "LinkedIn: Advertising data (settings)", url: "https://www.linkedin.com/mypreferences/d/categories/ads" },
        Link { title: "LinkedIn Privacy Policy", url: "https://www.linkedin.com/legal/privacy-policy" },
    ]
}

/// "on" or "off".
pub fn word(s: SwitchState) -> &'static str {
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
