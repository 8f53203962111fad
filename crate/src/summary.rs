//! What the popup and the toolbar badge tell the person, computed from stored state.
//! Words are [`Text`]s: i18n message names with substitutions.

use serde::Serialize;

use crate::catalogue::{by_id, Category, Kind, PolicyKind, Region, Setting, SwitchState, SECTIONS, SETTINGS, SITE};
use crate::detect::{Observed, Reason};
use crate::managed::Managed;
use crate::state::{Alert, Stored};
use crate::text::{Arg, Text};

/// The popup's content.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// One line, e.g. "3 of 13 settings share your data".
    pub headline: Text,
    /// A second line about what is not known yet, if anything.
    pub subline: Option<Text>,
    /// Settings known to be on (exposing data).
    pub exposed: usize,
    /// Settings whose state is unknown.
    pub unknown: usize,
    /// Settings flagged for attention (turned back on, or newly on).
    pub alerts: usize,
    /// A warning to lead with, when any setting is flagged.
    pub warning: Option<Text>,
    /// The most important settings that are on ("AI training and Sharing with Microsoft
    /// are on."), if any: said right after the headline.
    pub lead: Option<Text>,
    /// One row per catalogued setting, in catalogue order (which is section order).
    pub rows: Vec<Row>,
    /// The sections rows belong to, in the order to show them (only those with rows).
    pub sections: Vec<SectionHead>,
    /// Where LinkedIn honours Global Privacy Control and the person is there: how to send it.
    pub gpc: Option<Text>,
    /// Background reading on the November 2025 changes.
    pub links: Vec<Link>,
    /// For organisations and the person's own account: the pages and values to offer.
    pub org: Org,
    /// Whether "Turn off" may be offered (an administrator may forbid it).
    pub opt_out_allowed: bool,
    /// Whether an administrator set any of the options.
    pub managed: bool,
}

/// One setting in the popup.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// Setting id.
    pub id: &'static str,
    /// The setting's title.
    pub title: Text,
    /// Category.
    pub category: Category,
    /// The section it is shown in.
    pub section: &'static str,
    /// `on`, `off` or `unknown`.
    pub state: &'static str,
    /// The word on its state pill ("ON", "OFF", "UNKNOWN", "CONNECTED").
    pub pill: Text,
    /// Only read, never changed by the extension (a connection listed on a page).
    pub read_only: bool,
    /// Whether "Turn off" may be offered: on, a switch with a page of its own, allowed.
    pub can_turn_off: bool,
    /// Whether the state protects the person (`false` for unknown).
    pub protective: bool,
    /// What the state means, if there is something to say.
    pub state_text: Option<Text>,
    /// Why the state is unknown (machine code).
    pub reason: Option<Reason>,
    /// The sentence for `reason`.
    pub reason_text: Option<Text>,
    /// "Checked 5 min ago", or `None` if never.
    pub seen_text: Option<Text>,
    /// The page to open for "Show me".
    pub url: Option<String>,
    /// Why this setting is flagged, if it is.
    pub alert: Option<Alert>,
    /// "Changed 3 days ago (off → on)", if a change was seen.
    pub changed_text: Option<Text>,
    /// Whether the latest check saw a different state than the check before it.
    pub changed_at_last_check: bool,
    /// Whether and since when LinkedIn's use applies in the person's region.
    pub region_text: Option<Text>,
}

/// A section heading of the popup: LinkedIn's own grouping of its settings pages.
#[derive(Debug, Serialize)]
pub struct SectionHead {
    /// Section id (rows name it in `section`).
    pub id: &'static str,
    /// Its title, e.g. "Advertising data › Off platform data".
    pub title: Text,
}

/// What the popup's organisations part offers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    /// The Office Group Policy's registry value, ready to copy.
    pub office_registry: String,
    /// LinkedIn's Partners and services page (the Microsoft account connection).
    pub partners_url: Option<String>,
}

/// A link for background reading.
#[derive(Debug, Serialize)]
pub struct Link {
    /// Link text.
    pub title: Text,
    /// Address.
    pub url: String,
}

/// The toolbar badge.
#[derive(Debug, PartialEq, Serialize)]
pub struct Badge {
    /// Text: the number of settings known to be on.
    pub text: String,
    /// Background colour (CSS hex).
    pub color: &'static str,
    /// Tooltip, as sentences to join with spaces.
    pub title: Vec<Text>,
}

const RED: &str = "#b3261e";
const GREY: &str = "#5f6368";
const GREEN: &str = "#1e7d32";
const AMBER: &str = "#e37400";

/// Builds the popup's summary at time `now` (ms since the epoch) for a person in `region`,
/// within what an administrator set in `managed` (the managed region wins; settings not
/// watched are left out).
pub fn summary(stored: &Stored, now: f64, region: Option<Region>, managed: &Managed) -> Summary {
    let region = managed.region.or(region);
    let rows: Vec<Row> = SETTINGS
        .iter()
        .filter(|s| managed.watches(s.id))
        .map(|s| row(s, stored, now, region, managed.opt_out_allowed()))
        .collect();
    let total = rows.len();
    let exposed = rows.iter().filter(|r| r.state != "unknown" && !r.protective).count();
    // Not counted as "not known yet" (which asks for a check): a setting without a page of
    // its own that was never seen (no check can reach it), and a list page (no check can
    // read it). Their rows say what to do instead.
    let unreachable = |r: &Row| {
        r.reason == Some(Reason::List) || (r.reason == Some(Reason::NotChecked) && by_id(r.id).is_some_and(|s| s.url().is_none()))
    };
    let unknown = rows.iter().filter(|r| r.state == "unknown" && !unreachable(r)).count();
    let headline = match exposed {
        1 => Text::new("headlineOne").arg(total),
        n => Text::new("headline").arg(n).arg(total),
    };
    let subline = match unknown {
        0 => None,
        1 => Some(Text::new("sublineUnknownOne")),
        n => Some(Text::new("sublineUnknown").arg(n)),
    };
    let flagged: Vec<&Row> = rows.iter().filter(|r| r.alert.is_some()).collect();
    let warning = match flagged.as_slice() {
        [] => None,
        [one] => Some(Text::new("warningOne").arg(one.title.clone())),
        many => Some(Text::new("warningMany").arg(many.len())),
    };
    let alerts = flagged.len();
    let sections = SECTIONS
        .iter()
        .filter(|sec| rows.iter().any(|r| r.section == sec.id))
        .map(|sec| SectionHead { id: sec.id, title: Text::new(sec.msg) })
        .collect();
    let gpc = region.filter(|r| SITE.gpc.regions.contains(r)).map(|_| Text::new("gpcNote"));
    Summary {
        headline,
        subline,
        exposed,
        unknown,
        alerts,
        warning,
        lead: lead(&rows),
        rows,
        sections,
        gpc,
        links: links(),
        org: org(),
        opt_out_allowed: managed.opt_out_allowed(),
        managed: *managed != Managed::default(),
    }
}

/// The leading settings that are on, named: "AI training is on." (at most three lead).
fn lead(rows: &[Row]) -> Option<Text> {
    let on: Vec<Text> = rows
        .iter()
        .filter(|r| r.state == "on" && !r.protective && by_id(r.id).is_some_and(|s| s.leads))
        .filter_map(|r| by_id(r.id).map(|s| Text::new(s.msg_short)))
        .collect();
    let mut names = on.into_iter();
    Some(match (names.next()?, names.next(), names.next()) {
        (a, None, _) => Text::new("leadOne").arg(a),
        (a, Some(b), None) => Text::new("leadTwo").arg(a).arg(b),
        (a, Some(b), Some(c)) => Text::new("leadThree").arg(a).arg(b).arg(c),
    })
}

fn row(s: &'static Setting, stored: &Stored, now: f64, region: Option<Region>, opt_out_allowed: bool) -> Row {
    let entry = stored.settings.get(s.id);
    let observed = entry.map_or(Observed::Unknown(Reason::NotChecked), |e| e.observed);
    let (state, protective, reason) = match observed {
        Observed::On => ("on", s.protective == SwitchState::On, None),
        Observed::Off => ("off", s.protective == SwitchState::Off, None),
        Observed::Unknown(r) => ("unknown", false, Some(r)),
    };
    let connection = s.kind == Kind::Connection;
    let state_text = match (observed, entry.and_then(|e| e.last_known.zip(e.last_known_at))) {
        (Observed::Unknown(_), Some((was, at))) if !connection => Some(Text::new("stateUnknownWas").arg(word(was)).arg(ago(now, at))),
        (Observed::Unknown(_), _) => None,
        _ if protective => Some(Text::new("stateOff")),
        _ if connection => Some(Text::new("stateConnected").arg(Text::new(s.msg_meaning))),
        _ => Some(Text::new("stateOn").arg(Text::new(s.msg_meaning))),
    };
    let changed_text = entry.and_then(|e| e.history.last()).and_then(|c| {
        let from = c.from?;
        if let Some(cause) = (c.by.is_none() && c.to == SwitchState::Off).then(|| turned_off_by(s, c.at, stored)).flatten() {
            // LinkedIn turns this one off itself when `cause` is turned off.
            return Some(Text::new("changedAgoByLinkedIn").arg(ago(now, c.at)).arg(word(from)).arg(word(c.to)).arg(Text::new(cause.msg_title)));
        }
        let key = if c.by.is_some() { "changedAgoByYou" } else { "changedAgo" };
        Some(Text::new(key).arg(ago(now, c.at)).arg(word(from)).arg(word(c.to)))
    });
    let pill = Text::new(match (observed, connection) {
        (Observed::On, true) => "pillConnected",
        (Observed::On, false) => "pillOn",
        (Observed::Off, _) => "pillOff",
        (Observed::Unknown(_), _) => "pillUnknown",
    });
    Row {
        id: s.id,
        title: Text::new(s.msg_title),
        category: s.category,
        section: s.section,
        state,
        pill,
        read_only: !s.switchable(),
        can_turn_off: opt_out_allowed && s.switchable() && s.url().is_some() && state != "unknown" && !protective,
        protective,
        state_text,
        reason,
        reason_text: reason.map(|r| Text::new(r.msg())),
        seen_text: entry.filter(|_| reason != Some(Reason::NotChecked)).map(|e| Text::new("checkedAgo").arg(ago(now, e.checked_at))),
        url: s.show_url(),
        alert: entry.and_then(|e| e.alert),
        changed_text,
        changed_at_last_check: entry.is_some_and(|e| e.history.last().is_some_and(|c| c.from.is_some() && c.at == e.checked_at)),
        region_text: region.and_then(|r| region_text(s, r)),
    }
}

/// The setting whose turning off made LinkedIn turn `s` off at `at`, if the catalogue says
/// LinkedIn couples them and that setting was last seen turned off no later than `at`.
fn turned_off_by(s: &Setting, at: f64, stored: &Stored) -> Option<&'static Setting> {
    SETTINGS.iter().filter(|cause| cause.turns_off.contains(&s.id)).find(|cause| {
        stored
            .settings
            .get(cause.id)
            .and_then(|e| e.history.last())
            .is_some_and(|c| c.to == SwitchState::Off && c.from.is_some() && c.at <= at)
    })
}

/// What LinkedIn's policy for `s` means in region `r`, if anything is known: "LinkedIn has
/// done this in the EU and EEA since 3 November 2025."
pub fn region_text(s: &Setting, r: Region) -> Option<Text> {
    let p = s.policy.iter().find(|p| p.regions.contains(&r))?;
    let place = Text::new(r.msg_in());
    Some(match p.kind {
        PolicyKind::Applies => Text::new("regionAppliesSince").arg(place).arg(Arg::date(p.since)),
        PolicyKind::NotApplied => Text::new("regionNotApplied").arg(place),
        PolicyKind::OptIn => Text::new("regionOptIn").arg(place).arg(Arg::date(p.since)),
    })
}

/// The toolbar badge for the stored state.
pub fn badge(stored: &Stored, managed: &Managed) -> Badge {
    let s = summary(stored, 0.0, None, managed);
    let color = if s.alerts > 0 {
        AMBER
    } else if s.exposed > 0 {
        RED
    } else if s.unknown > 0 {
        GREY
    } else {
        GREEN
    };
    let mut title = vec![Text::new("appName"), s.headline];
    if s.unknown > 0 {
        title.push(Text::new("badgeNotKnown").arg(s.unknown));
    }
    title.extend(s.warning);
    Badge { text: s.exposed.to_string(), color, title }
}

fn links() -> Vec<Link> {
    SITE.links.iter().map(|l| Link { title: Text::new(l.msg), url: SITE.at(l.path) }).collect()
}

/// The organisations part: the Office registry value and the Partners and services page.
pub fn org() -> Org {
    let o = &SITE.office;
    Org {
        office_registry: format!("{}  {} ({}) = {}", o.key, o.value, o.kind, o.data),
        partners_url: SETTINGS.iter().find(|s| s.kind == Kind::Connection).and_then(|s| s.url()),
    }
}

/// "on" or "off", as a message.
pub fn word(s: SwitchState) -> Text {
    Text::new(match s {
        SwitchState::On => "wordOn",
        SwitchState::Off => "wordOff",
    })
}

/// "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn ago(now: f64, then: f64) -> Text {
    let minutes = ((now - then) / 60_000.0).max(0.0).floor() as u64;
    match minutes {
        0 => Text::new("agoJustNow"),
        m @ 1..=59 => Text::new("agoMinutes").arg(m.to_string()),
        m if m < 48 * 60 => Text::new("agoHours").arg((m / 60).to_string()),
        m => Text::new("agoDays").arg((m / (24 * 60)).to_string()),
    }
}
