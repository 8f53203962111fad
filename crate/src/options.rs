//! The person's own options (set on the options page, kept in `storage.local`): which
//! changes are accepted, and what applies once an administrator's policy
//! ([`crate::managed`]) is laid over them: the administrator's setting wins.

use serde::{Deserialize, Serialize};

use crate::catalogue::Region;
use crate::managed::Managed;

/// The reminder intervals the options page offers, in days (0: never).
pub const REMINDER_DAYS: [u32; 4] = [0, 7, 30, 90];

/// The options as stored; each is absent until the person sets it. What another version
/// stored that this one cannot use reads as absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    /// The person's region, when chosen (otherwise it is guessed).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    pub region: Option<Region>,
    /// A system notification when a setting turns (back) on.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    pub notify: Option<bool>,
    /// Remind to check again every this many days (0: never).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    pub remind_days: Option<u32>,
    /// Marks on LinkedIn's pages (quiet mode when false).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::known")]
    pub show_marks: Option<bool>,
}

/// A change the options page asks for: only these options, each of its own type, a
/// region this version knows and a reminder interval it offers. Read through a map, so
/// that every key is seen (a reader that looks up only the known fields would let an
/// unknown option pass unnoticed).
#[derive(Debug, Default, Deserialize)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct Change(ChangeFields);

/// The fields of a [`Change`], read strictly.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChangeFields {
    region: Option<Region>,
    notify: Option<bool>,
    remind_days: Option<u32>,
    show_marks: Option<bool>,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for Change {
    type Error = serde_json::Error;
    fn try_from(map: serde_json::Map<String, serde_json::Value>) -> Result<Self, Self::Error> {
        serde_json::from_value(serde_json::Value::Object(map)).map(Change)
    }
}

/// Why a change was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// A reminder interval the options page does not offer.
    ReminderDays(u32),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::ReminderDays(d) => write!(f, "a reminder every {d} days is not offered ({REMINDER_DAYS:?})"),
        }
    }
}

impl Options {
    /// The options with `change` made, or why not.
    pub fn with(&self, Change(change): Change) -> Result<Options, Refused> {
        if let Some(d) = change.remind_days.filter(|d| !REMINDER_DAYS.contains(d)) {
            return Err(Refused::ReminderDays(d));
        }
        Ok(Options {
            region: change.region.or(self.region),
            notify: change.notify.or(self.notify),
            remind_days: change.remind_days.or(self.remind_days),
            show_marks: change.show_marks.or(self.show_marks),
        })
    }
}

/// What applies: the person's options under the administrator's policy.
#[derive(Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Effective {
    /// The region chosen by the administrator, else by the person, else guessed from the
    /// browser's time zone and languages.
    pub region: Region,
    /// Whether `region` is only a guess.
    pub region_guessed: bool,
    /// Whether the administrator set the region (the person cannot change it).
    pub region_managed: bool,
    /// Remind every this many days (0: never).
    pub remind_days: u32,
    /// Whether the administrator set the reminder.
    pub remind_managed: bool,
    /// Whether to notify when a setting turns (back) on.
    pub notify: bool,
    /// Whether marks go on LinkedIn's pages.
    pub show_marks: bool,
    /// Whether the administrator set any option (the options page says so).
    pub managed: bool,
}

/// The options that apply; `guess` the region guessed from the browser, for when nobody
/// chose one.
pub fn effective(options: &Options, managed: &Managed, guess: Region) -> Effective {
    let chosen = managed.region.or(options.region);
    Effective {
        region: chosen.unwrap_or(guess),
        region_guessed: chosen.is_none(),
        region_managed: managed.region.is_some(),
        remind_days: managed.reminder_days.or(options.remind_days).unwrap_or(0),
        remind_managed: managed.reminder_days.is_some(),
        notify: options.notify == Some(true),
        show_marks: options.show_marks != Some(false),
        managed: managed.region.is_some() || managed.reminder_days.is_some() || managed.watch_settings.is_some() || managed.allow_opt_out.is_some(),
    }
}
