//! Jobs: "Check all" (read every setting) and guided opt-out (turn chosen settings off,
//! one click each, on the person's confirmation), as the core's model of the tabs they use.
//!
//! A job owns its tabs as *lanes*. The main lane reads the pages in list order and is the
//! only one that clicks; the helper lane reads settings' own pages from the end of a
//! check's list, or, in an opt-out, loads a clicked setting's page afresh to prove that
//! LinkedIn kept the change. Each lane reads one page at a time as a [`Visit`].
//!
//! Every event reaches the job through one door, [`Job::on`], which ignores tabs that are
//! not the job's; its answer is a [`Directive`] the background follows without deciding
//! anything. The job crosses to the shell as JSON text, which the shell stores and hands
//! back but never reads, so it survives the service worker being stopped.
//!
//! The concerns live beside this file: `start` (the plan, or why not), `visit` (a page
//! being read: loads, failures, retries, the clock), `read` (a check's readings, category
//! pages), `change` (the one click and its proof), `schedule` (which lane reads what next,
//! and the end).

mod change;
mod read;
mod schedule;
mod start;
mod visit;

use serde::{Deserialize, Serialize};

use crate::catalogue::SwitchState;
use crate::detect::{Observation, Reason};
use crate::scan::Examined;

pub use start::{Refusal, Started};
pub use crate::scan::PageLoad;
pub use visit::{is_checkpoint, loaded_before};

/// A browser tab's id (a JavaScript number).
pub type TabId = f64;

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// Read every catalogued setting.
    Sweep,
    /// Turn chosen settings to their protective state.
    OptOut,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobStatus {
    /// Working through its steps.
    Running,
    /// Every step has a result.
    Finished,
    /// The person cancelled it.
    Cancelled,
    /// It stopped early; see `stop_reason`.
    Stopped,
}

/// The result of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Read: the switch is on.
    On,
    /// Read: the switch is off.
    Off,
    /// Read: the state could not be read (see the step's reason).
    Unknown,
    /// Opt-out: clicked once, and a fresh load of its page shows the protective state.
    TurnedOff,
    /// Opt-out: already in the protective state; not clicked.
    AlreadyOff,
    /// Opt-out: not done, or not proven done (see the step's reason).
    Failed,
    /// A category page: read (the settings it settled have their own results).
    Read,
    /// A category page: not visited, since the first one read showed no state word its
    /// language's rules confirm, or nothing it lists was left to read.
    Skipped,
}

/// What a lane's tab is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reads the pages in list order; the only lane that clicks.
    Main,
    /// Reads without ever clicking: own pages from the end of a check's list, or the fresh
    /// loads that prove an opt-out's change.
    Helper,
}

/// Where a lane's page stands since its tab was sent there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Seen {
    /// Nothing yet.
    #[default]
    Nothing,
    /// The tab finished loading but no content script answered, since `since` (the
    /// browser's own error page runs none).
    Silent {
        /// When the load finished.
        since: f64,
    },
    /// A scan of the page arrived.
    Scanned,
}

/// What a lane is doing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Visit {
    /// Nothing to read now.
    #[default]
    Idle,
    /// Waits for the other lane's read of step `step`'s page.
    Deferred {
        /// The step.
        step: usize,
    },
    /// Step `step`'s page is loaded again at `until` (its second try, or the next fresh
    /// load of a proof).
    Waiting {
        /// The step.
        step: usize,
        /// When.
        until: f64,
    },
    /// The tab was sent to `url`, step `step`'s page, at `asked_at`.
    Open {
        /// The step.
        step: usize,
        /// The page.
        url: String,
        /// When the tab was sent there (ms since the epoch).
        asked_at: f64,
        /// What came of it so far.
        seen: Seen,
        /// The tab was sent there a second time (it had not arrived).
        renavigated: bool,
        /// The tab last showed a read document of this same URL: a scan of a document
        /// loaded before `asked_at` is that one's, not the fresh load asked for.
        reload: bool,
    },
}

/// One tab of a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lane {
    /// What the tab is for.
    pub role: Role,
    /// The tab, once the background has opened it.
    pub tab: Option<TabId>,
    /// What it is doing.
    pub visit: Visit,
    /// The URL of the last document this tab showed and a scan read.
    pub shown: Option<String>,
}

/// The opt-out's one click on a step's switch, and what came of it so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Change {
    /// Not clicked.
    #[default]
    Untouched,
    /// Clicked at `at`; the page has not shown the protective state yet.
    Clicked {
        /// When.
        at: f64,
    },
    /// LinkedIn asks for a confirmation in a dialog: the person answers it on the page.
    Asking {
        /// When the click was made.
        at: f64,
    },
    /// The clicked page shows the protective state since `since`.
    Holding {
        /// When the click was made.
        at: f64,
        /// Since when.
        since: f64,
    },
    /// Fresh loads of the page prove it: `reads` made so far, `on` of them showing the
    /// state from before the click.
    Proving {
        /// When the click was made.
        at: f64,
        /// Fresh loads that gave an answer other than the protective state.
        reads: u32,
        /// Of them, those showing the old state.
        on: u32,
    },
}

/// One page of a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Setting id (empty for a category page's step).
    pub setting: String,
    /// The page to open.
    pub url: String,
    /// A category page's step: the page's id. Such a step reads the states of the settings
    /// the page lists and settles their own steps.
    pub category: Option<String>,
    /// Loads of this page that failed so far (a page is tried at most twice).
    pub failed_loads: u32,
    /// Why the first load failed, while the second try waits or runs.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub load_failure: Option<Reason>,
    /// After a failed load: not to be loaded again before this time.
    pub not_before: Option<f64>,
    /// The helper lane tried this page and left it to the main lane.
    pub helper_tried: bool,
    /// The opt-out's click and its proof.
    pub change: Change,
    /// The result, once there is one.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub outcome: Option<Outcome>,
    /// Why, for `Unknown` and `Failed`.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub reason: Option<Reason>,
    /// When the step got its result.
    pub ended_at: Option<f64>,
}

/// A job in progress or done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// What it does.
    pub kind: JobKind,
    /// Where it is.
    pub status: JobStatus,
    /// Why it stopped early.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub stop_reason: Option<Reason>,
    /// The pages, in order.
    pub steps: Vec<Step>,
    /// Its tabs: the main lane first.
    pub lanes: Vec<Lane>,
    /// The step the main lane took last: it goes on from there in list order.
    pub cursor: usize,
    /// When it started.
    pub started_at: f64,
    /// When it finished, was cancelled or stopped.
    pub finished_at: Option<f64>,
    /// The background has done what the end asks (recorded it, closed the tabs).
    pub wound_up: bool,
}

/// Where a tab is, as the background saw it on a tick.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TabSeen {
    /// The tab.
    pub tab: TabId,
    /// Its URL, once it has finished loading (`None` while a page loads, or not known).
    pub url: Option<String>,
    /// The tab no longer exists.
    pub gone: bool,
}

/// Something that happened to a job or one of its tabs.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Event {
    /// The background opened this tab for the lane `role`, as a directive asked.
    Opened {
        /// The lane.
        role: Role,
    },
    /// A scan of the tab's page: what `scanPage` gave, the page itself included.
    Scan {
        /// What the core read on it (boxed: the other events are small).
        outcome: Box<Examined>,
    },
    /// The tab finished loading `url`; `script_answered`: whether its content script
    /// answered (the browser's error page runs none).
    Loaded {
        /// The tab's URL.
        url: String,
        /// Whether the page script answered.
        script_answered: bool,
    },
    /// The tab was closed, or cannot be used.
    Closed,
    /// The clock, with where each of the job's tabs is.
    Tick {
        /// The job's tabs.
        #[serde(default)]
        tabs: Vec<TabSeen>,
    },
    /// The person cancels the job.
    Cancel,
    /// The background did what the end asked.
    WoundUp,
}

/// Send a lane's tab to a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Go {
    /// Which lane.
    pub role: Role,
    /// Its tab; `None`: open one in the background, then report it (`opened`).
    pub tab: Option<TabId>,
    /// Where.
    pub url: String,
}

/// The one click of an opt-out, as the page script makes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Click {
    /// The candidate's index in the scan just reported.
    pub index: usize,
    /// Its setting.
    pub setting: String,
    /// The state the switch must still show.
    pub state: SwitchState,
    /// How long to keep re-reading the page after the click.
    pub watch_ms: u32,
}

/// What the background must do after an event (read back by `applyScan`).
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Directive {
    /// Tabs to send somewhere (or to open).
    pub go: Vec<Go>,
    /// Click, in the tab whose scan this answers.
    pub click: Option<Click>,
    /// Bring this tab to the front: LinkedIn is asking the person something.
    pub front: Option<TabId>,
    /// Close these tabs.
    pub close: Vec<TabId>,
    /// The job has ended: record its end, then report `wound-up`.
    pub finished: bool,
    /// Settings whose change through the extension a fresh load proved in this scan.
    pub changed_by_extension: Vec<String>,
    /// This scan's observations must not be stored (a signed-out page, an error page, the
    /// clicked page before the proof).
    pub discard_observations: bool,
    /// Observations to store that no scan carried (a page that could not be read).
    pub record: Vec<Observation>,
}

/// A job after one event: the job (as the JSON text the shell keeps), what to do, and
/// whether anything changed (only then does the shell save it and follow the directive).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stepped {
    /// The job.
    pub job: String,
    /// What to do.
    pub directive: Directive,
    /// Whether the job changed or the directive asks for anything.
    pub changed: bool,
}

/// What the background asks of a job.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    /// It is running: the clock must tick.
    pub running: bool,
    /// It has ended but the background has not yet done what the end asks.
    pub ending: bool,
    /// Its tabs (to watch on the clock).
    pub tabs: Vec<TabId>,
}

impl Job {
    /// The one door for every event: `tab` is the tab it concerns (`None` for the job as
    /// a whole). An event of a tab that is not the job's changes nothing.
    pub fn on(&mut self, tab: Option<TabId>, event: Event, now: f64) -> Directive {
        let mut d = Directive::default();
        match event {
            Event::Tick { tabs } => self.on_tick(&tabs, now, &mut d),
            Event::Cancel => self.cancel(now, &mut d),
            Event::WoundUp => self.wound_up = true,
            Event::Opened { role } => {
                if let Some(tab) = tab {
                    self.opened(role, tab, &mut d);
                }
            }
            Event::Scan { outcome } => {
                if let Some(lane) = self.running_lane(tab) {
                    self.on_scan(lane, &outcome, now, &mut d);
                }
            }
            Event::Loaded { url, script_answered } => {
                if let Some(lane) = self.running_lane(tab) {
                    self.on_loaded(lane, &url, script_answered, now, &mut d);
                }
            }
            Event::Closed => {
                if let Some(lane) = self.running_lane(tab) {
                    self.on_closed(lane, now, &mut d);
                }
            }
        }
        d
    }

    /// Feeds an event and says what came of it, the job as JSON text.
    pub fn step(mut self, tab: Option<TabId>, event: Event, now: f64) -> Stepped {
        let before = self.clone();
        let directive = self.on(tab, event, now);
        let changed = self != before || directive != Directive::default();
        Stepped { job: self.to_text(), directive, changed }
    }

    /// The job as the JSON text the shell keeps.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a job the shell kept: refused unless it is one this version could have
    /// written (one main lane first, at most one helper, every lane's step a step of the job).
    pub fn from_text(text: &str) -> Result<Job, serde_json::Error> {
        let job: Job = serde_json::from_str(text)?;
        let n = job.steps.len();
        let lanes_ok = job.lanes.first().is_some_and(|l| l.role == Role::Main)
            && job.lanes.iter().skip(1).all(|l| l.role == Role::Helper)
            && job.lanes.len() <= 2
            && job.lanes.iter().all(|l| l.visit.step().is_none_or(|i| i < n));
        if !lanes_ok {
            return Err(serde::de::Error::custom("not a job's lanes"));
        }
        Ok(job)
    }

    /// The index of the lane whose tab is `tab`, while the job runs.
    fn running_lane(&self, tab: Option<TabId>) -> Option<usize> {
        let tab = tab?;
        (self.status == JobStatus::Running).then(|| self.lanes.iter().position(|l| l.tab == Some(tab))).flatten()
    }

    /// Whether `tab` is a tab of this job while it runs: no one else may use it.
    pub fn holds_tab(&self, tab: TabId) -> bool {
        self.running_lane(Some(tab)).is_some()
    }

    /// What the background asks: running, ending, its tabs.
    pub fn view(&self) -> JobView {
        JobView {
            running: self.status == JobStatus::Running,
            ending: self.status != JobStatus::Running && !self.wound_up,
            tabs: self.lanes.iter().filter_map(|l| l.tab).collect(),
        }
    }

    /// The main lane's step, if it is on one.
    pub fn current(&self) -> Option<usize> {
        self.lanes.first().and_then(|l| l.visit.step())
    }

    /// Whether LinkedIn is asking the person to confirm the change on the page.
    pub fn awaiting_confirmation(&self) -> bool {
        self.status == JobStatus::Running && self.steps.iter().any(|s| matches!(s.change, Change::Asking { .. }) && s.outcome.is_none())
    }

    /// The steps being read now, one per lane, the main lane's first.
    pub fn reading(&self) -> Vec<&Step> {
        let mut out: Vec<&Step> = Vec::new();
        if self.status != JobStatus::Running {
            return out;
        }
        for lane in &self.lanes {
            if let Some(s) = lane.visit.step().and_then(|i| self.steps.get(i)) {
                if !out.iter().any(|o| o.url == s.url) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// The steps of settings (a category page's steps aside).
    pub fn setting_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.category.is_none())
    }

    /// "4 of 11" for the popup: settings with a result, of all the job's settings (a
    /// category page is a means of reading them, not one of them).
    pub fn progress(&self) -> (usize, usize) {
        (self.setting_steps().filter(|s| s.outcome.is_some()).count(), self.setting_steps().count())
    }

    /// The settings worth trying again after this job: a check's settings it could not
    /// read, or an opt-out's settings whose page never loaded (nothing was clicked there).
    pub fn retry_ids(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| match (self.kind, s.outcome, s.reason) {
                (_, _, Some(Reason::Cancelled | Reason::NotLoggedIn)) => false,
                _ if s.category.is_some() => false,
                (JobKind::Sweep, Some(Outcome::Unknown), _) => true,
                (JobKind::OptOut, Some(Outcome::Failed), Some(r)) => s.change == Change::Untouched && is_load_failure(r),
                _ => false,
            })
            .map(|s| s.setting.clone())
            .collect()
    }
}

impl Visit {
    /// The step it concerns.
    pub fn step(&self) -> Option<usize> {
        match self {
            Visit::Idle => None,
            Visit::Deferred { step } | Visit::Waiting { step, .. } | Visit::Open { step, .. } => Some(*step),
        }
    }
}

/// The reasons that mean a page was never read (so nothing on it was clicked either).
pub fn is_load_failure(r: Reason) -> bool {
    matches!(r, Reason::NotLoaded | Reason::PageError | Reason::Checkpoint | Reason::TimedOut)
}
