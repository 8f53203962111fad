//! What the popup and the toolbar badge tell the person, computed from stored state.
//! Words are [`Text`]s: i18n message names with substitutions.

use serde::Serialize;

use crate::catalogue::{by_id, Category, Kind, PolicyKind, Region, Setting, SwitchState, SECTIONS, SETTINGS, SITE};
use crate::detect::{Observed, Reason, StateWord};
use crate::job::{is_load_failure, Job, JobKind, JobStatus, Outcome};
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
    /// Settings whose state is unknown: every UNKNOWN row, those no check can read included.
    pub unknown: usize,
    /// Of those, the ones no check can read (a list page; a setting without a page of its
    /// own, never seen): their rows say what to do instead.
    pub unreachable: usize,
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
    /// LinkedIn's objection form for what the AI switch does not cover: a row of its own,
    /// counted apart from the switches (`crate::objection`).
    pub objection: Option<crate::objection::Row>,
    /// Background reading on the November 2025 changes.
    pub links: Vec<Link>,
    /// For organisations and the person's own account: the pages and values to offer.
    pub org: Org,
    /// Whether "Turn off" may be offered (an administrator may forbid it).
    pub opt_out_allowed: bool,
    /// Whether an administrator set any of the options.
    pub managed: bool,
    /// The setting the keyboard shortcut opens when the current page has no switch to
    /// point at: the first one on, else the first one not known.
    pub show_first: Option<&'static str>,
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
    pub state: StateWord,
    /// The word on its state pill ("ON", "OFF", "UNKNOWN", "CONNECTED").
    pub pill: Text,
    /// Only read, never changed by the extension (a connection listed on a page).
    pub read_only: bool,
    /// Whether "Turn off" may be offered: on, a switch with a page of its own, allowed.
    pub can_turn_off: bool,
    /// Whether the state protects the person (`false` for unknown).
    pub protective: bool,
    /// How the row is drawn: protective, exposed, or unknown.
    pub look: crate::entra::Look,
    /// Unknown now, but a state seen before is known (shown as stale, never as the state).
    pub stale: bool,
    /// Switches on its page that no rule recognises, when that is why it is unknown.
    pub unrecognised: Option<u32>,
    /// Whether to offer "Report a problem" (its state could not be read).
    pub reportable: bool,
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
    let exposed = rows.iter().filter(|r| r.state != StateWord::Unknown && !r.protective).count();
    // Not counted as "not known yet" (which asks for a check): a setting without a page of
    // its own that was never seen (no check can reach it), and a list page (no check can
    // read it). Their rows say what to do instead.
    let unreachable = |r: &Row| {
        r.reason == Some(Reason::List) || (r.reason == Some(Reason::NotChecked) && by_id(r.id).is_some_and(|s| s.url().is_none()))
    };
    // Every count below matches the rows it speaks of: `unknown` is every UNKNOWN row, and
    // a sentence that leaves the unreachable ones out of "Check all" says how many it left.
    let unknown = rows.iter().filter(|r| r.state == StateWord::Unknown).count();
    let unreachable_n = rows.iter().filter(|r| r.state == StateWord::Unknown && unreachable(r)).count();
    let checkable = unknown - unreachable_n;
    // While some are not read, the count is a lower bound: an unread setting is never safe.
    let headline = match (exposed, unknown) {
        (1, 0) => Text::new("headlineOne").arg(total),
        (n, 0) => Text::new("headline").arg(n).arg(total),
        (1, _) => Text::new("headlineKnownOne").arg(total),
        (n, _) => Text::new("headlineKnown").arg(n).arg(total),
    };
    // Settings a check tried and could not read are said as such, not as "not known yet".
    let unread = rows.iter().filter(|r| r.reason.is_some_and(is_load_failure)).count();
    let subline = match (unread, checkable, unreachable_n) {
        (0, 0, 0) => None,
        (0, 1, 0) => Some(Text::new("sublineUnknownOne")),
        (0, n, 0) => Some(Text::new("sublineUnknown").arg(n)),
        (0, 0, 1) => Some(Text::new("sublineUnreachableOne")),
        (0, 0, u) => Some(Text::new("sublineUnreachable").arg(u)),
        (0, c, u) => Some(Text::new("sublineUnknownSome").arg(c + u).arg(c).arg(u)),
        (1, _, _) => Some(Text::new("sublineUnreadOne")),
        (n, _, _) => Some(Text::new("sublineUnread").arg(n)),
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
    let show_first = rows
        .iter()
        .find(|r| r.state == StateWord::On && !r.protective)
        .or_else(|| rows.iter().find(|r| r.state == StateWord::Unknown))
        .map(|r| r.id);
    Summary {
        show_first,
        headline,
        subline,
        exposed,
        unknown,
        unreachable: unreachable_n,
        alerts,
        warning,
        lead: lead(&rows),
        rows,
        sections,
        gpc,
        objection: crate::objection::row(stored, region, managed.watches(SITE.objection.setting)),
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
        .filter(|r| r.state == StateWord::On && !r.protective && by_id(r.id).is_some_and(|s| s.leads))
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
    let (state, reason) = observed.split();
    let protective = match observed {
        Observed::On => s.protective == SwitchState::On,
        Observed::Off => s.protective == SwitchState::Off,
        Observed::Unknown(_) => false,
    };
    let connection = s.kind == Kind::Connection;
    // A connection row never shows a stale "connected": it is read-only and said afresh.
    let last_known = entry.and_then(|e| e.last_known.zip(e.last_known_at)).filter(|_| !connection);
    let unrecognised = entry.and_then(|e| e.unrecognised).filter(|_| reason == Some(Reason::Unrecognised));
    let state_text = match (observed, last_known) {
        (Observed::Unknown(_), Some((was, at))) => Some(stale_text(was, at)),
        (Observed::Unknown(_), None) => None,
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
        can_turn_off: opt_out_allowed && s.switchable() && s.url().is_some() && state != StateWord::Unknown && !protective,
        protective,
        look: match state {
            StateWord::Unknown => crate::entra::Look::Unknown,
            _ if protective => crate::entra::Look::Protective,
            _ => crate::entra::Look::Exposed,
        },
        stale: state == StateWord::Unknown && last_known.is_some(),
        unrecognised,
        reportable: state == StateWord::Unknown && reason != Some(Reason::NotChecked),
        state_text,
        reason,
        reason_text: match (reason, unrecognised) {
            (Some(Reason::Unrecognised), Some(1)) => Some(Text::new("reasonUnrecognisedOne")),
            (Some(Reason::Unrecognised), Some(n)) => Some(Text::new("reasonUnrecognisedMany").arg(n.to_string())),
            (r, _) => r.map(|r| Text::new(r.msg())),
        },
        // A check that tried and could not read the page says when it tried.
        // A state read on a category page says where: "Read on LinkedIn's Advertising data
        // page, just now".
        seen_text: entry.filter(|_| reason != Some(Reason::NotChecked)).map(|e| {
            let page = e.read_on.as_deref().filter(|_| matches!(e.observed, Observed::On | Observed::Off)).and_then(crate::category::page);
            match page {
                Some(p) => Text::new("readOnPage").arg(Text::new(p.msg)).arg(ago(now, e.checked_at)),
                None => {
                    let key = if reason.is_some_and(is_load_failure) { "triedAgo" } else { "checkedAgo" };
                    Text::new(key).arg(ago(now, e.checked_at))
                }
            }
        }),
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

/// "On when last seen on 28 November 2025; the latest check could not read it."
fn stale_text(was: SwitchState, at: f64) -> Text {
    let key = match was {
        SwitchState::On => "stateStaleOn",
        SwitchState::Off => "stateStaleOff",
    };
    Text::new(key).arg(Arg::date(crate::date::rfc3339(at)[..10].to_string()))
}

/// A short "why" for a step's result, to follow a setting's title: "the page did not load".
pub fn why(r: Reason) -> Text {
    Text::new(match r {
        Reason::NotLoggedIn => "whyNotLoggedIn",
        Reason::NotFound => "whyNotFound",
        Reason::Loading => "whyLoading",
        Reason::Conflicting => "whyConflicting",
        Reason::NotChecked => "whyNotChecked",
        Reason::TimedOut => return Text::new("whyTimedOut").arg((crate::catalogue::SITE.page_timeout_ms / 1000).to_string()),
        Reason::DidNotChange => "whyDidNotChange",
        Reason::NotConfirmed => "whyNotConfirmed",
        Reason::Cancelled => "whyCancelled",
        Reason::Reverted => "whyReverted",
        Reason::NotLoaded => "whyNotLoaded",
        Reason::PageError => "whyPageError",
        Reason::Checkpoint => "whyCheckpoint",
        Reason::Unrecognised => "whyUnrecognised",
        Reason::List => "whyList",
        Reason::NotSeen => "whyNotSeen",
        Reason::Changed => "whyChanged",
        Reason::Hidden => "whyHidden",
        Reason::NotKept => "whyNotKept",
        Reason::Unconfirmed => "whyUnconfirmed",
    })
}

/// What the popup says about a job.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    /// What the job does.
    pub kind: JobKind,
    /// Where it is.
    pub status: JobStatus,
    /// It is running: the popup's job buttons stay disabled.
    pub running: bool,
    /// LinkedIn asks the person to confirm the change on the page.
    pub awaiting_confirmation: bool,
    /// Sentences, to join with spaces: "Checked 12 of 13 settings. 1 could not be read: …"
    pub sentences: Vec<Text>,
    /// One line per step with a result (opt-out), in order.
    pub results: Vec<JobResult>,
    /// Settings "Try the failed ones again" would start a job for (empty: no such action).
    pub retry: Vec<String>,
    /// The kind of job the retry starts.
    pub retry_kind: JobKind,
    /// While it runs: what is being read now (a setting's title, or "LinkedIn's Advertising
    /// data page").
    pub current: Option<Text>,
    /// Settings with a result so far, for the progress bar (as the sentences count them).
    pub done: usize,
    /// The job's settings.
    pub total: usize,
}

/// One step's result, for the popup.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    /// Setting id.
    pub setting: String,
    /// The result.
    pub outcome: Outcome,
    /// "Data for Generative AI Improvement — failed: the page did not load".
    pub text: Text,
}

/// The popup's words for a job that ended (for a running one, its progress).
pub fn job_summary(job: &Job) -> JobSummary {
    // Counts are of settings; a category page is a means of reading them.
    let (done, total) = job.progress();
    let title = |id: &str| crate::catalogue::by_id(id).map_or_else(|| Text::new("appName"), |s| Text::new(s.msg_title));
    let item = |id: &str, r: Option<Reason>| match r {
        Some(r) => Text::new("jobItemWhy").arg(title(id)).arg(why(r)),
        None => title(id),
    };
    let list = |items: Vec<Text>| items.into_iter().reduce(|a, b| Text::new("listJoin").arg(a).arg(b));
    let read = job.setting_steps().filter(|s| matches!(s.outcome, Some(Outcome::On | Outcome::Off))).count();
    let mut sentences = Vec::new();
    match (job.status, job.kind) {
        (JobStatus::Running, JobKind::Sweep) => sentences.push(Text::new("jobChecking").arg((done + 1).min(total)).arg(total)),
        (JobStatus::Running, JobKind::OptOut) => sentences.push(Text::new("jobTurningOff").arg((done + 1).min(total)).arg(total)),
        (JobStatus::Stopped, _) if job.stop_reason == Some(Reason::NotLoggedIn) => sentences.push(Text::new("jobStoppedSignedOut")),
        (JobStatus::Stopped, _) if job.stop_reason == Some(Reason::Checkpoint) => {
            let reached = job.setting_steps().filter(|s| s.outcome.is_some() && s.reason != Some(Reason::Checkpoint)).count();
            sentences.push(Text::new("jobStoppedCheckpoint").arg(reached).arg(total));
        }
        (JobStatus::Cancelled | JobStatus::Stopped, _) => {
            let reached = job.setting_steps().filter(|s| s.outcome.is_some() && s.reason != Some(Reason::Cancelled)).count();
            sentences.push(Text::new("jobCancelled").arg(reached).arg(total));
        }
        (JobStatus::Finished, JobKind::Sweep) if read == total => sentences.push(Text::new("jobCheckedAll").arg(total)),
        (JobStatus::Finished, JobKind::Sweep) => {
            sentences.push(Text::new("jobCheckedSome").arg(read).arg(total));
            let unread: Vec<Text> =
                job.setting_steps().filter(|s| s.outcome == Some(Outcome::Unknown)).map(|s| item(&s.setting, s.reason)).collect();
            let n = unread.len();
            if let Some(l) = list(unread) {
                sentences.push(if n == 1 { Text::new("jobUnreadOne").arg(l) } else { Text::new("jobUnreadMany").arg(n).arg(l) });
            }
        }
        (JobStatus::Finished, JobKind::OptOut) => {
            let failed: Vec<Text> =
                job.setting_steps().filter(|s| s.outcome == Some(Outcome::Failed)).map(|s| item(&s.setting, s.reason)).collect();
            let n = failed.len();
            match list(failed) {
                None => sentences.push(Text::new("jobDone")),
                Some(l) => {
                    sentences.push(Text::new("jobOffSome").arg(total - n).arg(total));
                    sentences.push(if n == 1 { Text::new("jobFailedOne").arg(l) } else { Text::new("jobFailedMany").arg(n).arg(l) });
                }
            }
        }
    }
    // A full "Check all" reads every setting with a page of its own; the popup also lists
    // settings no check can reach. Its count says so, so "Checked all 18" beside 25 rows
    // names the rest.
    let reachable = crate::catalogue::SETTINGS.iter().filter(|s| s.url().is_some()).count();
    let beyond = crate::catalogue::SETTINGS.len() - reachable;
    if job.status == JobStatus::Finished && job.kind == JobKind::Sweep && total == reachable && beyond > 0 {
        sentences.push(if beyond == 1 { Text::new("jobOutOfReachOne") } else { Text::new("jobOutOfReach").arg(beyond) });
    }
    let results = job
        .setting_steps()
        .filter(|_| job.kind == JobKind::OptOut)
        .filter_map(|s| {
            let outcome = s.outcome?;
            let word = Text::new(match outcome {
                Outcome::On => "outcomeOn",
                Outcome::Off => "outcomeOff",
                Outcome::Unknown => "outcomeUnknown",
                Outcome::TurnedOff => "outcomeTurnedOff",
                Outcome::AlreadyOff => "outcomeAlreadyOff",
                Outcome::Failed => "outcomeFailed",
                Outcome::Read | Outcome::Skipped => return None,
            });
            let result = match s.reason {
                Some(r) => Text::new("outcomeWhy").arg(word).arg(why(r)),
                None => word,
            };
            Some(JobResult { setting: s.setting.clone(), outcome, text: Text::new("jobResultLine").arg(title(&s.setting)).arg(result) })
        })
        .collect();
    let retry = if job.status == JobStatus::Running { Vec::new() } else { job.retry_ids() };
    // What each tab reads now: the main lane's page, and the helper's when it is another.
    let current = list(
        job.reading()
            .into_iter()
            .map(|s| match s.category.as_deref().and_then(crate::category::page) {
                Some(page) => Text::new("jobReadingCategory").arg(Text::new(page.msg)),
                None => title(&s.setting),
            })
            .collect(),
    );
    JobSummary {
        kind: job.kind,
        status: job.status,
        running: job.status == JobStatus::Running,
        awaiting_confirmation: job.awaiting_confirmation(),
        sentences,
        results,
        retry,
        retry_kind: job.kind,
        current,
        done,
        total,
    }
}
