//! Options an administrator presets through browser policy (`storage.managed`): which
//! settings to watch, whether guided opt-out is allowed, the region, the reminder
//! interval. Schema: `extension/managed-schema.json`.

use serde::{Deserialize, Serialize};

use crate::catalogue::{self, Region};

/// The managed options; every field is optional (absent: the person decides). A region
/// this version does not know reads as absent, and is named in [`Managed::ignored`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "ManagedWire")]
pub struct Managed {
    /// Only these settings are watched and checked.
    pub watch_settings: Option<Vec<String>>,
    /// Whether "Turn off" is offered.
    pub allow_opt_out: Option<bool>,
    /// The organisation's region.
    pub region: Option<Region>,
    /// Remind to check every this many days (0: never).
    pub reminder_days: Option<u32>,
    /// What the policy held that this version could not use, for the log (never stored).
    #[serde(skip)]
    pub ignored: Vec<String>,
}

/// [`Managed`] as a policy holds it: the region as whatever was written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManagedWire {
    watch_settings: Option<Vec<String>>,
    allow_opt_out: Option<bool>,
    #[serde(default)]
    region: Option<crate::wire::Name>,
    reminder_days: Option<u32>,
}

impl From<ManagedWire> for Managed {
    fn from(w: ManagedWire) -> Self {
        let region = w.region.as_ref().and_then(crate::wire::Name::read::<Region>);
        let ignored = match (&w.region, region) {
            (Some(given), None) => vec![format!("region {given} is not one this version knows")],
            _ => Vec::new(),
        };
        Managed { watch_settings: w.watch_settings, allow_opt_out: w.allow_opt_out, region, reminder_days: w.reminder_days, ignored }
    }
}

/// An administrator's policy, checked: what applies, and what the log should say about it.
#[derive(Debug, PartialEq, Serialize)]
pub struct LoadedPolicy {
    /// What applies (nothing, when the policy could not be read at all).
    pub managed: Managed,
    /// What was wrong with it, when something was.
    pub problem: Option<String>,
}

/// Checks what `storage.managed` held: `Ok(None)` when nothing, `Err` with the reading
/// error when it could not be read. A policy that cannot be read is ignored with the
/// reason, never a crash; parts this version cannot use are named.
pub fn load(raw: Result<Option<Managed>, String>) -> LoadedPolicy {
    match raw {
        Ok(m) => {
            let managed = m.unwrap_or_default();
            let mut problems = managed.ignored.clone();
            let unknown = managed.unknown_settings();
            if !unknown.is_empty() {
                problems.push(format!("watchSettings names unknown settings: {}", unknown.join(", ")));
            }
            let problem = (!problems.is_empty()).then(|| format!("managed options: {}", problems.join("; ")));
            LoadedPolicy { managed, problem }
        }
        Err(e) => LoadedPolicy { managed: Managed::default(), problem: Some(format!("managed options ignored: {e}")) },
    }
}

impl Managed {
    /// Whether the setting `id` is watched.
    pub fn watches(&self, id: &str) -> bool {
        self.watch_settings.as_ref().is_none_or(|ids| ids.iter().any(|w| w == id))
    }

    /// Whether guided opt-out may be offered.
    pub fn opt_out_allowed(&self) -> bool {
        self.allow_opt_out != Some(false)
    }

    /// Setting ids in `watch_settings` that the catalogue does not know, for the log.
    pub fn unknown_settings(&self) -> Vec<String> {
        self.watch_settings
            .iter()
            .flatten()
            .filter(|id| catalogue::by_id(id).is_none())
            .cloned()
            .collect()
    }
}
