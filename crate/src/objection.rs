//! LinkedIn's objection form: what the AI switch does not cover.
//!
//! The switch "Data for Generative AI Improvement" is about models that create content
//! only. Where LinkedIn trains its other models on "legitimate interest" (the EU and EEA,
//! the UK and Switzerland: `[site.objection]` in the rules), a member objects with a form.
//! There is no switch and nothing to read: the popup offers the form, and remembers only
//! what the person says ("I sent it", and its undoing). It is never a state, never "off",
//! and the headline counts it apart from the switches.

use serde::{Deserialize, Serialize};

use crate::catalogue::{by_id, Region, SITE};
use crate::date::rfc3339;
use crate::entra::Look;
use crate::state::{Stored, HISTORY_LIMIT};
use crate::text::{Arg, Text};

/// What the person told about the form, as stored (in [`Stored`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Objection {
    /// When the person said they sent it (ms since the epoch); `None`: not said, or undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<f64>,
    /// What the person said, oldest first, at most [`HISTORY_LIMIT`].
    #[serde(default)]
    pub history: Vec<Told>,
}

/// One thing the person said about the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Told {
    /// When (ms since the epoch).
    pub at: f64,
    /// `true`: "I sent it"; `false`: they took that back (Undo).
    pub sent: bool,
}

impl Objection {
    /// Nothing was ever said (so nothing is stored).
    pub fn is_empty(&self) -> bool {
        self.sent_at.is_none() && self.history.is_empty()
    }
}

/// Records what the person says at `now`: `sent` true for "I sent it", false for Undo.
/// Returns whether anything changed (saying it twice changes nothing).
pub fn tell(stored: &mut Stored, sent: bool, now: f64) -> bool {
    let o = &mut stored.objection;
    if o.sent_at.is_some() == sent {
        return false;
    }
    o.sent_at = sent.then_some(now);
    o.history.push(Told { at: now, sent });
    if o.history.len() > HISTORY_LIMIT {
        o.history.drain(..o.history.len() - HISTORY_LIMIT);
    }
    true
}

/// Whether the form is for the person's region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applies {
    /// LinkedIn offers it where the person is.
    Yes,
    /// LinkedIn does not offer it there.
    No,
    /// The region is not known.
    Unknown,
}

/// The objection's row in the popup, beside its setting's.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// The setting whose row it follows (and whose section it is in).
    pub after: &'static str,
    /// Its section.
    pub section: &'static str,
    /// "Other AI training (objection form)".
    pub title: Text,
    /// Whether it is for the person's region.
    pub applies: Applies,
    /// Whether the person said they sent it.
    pub sent: bool,
    /// The word on its pill: "SENT", "NOT SENT", "NOT FOR YOUR REGION"; never "OFF".
    pub pill: Text,
    /// How the row is drawn: protective once sent, otherwise neither.
    pub look: Look,
    /// What the switch does not cover, and what the form is for.
    pub why: Text,
    /// Whether LinkedIn offers it where the person is, and why not.
    pub region_text: Text,
    /// "You sent it on 12 December 2026 (as you told Opt-Out Lens)", or what to do.
    pub sent_text: Option<Text>,
    /// The form ("Open the form" opens it in a tab; nothing is filled in or sent).
    pub url: String,
    /// Whether to offer "Open the form" and "I sent it" (not where it does not apply).
    pub offer: bool,
    /// The line said under the headline, apart from the switches' count.
    pub count_text: Option<Text>,
}

/// The row for `stored` in `region` (`None`: not known), or `None` when its setting is not
/// watched (`watched`, an administrator's choice).
pub fn row(stored: &Stored, region: Option<Region>, watched: bool) -> Option<Row> {
    let rule = &SITE.objection;
    let setting = by_id(rule.setting).filter(|_| watched)?;
    let applies = match region {
        Some(r) if rule.regions.contains(&r) => Applies::Yes,
        Some(_) => Applies::No,
        None => Applies::Unknown,
    };
    let sent_at = stored.objection.sent_at;
    let date = |at: f64| Arg::date(rfc3339(at)[..10].to_string());
    let region_text = match region {
        Some(r) if applies == Applies::Yes => Text::new("objectionApplies").arg(Text::new(r.msg_in())).arg(Arg::date(rule.since)),
        Some(r) => Text::new("objectionNotForRegion").arg(Text::new(r.msg())),
        None => Text::new("objectionRegionUnknown"),
    };
    let sent_text = match (sent_at, applies) {
        (Some(at), _) => Some(Text::new("objectionSent").arg(date(at))),
        (None, Applies::No) => None,
        (None, _) => Some(Text::new("objectionNotSent")),
    };
    let pill = Text::new(match (sent_at, applies) {
        (Some(_), _) => "pillSent",
        (None, Applies::No) => "pillNotForRegion",
        (None, _) => "pillNotSent",
    });
    let count_text = match (sent_at, applies) {
        (Some(at), _) => Some(Text::new("objectionCountSent").arg(date(at))),
        (None, Applies::No) => None,
        (None, _) => Some(Text::new("objectionCountNotSent")),
    };
    Some(Row {
        after: setting.id,
        section: setting.section,
        title: Text::new("objectionTitle"),
        applies,
        sent: sent_at.is_some(),
        pill,
        look: if sent_at.is_some() { Look::Protective } else { Look::Unknown },
        why: Text::new("objectionWhy"),
        region_text,
        sent_text,
        url: url(),
        offer: applies != Applies::No,
        count_text,
    })
}

/// The form's address.
pub fn url() -> String {
    SITE.at(SITE.objection.path)
}

/// The objection in the JSON export.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// The form's address.
    pub form_url: String,
    /// Where LinkedIn offers it.
    pub regions: &'static [Region],
    /// Whether the person said they sent it.
    pub sent: bool,
    /// When, as they told (RFC 3339, UTC).
    pub sent_at: Option<String>,
    /// What they said, oldest first.
    pub history: Vec<ToldExport>,
}

/// One thing the person said, in the export.
#[derive(Debug, Serialize)]
pub struct ToldExport {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// `true`: "I sent it"; `false`: undone.
    pub sent: bool,
}

/// The objection as the JSON export writes it.
pub fn export(stored: &Stored) -> Export {
    let o = &stored.objection;
    Export {
        form_url: url(),
        regions: SITE.objection.regions,
        sent: o.sent_at.is_some(),
        sent_at: o.sent_at.map(rfc3339),
        history: o.history.iter().map(|t| ToldExport { at: rfc3339(t.at), sent: t.sent }).collect(),
    }
}
