//! A job's plan, or why it is not started.

use serde::Serialize;

use super::{Change, Directive, Job, JobKind, JobStatus, Lane, Role, Step, Visit};
use crate::catalogue::{self, SITE};
use crate::managed::Managed;

/// What starting a job gave: the job (as JSON text) and what to do first, or why not (as
/// a code and as a message).
#[derive(Debug, Serialize)]
pub struct Started {
    /// The job started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// What to do first (open its tabs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directive: Option<Directive>,
    /// Why it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
    /// The same, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<crate::text::Text>,
}

impl From<Result<(Job, Directive), Refusal>> for Started {
    fn from(started: Result<(Job, Directive), Refusal>) -> Self {
        match started {
            Ok((job, d)) => Started { job: Some(job.to_text()), directive: Some(d), refusal: None, text: None },
            Err(r) => Started { job: None, directive: None, refusal: Some(r), text: Some(crate::text::Text::new(r.msg())) },
        }
    }
}

/// Why a job was not started: each maps to a message for the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Refusal {
    /// An administrator does not allow turning settings off.
    NotAllowed,
    /// No settings were chosen.
    NoneChosen,
    /// A chosen setting is not in this version's catalogue (or has no page).
    UnknownSetting,
    /// Another job is running.
    Busy,
    /// Not a kind of job this version knows.
    UnknownKind,
}

impl Refusal {
    /// The i18n message explaining it.
    pub fn msg(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "refusalNotAllowed",
            Refusal::NoneChosen => "refusalNoneChosen",
            Refusal::UnknownSetting => "refusalUnknownSetting",
            Refusal::Busy => "refusalBusy",
            Refusal::UnknownKind => "refusalUnknownKind",
        }
    }
}

impl Job {
    /// Starts a job of `kind` (`settings`: the chosen ids, or `None` for all), unless
    /// `running` is a job still running: the job, and the directive that opens its tabs.
    pub fn start(kind: &str, settings: Option<&[String]>, running: Option<&Job>, now: f64, managed: &Managed) -> Result<(Job, Directive), Refusal> {
        if running.is_some_and(|j| j.status == JobStatus::Running) {
            return Err(Refusal::Busy);
        }
        let mut job = match (kind, settings) {
            ("sweep", None) => Job::sweep(now, managed),
            ("sweep", Some(ids)) => Job::recheck(ids, now, managed)?,
            ("opt-out", ids) => Job::opt_out(ids.unwrap_or_default(), now, managed)?,
            _ => return Err(Refusal::UnknownKind),
        };
        let mut d = Directive::default();
        job.schedule(now, &mut d);
        Ok((job, d))
    }

    /// "Check all": first the category pages that list at least two of the settings it
    /// reads (for one, its own page costs the same and reads the switch itself), in the
    /// rules' order; then every watched catalogued setting that has a page, in catalogue
    /// order. A setting a category page settles is not visited on its own page.
    fn sweep(now: f64, managed: &Managed) -> Job {
        let settings: Vec<Step> =
            catalogue::SETTINGS.iter().filter(|s| managed.watches(s.id)).filter_map(|s| s.url().map(|url| step(s.id, url))).collect();
        let mut steps: Vec<Step> = crate::category::pages()
            .iter()
            .filter(|p| crate::category::readable_settings(p).filter(|s| settings.iter().any(|st| st.setting == s.id)).count() >= 2)
            .map(|p| Step { category: Some(p.id.into()), ..step("", SITE.at(p.path)) })
            .collect();
        steps.extend(settings);
        Job::new(JobKind::Sweep, steps, now)
    }

    /// Guided opt-out of the given settings, in catalogue order, each once; refused when
    /// an administrator does not allow it.
    fn opt_out(ids: &[String], now: f64, managed: &Managed) -> Result<Job, Refusal> {
        if !managed.opt_out_allowed() {
            return Err(Refusal::NotAllowed);
        }
        // Only switches can be turned off; a read-only row (a listed connection) never can.
        if ids.iter().any(|id| catalogue::by_id(id).is_some_and(|s| !s.switchable())) {
            return Err(Refusal::UnknownSetting);
        }
        Ok(Job::new(JobKind::OptOut, chosen(ids)?, now))
    }

    /// "Check all" limited to the given settings ("Try the failed ones again").
    fn recheck(ids: &[String], now: f64, managed: &Managed) -> Result<Job, Refusal> {
        let steps: Vec<Step> = chosen(ids)?.into_iter().filter(|s| managed.watches(&s.setting)).collect();
        if steps.is_empty() {
            return Err(Refusal::NoneChosen);
        }
        Ok(Job::new(JobKind::Sweep, steps, now))
    }

    /// A job with its two lanes: the main one, and the helper (a check's second reader,
    /// an opt-out's prover). Neither has a tab until the background opens it.
    fn new(kind: JobKind, steps: Vec<Step>, now: f64) -> Job {
        let lane = |role| Lane { role, tab: None, visit: Visit::Idle, shown: None };
        Job {
            kind,
            status: JobStatus::Running,
            stop_reason: None,
            steps,
            lanes: vec![lane(Role::Main), lane(Role::Helper)],
            cursor: 0,
            started_at: now,
            finished_at: None,
            wound_up: false,
        }
    }
}

/// A step for `setting`'s page at `url`.
pub(super) fn step(setting: &str, url: String) -> Step {
    Step {
        setting: setting.into(),
        url,
        category: None,
        failed_loads: 0,
        load_failure: None,
        not_before: None,
        helper_tried: false,
        change: Change::Untouched,
        outcome: None,
        reason: None,
        ended_at: None,
    }
}

/// The steps for the chosen settings, in catalogue order, each once.
fn chosen(ids: &[String]) -> Result<Vec<Step>, Refusal> {
    if ids.is_empty() {
        return Err(Refusal::NoneChosen);
    }
    if ids.iter().any(|id| catalogue::by_id(id).and_then(|s| s.url()).is_none()) {
        return Err(Refusal::UnknownSetting);
    }
    Ok(catalogue::SETTINGS.iter().filter(|s| ids.iter().any(|id| id == s.id)).filter_map(|s| s.url().map(|url| step(s.id, url))).collect())
}
