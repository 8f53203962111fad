//! What the extension remembers per setting (in `storage.local`), and how observations
//! change it.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::catalogue::{self, SwitchState};
use crate::detect::{Observation, Observed, Reason, StateWord};

/// Version of the stored layout. Bump it and add a migration in [`load`] when it changes.
pub const SCHEMA: u32 = 1;

/// Most history entries kept per setting.
pub const HISTORY_LIMIT: usize = 50;

/// Everything stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stored {
    /// Layout version, [`SCHEMA`].
    pub schema: u32,
    /// Per setting id.
    pub settings: Settings,
    /// When a "Check all" last completed: from then on, a setting seen on for the first
    /// time is news worth a warning.
    pub baseline_at: Option<f64>,
    /// What the person told about LinkedIn's objection form (`crate::objection`). Added
    /// within schema 1: absent in what older versions stored, and read as nothing told.
    #[serde(default, skip_serializing_if = "crate::objection::Objection::is_empty")]
    pub objection: crate::objection::Objection,
}

/// The entries per setting id (stored as an object keyed by id).
pub type Settings = BTreeMap<String, Entry>;

/// What is known about one setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "EntryWire", from = "EntryWire")]
pub struct Entry {
    /// The latest check's result.
    pub observed: Observed,
    /// When the latest check happened (ms since the epoch).
    pub checked_at: f64,
    /// The last on/off state seen, kept when a later check could not read it.
    pub last_known: Option<SwitchState>,
    /// When `last_known` was seen.
    pub last_known_at: Option<f64>,
    /// When the on/off state last changed (or was first seen).
    pub changed_at: Option<f64>,
    /// On/off changes, oldest first, at most [`HISTORY_LIMIT`].
    pub history: Vec<Change>,
    /// Why this setting needs the person's attention, until it is seen off or dismissed.
    pub alert: Option<Alert>,
    /// How many switches its page showed that no rule recognises, when that is why it is
    /// unknown ("LinkedIn may have changed this page").
    pub unrecognised: Option<u32>,
    /// The category page (its id) where the latest on/off state was read; `None` when it was
    /// read on the setting's own page.
    pub read_on: Option<String>,
}

/// [`Entry`] as stored: `observed` as two fields (see [`Observed`]). A name this version
/// does not know reads as absent (`crate::wire`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryWire {
    state: StateWord,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    reason: Option<Reason>,
    checked_at: f64,
    #[serde(default, deserialize_with = "crate::wire::known")]
    last_known: Option<SwitchState>,
    last_known_at: Option<f64>,
    changed_at: Option<f64>,
    #[serde(default)]
    history: Vec<Change>,
    #[serde(default, deserialize_with = "crate::wire::known")]
    alert: Option<Alert>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unrecognised: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    read_on: Option<String>,
}

impl From<EntryWire> for Entry {
    fn from(w: EntryWire) -> Self {
        Entry {
            observed: Observed::join(w.state, w.reason),
            checked_at: w.checked_at,
            last_known: w.last_known,
            last_known_at: w.last_known_at,
            changed_at: w.changed_at,
            history: w.history,
            alert: w.alert,
            unrecognised: w.unrecognised,
            read_on: w.read_on,
        }
    }
}

impl From<Entry> for EntryWire {
    fn from(e: Entry) -> Self {
        let (state, reason) = e.observed.split();
        EntryWire {
            state,
            reason,
            checked_at: e.checked_at,
            last_known: e.last_known,
            last_known_at: e.last_known_at,
            changed_at: e.changed_at,
            history: e.history,
            alert: e.alert,
            unrecognised: e.unrecognised,
            read_on: e.read_on,
        }
    }
}

/// Why a setting is flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alert {
    /// It was off and is on again.
    TurnedBackOn,
    /// Seen for the first time, on, after a complete check.
    NewlyOn,
}

/// Who made a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangedBy {
    /// The person, through Opt-Out Lens's guided opt-out.
    UserViaExtension,
}

/// One observed change of a setting's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// When it was seen (ms since the epoch).
    pub at: f64,
    /// The state before, if one was known.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub from: Option<SwitchState>,
    /// The new state.
    pub to: SwitchState,
    /// Who made it, when known (otherwise it was seen, made by whoever).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    pub by: Option<ChangedBy>,
}

/// The settings flagged in `after` that were not flagged in `before`, in id order.
pub fn alerts_added(before: Option<&Stored>, after: &Stored) -> Vec<String> {
    let flagged = |s: Option<&Stored>, id: &str| s.and_then(|s| s.settings.get(id)).is_some_and(|e| e.alert.is_some());
    after.settings.keys().filter(|id| flagged(Some(after), id) && !flagged(before, id)).cloned().collect()
}

/// The outcome of reading stored data.
#[derive(Debug, PartialEq)]
pub struct Loaded {
    /// Usable state.
    pub stored: Stored,
    /// Why the stored data was discarded or changed, for the log.
    pub reset_reason: Option<String>,
}

/// Makes usable state out of whatever was read from storage: `Ok(None)` when nothing
/// was stored, `Err` with the decoding error when it could not be read.
pub fn load(raw: Result<Option<Stored>, String>) -> Loaded {
    let fresh = |reason: String| Loaded {
        stored: Stored { schema: SCHEMA, ..Stored::default() },
        reset_reason: Some(reason),
    };
    match raw {
        Ok(None) => Loaded { stored: Stored { schema: SCHEMA, ..Stored::default() }, reset_reason: None },
        Err(e) => fresh(format!("stored data was unreadable and has been reset ({e})")),
        Ok(Some(s)) if s.schema > SCHEMA => fresh(format!(
            "stored data came from a newer version (schema {}, this version reads {SCHEMA}) and has been reset",
            s.schema
        )),
        Ok(Some(s)) if s.schema < SCHEMA => fresh(format!(
            "stored data had no known schema version ({}) and has been reset",
            s.schema
        )),
        Ok(Some(mut s)) => {
            let before = s.settings.len();
            // Settings removed from the catalogue are forgotten.
            s.settings.retain(|id, _| catalogue::by_id(id).is_some());
            for e in s.settings.values_mut() {
                trim_history(&mut e.history);
            }
            let dropped = before - s.settings.len();
            let reset_reason = (dropped > 0).then(|| format!("forgot {dropped} setting(s) no longer in the catalogue"));
            Loaded { stored: s, reset_reason }
        }
    }
}

/// Records observations made at `now`; returns whether anything stored changed.
/// `by_extension` lists settings whose change the person made through the extension.
///
/// Rules: an on/off observation is the new state (a change goes into the history).
/// Seeing on a setting that was off, or (after a complete check) one never seen before,
/// raises an alert; seeing it off clears it.
/// "Still loading" is never stored. "Not signed in" does not overwrite a known state,
/// since the setting was not looked at. Any other unknown (the page changed, or did not
/// load even on a second try) replaces the state with its reason and the time of the
/// attempt, keeping `last_known` and its time: an old state is shown as stale, never
/// dropped and never taken for "off".
pub fn apply(stored: &mut Stored, observations: &[Observation], now: f64, by_extension: &[String]) -> bool {
    apply_read(stored, observations, now, by_extension, None)
}

/// [`apply`], with where the observations were read: `read_on` is the category page (its
/// id and the settings it settled) whose rows gave the states of those settings.
pub fn apply_read(stored: &mut Stored, observations: &[Observation], now: f64, by_extension: &[String], read_on: Option<(&str, &[String])>) -> bool {
    let mut changed = false;
    for obs in observations {
        if catalogue::by_id(&obs.setting).is_none() {
            continue;
        }
        let entry = stored.settings.get(&obs.setting);
        let next = match (obs.observed, entry) {
            (Observed::Unknown(Reason::Loading | Reason::NotChecked), _) => continue,
            (Observed::Unknown(Reason::NotLoggedIn), Some(e)) if e.last_known.is_some() => continue,
            (Observed::On | Observed::Off, _) => {
                let state = if obs.observed == Observed::On { SwitchState::On } else { SwitchState::Off };
                let mut e = entry.cloned().unwrap_or_else(|| blank(now));
                if e.last_known != Some(state) {
                    let by = by_extension.contains(&obs.setting).then_some(ChangedBy::UserViaExtension);
                    e.history.push(Change { at: now, from: e.last_known, to: state, by });
                    trim_history(&mut e.history);
                    e.changed_at = Some(now);
                    let exposed = catalogue::by_id(&obs.setting).is_some_and(|s| s.protective != state);
                    e.alert = match (exposed, e.last_known) {
                        (false, _) => None,
                        (true, Some(_)) => Some(Alert::TurnedBackOn),
                        (true, None) if stored.baseline_at.is_some() => Some(Alert::NewlyOn),
                        (true, None) => None,
                    };
                }
                e.observed = obs.observed;
                e.unrecognised = None;
                e.read_on = read_on.filter(|(_, settled)| settled.contains(&obs.setting)).map(|(page, _)| page.to_string());
                e.last_known = Some(state);
                e.last_known_at = Some(now);
                e.checked_at = now;
                e
            }
            (Observed::Unknown(r), _) => {
                let mut e = entry.cloned().unwrap_or_else(|| blank(now));
                e.observed = obs.observed;
                e.checked_at = now;
                if r != Reason::Unrecognised {
                    e.unrecognised = None;
                }
                e
            }
        };
        if entry != Some(&next) {
            stored.settings.insert(obs.setting.clone(), next);
            changed = true;
        }
    }
    changed
}

fn blank(now: f64) -> Entry {
    Entry {
        observed: Observed::Unknown(Reason::NotChecked),
        checked_at: now,
        last_known: None,
        last_known_at: None,
        changed_at: None,
        history: Vec::new(),
        alert: None,
        unrecognised: None,
        read_on: None,
    }
}

/// Records how many unrecognised switches the page of each setting showed (from
/// [`crate::report::unrecognised`]), for settings whose latest state is unknown for that
/// reason; returns whether anything stored changed.
pub fn note_unrecognised(stored: &mut Stored, counts: &[(String, u32)]) -> bool {
    let mut changed = false;
    for (id, n) in counts {
        if let Some(e) = stored.settings.get_mut(id) {
            if e.observed == Observed::Unknown(Reason::Unrecognised) && e.unrecognised != Some(*n) {
                e.unrecognised = Some(*n);
                changed = true;
            }
        }
    }
    changed
}

/// The person has seen the alert on a setting; returns whether one was cleared.
pub fn dismiss_alert(stored: &mut Stored, id: &str) -> bool {
    stored.settings.get_mut(id).and_then(|e| e.alert.take()).is_some()
}

/// A "Check all" completed at `now`: it becomes the baseline for news.
pub fn sweep_completed(stored: &mut Stored, now: f64) {
    stored.baseline_at = Some(now);
}

fn trim_history(history: &mut Vec<Change>) {
    if history.len() > HISTORY_LIMIT {
        history.drain(..history.len() - HISTORY_LIMIT);
    }
}
