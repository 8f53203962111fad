//! Options an administrator presets through browser policy (`storage.managed`): which
//! settings to watch, whether guided opt-out is allowed, the region, the reminder
//! interval. Schema: `extension/managed-schema.json`.

use serde::Serialize;

use crate::json::{self, Fields, FromJson, Val};

use crate::catalogue::{self, Region};

/// The managed options; every field is optional (absent: the person decides).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Managed {
    /// Only these settings are watched and checked.
    pub watch_settings: Option<Vec<String>>,
    /// Whether "Turn off" is offered.
    pub allow_opt_out: Option<bool>,
    /// The organisation's region.
    pub region: Option<Region>,
    /// Remind to check every this many days (0: never).
    pub reminder_days: Option<u32>,
}

// Read by hand (see `crate::json`).
impl FromJson for Managed {
    fn from_json(v: Val) -> json::Result<Self> {
        let mut f = Fields::of(v, "managed options")?;
        let value = Managed {
            watch_settings: f.get("watchSettings"),
            allow_opt_out: f.get("allowOptOut"),
            region: f.get("region"),
            reminder_days: f.get("reminderDays"),
        };
        f.done(value)
    }
}
crate::serde_via_json!(Managed);

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
