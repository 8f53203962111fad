//! The export: the summary and history as versioned JSON (schema in
//! `docs/export.schema.json`) and as a readable Markdown report.

use serde::Serialize;

use crate::catalogue::{Category, SwitchState, SETTINGS};
use crate::detect::{Observed, Reason, StateWord};
use crate::state::{Alert, ChangedBy, Stored};
use crate::date::rfc3339;
use crate::managed::Managed;
use crate::summary::{summary, word};
use crate::text::Text;

/// Identifies the JSON format.
pub const FORMAT: &str = "opt-out-lens-export";
/// Version of the JSON format; bump on any incompatible change.
/// Version 2 added `objection`.
pub const VERSION: u32 = 2;

/// The JSON export.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// When the export was made (RFC 3339, UTC).
    pub exported_at: String,
    /// When a "Check all" last completed.
    pub last_full_check_at: Option<String>,
    /// Counts.
    pub summary: Counts,
    /// Every catalogued setting, in catalogue order.
    pub settings: Vec<SettingExport>,
    /// LinkedIn's objection form for the AI training the switch does not cover: what the
    /// person told (never read from LinkedIn).
    pub objection: crate::objection::Export,
}

/// Counts over all settings.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Catalogued settings.
    pub total: usize,
    /// Known to be on (sharing data).
    pub exposed: usize,
    /// Not known.
    pub unknown: usize,
    /// Flagged as turned back on or newly on.
    pub alerts: usize,
}

/// One setting in the export.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingExport {
    /// Stable id.
    pub id: &'static str,
    /// LinkedIn's title.
    pub title: &'static str,
    /// Category.
    pub category: Category,
    /// The state that protects the member.
    pub protective: SwitchState,
    /// `on`, `off` or `unknown`.
    pub state: StateWord,
    /// Why it is unknown.
    pub reason: Option<Reason>,
    /// When it was last checked.
    pub checked_at: Option<String>,
    /// The last on/off state seen.
    pub last_known: Option<SwitchState>,
    /// When that was seen.
    pub last_known_at: Option<String>,
    /// Why it is flagged.
    pub alert: Option<Alert>,
    /// Changes seen, oldest first.
    pub history: Vec<ChangeExport>,
}

/// One change in the export.
#[derive(Debug, Serialize)]
pub struct ChangeExport {
    /// When it was seen.
    pub at: String,
    /// State before, if known.
    pub from: Option<SwitchState>,
    /// State after.
    pub to: SwitchState,
    /// Who made it, if known.
    pub by: Option<ChangedBy>,
}

/// The JSON export of `stored` at `now`.
pub fn export(stored: &Stored, now: f64) -> Export {
    let sum = summary(stored, now, None, &Managed::default());
    let settings = SETTINGS
        .iter()
        .map(|s| {
            let e = stored.settings.get(s.id);
            let observed = e.map_or(Observed::Unknown(Reason::NotChecked), |e| e.observed);
            let (state, reason) = observed.split();
            SettingExport {
                id: s.id,
                title: s.title,
                category: s.category,
                protective: s.protective,
                state,
                reason,
                checked_at: e.map(|e| rfc3339(e.checked_at)),
                last_known: e.and_then(|e| e.last_known),
                last_known_at: e.and_then(|e| e.last_known_at).map(rfc3339),
                alert: e.and_then(|e| e.alert),
                history: e
                    .map(|e| e.history.iter().map(|c| ChangeExport { at: rfc3339(c.at), from: c.from, to: c.to, by: c.by }).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Export {
        format: FORMAT,
        version: VERSION,
        exported_at: rfc3339(now),
        last_full_check_at: stored.baseline_at.map(rfc3339),
        summary: Counts { total: sum.rows.len(), exposed: sum.exposed, unknown: sum.unknown, alerts: sum.alerts },
        settings,
        objection: crate::objection::export(stored),
    }
}

/// A Markdown report of `stored` at `now`, in the words `lookup(message, substitutions)`
/// gives (the browser's i18n in the extension).
pub fn markdown(stored: &Stored, now: f64, lookup: &mut dyn FnMut(&str, &[String]) -> String) -> String {
    let sum = summary(stored, now, None, &Managed::default());
    let mut say = |t: &Text| t.render(lookup);
    let mut out = format!("# {}\n\n{}\n\n**{}.**", say(&Text::new("reportTitle")), say(&Text::new("reportMade").arg(rfc3339(now))), say(&sum.headline));
    if let Some(sub) = &sum.subline {
        out += &format!(" {}", say(sub));
    }
    out += "\n\n";
    if let Some(w) = &sum.warning {
        out += &format!("> **{}**\n\n", say(w));
    }
    out += &format!(
        "| {} | {} | {} | {} |\n|---|---|---|---|\n",
        say(&Text::new("reportSetting")),
        say(&Text::new("reportState")),
        say(&Text::new("reportLastChecked")),
        say(&Text::new("reportNote"))
    );
    for r in &sum.rows {
        let note = r.reason_text.as_ref().or(r.changed_text.as_ref()).map(&mut say).unwrap_or_default();
        let checked = stored.settings.get(r.id).filter(|_| r.reason != Some(Reason::NotChecked)).map(|e| rfc3339(e.checked_at));
        let pill = match r.state {
            StateWord::On => "pillOn",
            StateWord::Off => "pillOff",
            StateWord::Unknown => "pillUnknown",
        };
        out += &format!(
            "| {} | {} | {} | {} |\n",
            cell(&say(&r.title)),
            say(&Text::new(pill)),
            checked.unwrap_or_else(|| say(&Text::new("neverChecked"))),
            cell(&note)
        );
    }
    let mut changes = Vec::new();
    for s in SETTINGS {
        for c in stored.settings.get(s.id).map(|e| e.history.as_slice()).unwrap_or_default() {
            let from = say(&c.from.map_or_else(|| Text::new("reportFirstSeen"), word));
            let by = if c.by.is_some() { format!(" ({})", say(&Text::new("reportByYou"))) } else { String::new() };
            changes.push(format!("- {} — {}: {from} → {}{by}", rfc3339(c.at), cell(&say(&Text::new(s.msg_title))), say(&word(c.to))));
        }
    }
    for t in &stored.objection.history {
        let key = if t.sent { "eventObjectionSent" } else { "eventObjectionUndone" };
        changes.push(format!("- {} — {}: {}", rfc3339(t.at), cell(&say(&Text::new("objectionTitle"))), say(&Text::new(key))));
    }
    changes.sort(); // by date: each line starts with it
    if !changes.is_empty() {
        out += &format!("\n## {}\n\n{}\n", say(&Text::new("reportChanges")), changes.join("\n"));
    }
    // The objection form, apart from the switches: what the person told, never a state.
    let objection = crate::objection::row(stored, None, true);
    if let Some(o) = objection {
        let sent = o.sent_text.as_ref().map(&mut say).unwrap_or_default();
        out += &format!("\n## {}\n\n{} {}\n\n{} {}\n", say(&o.title), say(&o.why), say(&o.region_text), sent, o.url);
    }
    out += &format!("\n{}\n", say(&Text::new("promise")));
    out
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

