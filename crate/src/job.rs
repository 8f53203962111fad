//! Jobs that walk one tab through settings pages: "Check all" (read every setting) and
//! guided opt-out (turn chosen settings off, one click each, on the person's confirmation).
//!
//! The background only navigates the tab and relays; every decision is here: which pages,
//! in which order, when a page counts as done, when to click, when a click succeeded, and
//! when to give up. A job is plain data, so it survives the service worker being stopped:
//! the background keeps it in `storage.session` and feeds it scans and clock ticks.
//!
//! A page that does not load (the browser's error page, an HTTP error, LinkedIn's security
//! check, no answer in time) is tried once more after a short wait, then recorded on its
//! step with its reason; the background learns of it only as facts it reports (the tab
//! finished loading but no content script answers, the tab's URL, the page's HTTP status).

use serde::{Deserialize, Serialize};

use crate::catalogue::{self, SwitchState, FAILURES, SITE};
use crate::detect::{Observation, Observed, Reason, ScanOutcome};
use crate::managed::Managed;
use crate::url::Location;

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
    /// Opt-out: clicked once, and the read-back shows the protective state.
    TurnedOff,
    /// Opt-out: already in the protective state; not clicked.
    AlreadyOff,
    /// Opt-out: not done (see the step's reason).
    Failed,
    /// A category page: read (the settings it settled have their own results).
    Read,
    /// A category page: not visited, since the first one read showed no state word its
    /// language's rules confirm (its settings go page by page).
    Skipped,
}

/// How much earlier than it was asked for a page's load may seem and still count as the
/// page asked for (`performance.timeOrigin` and `Date.now()` round differently).
const STALE_SLACK_MS: f64 = 50.0;

/// Whether a document that loaded at `loaded_at` (its `performance.timeOrigin`) is older
/// than a request made at `asked_at` (ms since the epoch): a late scan of the page being
/// replaced, not the page asked for. One rule for jobs and for "Show me".
pub fn loaded_before(loaded_at: f64, asked_at: f64) -> bool {
    loaded_at + STALE_SLACK_MS < asked_at
}

/// One page of a job. The fields added after the first release default when absent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Setting id.
    pub setting: String,
    /// The page to open.
    pub url: String,
    /// When the page was asked for.
    pub started_at: Option<f64>,
    /// When the one click was made (opt-out only).
    pub clicked_at: Option<f64>,
    /// LinkedIn showed a dialog after the click: waiting for the person.
    #[serde(default)]
    pub awaiting_confirmation: bool,
    /// When the read-back after the click first showed the protective state.
    pub protective_seen_at: Option<f64>,
    /// The tab was sent to this page a second time (it had not arrived).
    #[serde(default)]
    pub renavigated: bool,
    /// Loads of this page that failed so far (a page is tried at most twice).
    #[serde(default)]
    pub failed_loads: u32,
    /// Why the first load failed, while the second try waits or runs.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub load_failure: Option<Reason>,
    /// When to try the page again after a failed load.
    pub retry_at: Option<f64>,
    /// A scan of this page has arrived since the tab was last sent to it.
    #[serde(default)]
    pub scanned: bool,
    /// The tab finished loading this page but no content script answered (since then).
    pub silent_since: Option<f64>,
    /// When the step got its result.
    pub ended_at: Option<f64>,
    /// The result, once there is one.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub outcome: Option<Outcome>,
    /// Why, for `Unknown` and `Failed`.
    #[serde(default, deserialize_with = "crate::wire::known")]
    pub reason: Option<Reason>,
    /// A category page's step: the page's id (`setting` is empty). Such a step reads the
    /// states of the settings the page lists and settles their own steps.
    #[serde(default)]
    pub category: Option<String>,
    /// The helper tab tried this page and left it to the job's own tab (it did not load
    /// there, or the helper lane ended): it is never the helper's again.
    #[serde(default)]
    pub helper_tried: bool,
}

/// "Check all"'s second tab: it reads settings' own pages from the end of the list while
/// the job's tab works from the start, so pages load two at a time. It only reads; it
/// never clicks. A page it cannot load goes back to the job's tab as that page's first
/// failed try; a page it is loading is never the job's tab's too.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Helper {
    /// The browser tab it drives (set by the background once it opened it).
    pub tab_id: Option<f64>,
    /// The page it is on, or waits for (`None`: nothing to read until a category page
    /// has been read).
    pub url: Option<String>,
    /// When it was sent there.
    pub started_at: Option<f64>,
    /// A scan of the page has arrived since.
    #[serde(default)]
    pub scanned: bool,
    /// The tab finished loading the page but no content script answered (since then).
    pub silent_since: Option<f64>,
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
    /// Index of the step being worked on (`steps.len()` when done).
    pub current: usize,
    /// The browser tab it drives.
    pub tab_id: Option<f64>,
    /// Whether the job opened that tab (and so closes it when done).
    pub own_tab: bool,
    /// When it started and finished.
    pub started_at: f64,
    /// When it finished, was cancelled or stopped.
    pub finished_at: Option<f64>,
    /// The second tab of a "Check all", while it has pages to read.
    #[serde(default)]
    pub helper: Option<Helper>,
}

/// What the background must do after feeding the job.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Directive {
    /// Click the candidate with this index in the scan just reported (once).
    pub click: Option<usize>,
    /// Navigate the job's tab here.
    pub navigate: Option<String>,
    /// Navigate the job's helper tab here.
    pub helper_navigate: Option<String>,
    /// Close this tab: the helper's, once it has nothing left to read.
    pub close_tab: Option<f64>,
    /// Bring the job's tab to the front: LinkedIn is asking the person something.
    pub show_tab: bool,
    /// The job has ended: close its tab if it opened it.
    pub finished: bool,
    /// Settings whose change, seen in this scan, the person made through the extension.
    pub changed_by_extension: Vec<String>,
    /// After a click: scan the page again for this long, since a page may undo a change
    /// without any event (the click's result counts only if it holds).
    pub verify_ms: Option<u32>,
    /// Observations that must not be stored (a signed-out page during a job changes nothing).
    pub discard_observations: bool,
    /// Observations to store that no scan carried: a page that could not be read, even on
    /// the second try, is recorded with its reason at the time of the attempt.
    pub record: Vec<Observation>,
}

/// A job after one event: the job, what the background must do, and whether anything
/// changed (the job, or something to do): only then does it save the job and follow the
/// directive.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stepped {
    /// The job.
    pub job: Job,
    /// What to do.
    pub directive: Directive,
    /// Whether the job changed or the directive asks for anything.
    pub changed: bool,
}

impl Job {
    /// Feeds one event to the job (`event` advances it and says what to do).
    pub fn step(mut self, event: impl FnOnce(&mut Job) -> Directive) -> Stepped {
        let before = self.clone();
        let directive = event(&mut self);
        let changed = self != before || directive != Directive::default();
        Stepped { job: self, directive, changed }
    }
}

/// What starting a job gave: the job, or why not (as a code and as a message).
#[derive(Debug, Serialize)]
pub struct Started {
    /// The job started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
    /// Why it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
    /// The same, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<crate::text::Text>,
}

impl From<Result<Job, Refusal>> for Started {
    fn from(started: Result<Job, Refusal>) -> Self {
        match started {
            Ok(job) => Started { job: Some(job), refusal: None, text: None },
            Err(r) => Started { job: None, refusal: Some(r), text: Some(crate::text::Text::new(r.msg())) },
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

/// What the page of a job's tab reported besides its switches; every field may be absent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PageLoad {
    /// `location.href`.
    pub url: String,
    /// Whether a modal dialog is open.
    pub dialog_open: bool,
    /// The HTTP status of the page's document, when the browser tells it.
    pub http_status: Option<u16>,
    /// When the document was loaded (`performance.timeOrigin`, ms since the epoch, the same
    /// clock as the job's): tells a late scan of the page the tab showed before the job
    /// sent it here, even when that page had the same URL (two settings on one page).
    pub loaded_at: Option<f64>,
    /// When the page script began this reading (ms since the epoch, the page's clock).
    pub taken_at: Option<f64>,
}

impl PageLoad {
    /// When the scan was taken (`now` when the page did not say): a scan that waited in a
    /// busy background is as old as the page state it shows.
    fn taken_at(&self, now: f64) -> f64 {
        self.taken_at.map_or(now, |at| at.min(now))
    }
}

/// Whether `url` is one of LinkedIn's security checks (and not its sign-in page).
pub fn is_checkpoint(url: &str) -> bool {
    Location::parse(url).filter(Location::is_linkedin).is_some_and(|loc| {
        FAILURES.checkpoint_prefixes.iter().any(|p| loc.path.starts_with(p)) && !crate::detect::is_login_page(url)
    })
}

/// The reasons that mean a page was never read (so nothing on it was clicked either).
pub fn is_load_failure(r: Reason) -> bool {
    matches!(r, Reason::NotLoaded | Reason::PageError | Reason::Checkpoint | Reason::TimedOut)
}

impl Job {
    /// "Check all": first the category pages that list at least two of the settings it
    /// reads (for one, its own page costs the same and reads the switch itself), in the
    /// rules' order; then every watched catalogued setting that has a page, in catalogue
    /// order. A setting a category page settles is not visited on its own page.
    pub fn sweep(now: f64, managed: &Managed) -> Job {
        let settings: Vec<Step> = catalogue::SETTINGS
            .iter()
            .filter(|s| managed.watches(s.id))
            .filter_map(|s| s.url().map(|url| step(s.id, url)))
            .collect();
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
    pub fn opt_out(ids: &[String], now: f64, managed: &Managed) -> Result<Job, Refusal> {
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
    pub fn recheck(ids: &[String], now: f64, managed: &Managed) -> Result<Job, Refusal> {
        let steps: Vec<Step> = chosen(ids)?.into_iter().filter(|s| managed.watches(&s.setting)).collect();
        if steps.is_empty() {
            return Err(Refusal::NoneChosen);
        }
        Ok(Job::new(JobKind::Sweep, steps, now))
    }

    /// Starts a job of `kind` (`settings`: the chosen ids, or `None` for all), unless
    /// `running` is a job still running.
    pub fn start(kind: &str, settings: Option<&[String]>, running: Option<&Job>, now: f64, managed: &Managed) -> Result<Job, Refusal> {
        if running.is_some_and(|j| j.status == JobStatus::Running) {
            return Err(Refusal::Busy);
        }
        match (kind, settings) {
            ("sweep", None) => Ok(Job::sweep(now, managed)),
            ("sweep", Some(ids)) => Job::recheck(ids, now, managed),
            ("opt-out", ids) => Job::opt_out(ids.unwrap_or_default(), now, managed),
            _ => Err(Refusal::UnknownKind),
        }
        .map(|job| job.with_helper(now))
    }

    /// The job with a helper tab, when it is a check with pages the helper may read (the
    /// background opens the helper's tab at `helper.url`, or leaves it waiting).
    pub fn with_helper(mut self, now: f64) -> Job {
        if self.kind == JobKind::Sweep && self.helper.is_none() {
            self.helper = Some(Helper::default());
            let mut d = Directive::default();
            self.feed_helper(now, &mut d);
        }
        self
    }

    fn new(kind: JobKind, mut steps: Vec<Step>, now: f64) -> Job {
        if let Some(first) = steps.first_mut() {
            first.started_at = Some(now);
        }
        Job { kind, status: JobStatus::Running, stop_reason: None, steps, current: 0, tab_id: None, own_tab: false, started_at: now, finished_at: None, helper: None }
    }

    /// The page the job's tab should show now.
    pub fn current_url(&self) -> Option<&str> {
        (self.status == JobStatus::Running).then(|| self.steps.get(self.current).map(|s| s.url.as_str())).flatten()
    }

    /// Feeds the scan of the job's tab at `url`.
    pub fn on_scan(&mut self, url: &str, outcome: &ScanOutcome, dialog_open: bool, now: f64) -> Directive {
        self.on_page(&PageLoad { url: url.into(), dialog_open, ..PageLoad::default() }, outcome, now)
    }

    /// Feeds the scan of the job's tab, with what the page reported about its loading.
    pub fn on_page(&mut self, page: &PageLoad, outcome: &ScanOutcome, now: f64) -> Directive {
        let (url, dialog_open) = (page.url.as_str(), page.dialog_open);
        let mut d = Directive::default();
        if self.status != JobStatus::Running {
            return d;
        }
        let Some(step) = self.steps.get(self.current) else { return d };
        let setting = step.setting.clone();
        let observed = outcome.observations.iter().find(|o| o.setting == setting).map(|o| o.observed);

        // Signed out: stop at once; nothing seen now may overwrite what is stored.
        if signed_out(outcome) {
            d.discard_observations = true;
            self.stop(Reason::NotLoggedIn, now, &mut d);
            return d;
        }
        // A late scan of the previous page: not this step's business. Also when that page
        // had this URL (two settings on one page, the previous one read there): loaded
        // before the job sent the tab here, with a little slack for the clocks' rounding.
        // Only then: after an error page Firefox can date the next document too early.
        let same_page_again = self.current > 0 && self.steps[self.current - 1].url == step.url && self.steps[self.current - 1].scanned;
        let stale = same_page_again && page.loaded_at.zip(step.started_at).is_some_and(|(loaded, asked)| loaded_before(loaded, asked));
        if !on_page(url, &step.url) || stale {
            return d;
        }
        let error_page = page.http_status.is_some_and(|s| s >= 400);
        // Waiting to try again: a late scan of the failed load decides nothing.
        if step.retry_at.is_some() {
            d.discard_observations = error_page;
            return d;
        }
        // Waiting for the helper tab's read of this page: the tab shows another.
        if step.started_at.is_none() {
            return d;
        }
        // An error page: nothing on it is read, stored or clicked.
        if error_page {
            d.discard_observations = true;
            if step.clicked_at.is_none() {
                self.load_failed(Reason::PageError, now, &mut d);
            }
            return d;
        }
        let step = &mut self.steps[self.current];
        step.scanned = true;
        step.silent_since = None;
        if let Some(page) = step.category.clone() {
            self.on_category_page(&page, outcome, now, &mut d);
            return d;
        }
        let protective = catalogue::by_id(&setting).map_or(SwitchState::Off, |s| s.protective);
        let done = match (self.kind, observed) {
            (_, None | Some(Observed::Unknown(Reason::Loading))) => None,
            (JobKind::Sweep, Some(Observed::On)) => Some((Outcome::On, None)),
            (JobKind::Sweep, Some(Observed::Off)) => Some((Outcome::Off, None)),
            (JobKind::Sweep, Some(Observed::Unknown(r))) => Some((Outcome::Unknown, Some(r))),
            (JobKind::OptOut, Some(Observed::Unknown(r))) => Some((Outcome::Failed, Some(r))),
            (JobKind::OptOut, Some(seen)) => {
                let is_protective = seen == Observed::from(protective);
                match (is_protective, step.clicked_at) {
                    (true, None) => Some((Outcome::AlreadyOff, None)),
                    // The click worked; it counts once a scan taken after the verify time
                    // still shows it (taken, not arrived: under load a scan can wait in
                    // the background while the page already undid the change).
                    (true, Some(at)) => {
                        if step.protective_seen_at.is_none() {
                            step.protective_seen_at = Some(now);
                            d.changed_by_extension.push(setting.clone());
                        }
                        (page.taken_at(now) - at >= f64::from(SITE.click_verify_ms)).then_some((Outcome::TurnedOff, None))
                    }
                    (false, None) => {
                        let marks: Vec<_> = outcome.marks.iter().filter(|m| m.setting == setting).collect();
                        match marks.as_slice() {
                            [one] if one.state != protective => {
                                d.click = Some(one.index);
                                d.verify_ms = Some(SITE.click_verify_ms + 500);
                                step.clicked_at = Some(now);
                                None
                            }
                            // Read only from a copy the person cannot see (a collapsed
                            // section): never clicked.
                            [] if outcome.hidden_copies.iter().any(|h| h.setting == setting) => {
                                Some((Outcome::Failed, Some(Reason::Hidden)))
                            }
                            _ => Some((Outcome::Failed, Some(Reason::Conflicting))),
                        }
                    }
                    // It changed and changed back: LinkedIn did not keep it. Never clicked again.
                    (false, Some(_)) if step.protective_seen_at.is_some() => Some((Outcome::Failed, Some(Reason::Reverted))),
                    (false, Some(_)) => {
                        if dialog_open && !step.awaiting_confirmation {
                            step.awaiting_confirmation = true;
                            d.show_tab = true;
                        }
                        None
                    }
                }
            }
        };
        if let Some((result, reason)) = done {
            if self.kind == JobKind::Sweep {
                self.settle_page_mates(outcome, now);
            }
            self.finish_step(result, reason, now, &mut d);
        }
        d
    }

    /// Two settings on one page (the promotions page): the scan that read this step's
    /// setting reads the later steps of the same page too, when it shows their switches on
    /// or off, so the page is loaded once for all of them. Anything less certain is left
    /// to the setting's own step, which loads the page again.
    fn settle_page_mates(&mut self, outcome: &ScanOutcome, now: f64) {
        let (current, here) = (self.current, self.steps[self.current].url.clone());
        let mates = self.steps.iter_mut().enumerate().filter(|(i, s)| *i != current && s.category.is_none() && s.outcome.is_none() && s.url == here);
        for (_, s) in mates {
            let seen = outcome.observations.iter().find(|o| o.setting == s.setting).map(|o| o.observed);
            let result = match seen {
                Some(Observed::On) => Outcome::On,
                Some(Observed::Off) => Outcome::Off,
                _ => continue,
            };
            s.outcome = Some(result);
            s.scanned = true;
            s.ended_at = Some(now);
        }
    }

    /// A category page's scan: once it can be read, the steps of the settings it settled
    /// are done (their states are the scan's observations, stored with the page they were
    /// read on; a switch the page shows itself counts as on its own page),
    /// and the step ends. The first category page read that shows no confirmed state word
    /// at all means the rules do not know this layout or language: the other category
    /// pages are skipped, and every setting goes page by page.
    fn on_category_page(&mut self, page: &str, outcome: &ScanOutcome, now: f64, d: &mut Directive) {
        let Some(read) = outcome.category.as_ref().filter(|c| c.page == page && c.ready) else { return };
        let first = !self.steps.iter().any(|s| s.category.is_some() && s.outcome == Some(Outcome::Read));
        // Its rows' states, and any switch the page itself showed (read as on its own page).
        for o in &outcome.observations {
            let result = match o.observed {
                Observed::On => Outcome::On,
                Observed::Off => Outcome::Off,
                Observed::Unknown(_) => continue,
            };
            if let Some(s) = self.steps.iter_mut().find(|s| s.category.is_none() && s.setting == o.setting && s.outcome.is_none()) {
                s.outcome = Some(result);
                s.ended_at = Some(now);
            }
        }
        if first && read.words == 0 {
            for s in self.steps.iter_mut().filter(|s| s.category.is_some() && s.outcome.is_none() && s.category.as_deref() != Some(page)) {
                s.outcome = Some(Outcome::Skipped);
                s.ended_at = Some(now);
            }
        }
        self.finish_step(Outcome::Read, None, now, d);
    }

    /// Advances on the clock: a page that never answers, a click that changed nothing, a
    /// tab that never arrived at its page (`tab_url`: where the job's tab is now, if known;
    /// e.g. the service worker was stopped between saving the step and navigating).
    pub fn on_tick(&mut self, now: f64, tab_url: Option<&str>) -> Directive {
        let mut d = Directive::default();
        if self.status != JobStatus::Running {
            return d;
        }
        // Waiting for the helper tab's read of this step's page: settled, or left to us.
        if let Some(step) = self.steps.get(self.current).filter(|s| s.started_at.is_none() && s.retry_at.is_none()) {
            if step.outcome.is_some() || !self.helper_holds(step) {
                self.resume_main(now, &mut d);
            }
            return d;
        }
        let Some(step) = self.steps.get_mut(self.current) else { return d };
        // Waiting to try a page that did not load once more.
        if let Some(at) = step.retry_at {
            if now >= at {
                step.retry_at = None;
                step.started_at = Some(now);
                step.scanned = false;
                step.silent_since = None;
                d.navigate = Some(step.url.clone());
            }
            return d;
        }
        let waited = step.started_at.is_some_and(|at| now - at > f64::from(SITE.renavigate_ms));
        if step.clicked_at.is_none() {
            // (Only once the tab had time to leave the page it showed before.)
            if waited && tab_url.is_some_and(is_checkpoint) {
                self.load_failed(Reason::Checkpoint, now, &mut d);
                return d;
            }
            let silent = step.silent_since.is_some_and(|at| now - at >= f64::from(FAILURES.no_script_grace_ms));
            if silent && !step.scanned {
                self.load_failed(Reason::NotLoaded, now, &mut d);
                return d;
            }
        }
        let Some(step) = self.steps.get_mut(self.current) else { return d };
        let elsewhere = tab_url.is_some_and(|u| !on_page(u, &step.url) && !crate::detect::is_login_page(u));
        let waited = step.started_at.is_some_and(|at| now - at > f64::from(SITE.renavigate_ms));
        if elsewhere && waited && step.clicked_at.is_none() && !step.renavigated {
            step.renavigated = true;
            d.navigate = Some(step.url.clone());
            return d;
        }
        let step = &self.steps[self.current];
        if let (Some(at), Some(_)) = (step.clicked_at, step.protective_seen_at) {
            // Seen in the protective state, but only a scan taken after the verify time says
            // it held (`on_page`); the page keeps scanning that long. None came: not known.
            if now - at > f64::from(SITE.click_verify_ms + SITE.click_settle_ms) {
                self.finish_step(Outcome::Failed, Some(Reason::TimedOut), now, &mut d);
            }
            return d;
        }
        let failure = match step.clicked_at {
            Some(at) if step.awaiting_confirmation => (now - at > f64::from(SITE.confirm_wait_ms)).then_some(Reason::NotConfirmed),
            Some(at) => (now - at > f64::from(SITE.click_settle_ms)).then_some(Reason::DidNotChange),
            None => step
                .started_at
                .is_some_and(|at| now - at > f64::from(SITE.page_timeout_ms))
                .then_some(Reason::TimedOut),
        };
        match failure {
            Some(Reason::TimedOut) => self.load_failed(Reason::TimedOut, now, &mut d),
            Some(reason) => {
                let outcome = if self.kind == JobKind::Sweep { Outcome::Unknown } else { Outcome::Failed };
                self.finish_step(outcome, Some(reason), now, &mut d);
            }
            None => {}
        }
        d
    }

    /// The job's tab finished loading `url` (the tab reported status "complete");
    /// `script_answered`: whether the content script there answered. The browser's own
    /// error page runs no content script: a page that stays silent counts as not loaded
    /// (decided on a later tick, since a content script may start just after the load).
    pub fn on_tab_loaded(&mut self, url: &str, script_answered: bool, now: f64) -> Directive {
        let mut d = Directive::default();
        if self.status != JobStatus::Running {
            return d;
        }
        let Some(step) = self.steps.get_mut(self.current) else { return d };
        if step.retry_at.is_some() || step.clicked_at.is_some() || step.started_at.is_none() {
            return d;
        }
        if is_checkpoint(url) {
            self.load_failed(Reason::Checkpoint, now, &mut d);
            return d;
        }
        // Where the browser shows its error page instead of ours, the URL may be its own.
        let ours = on_page(url, &step.url) || !Location::parse(url).is_some_and(|l| l.is_linkedin());
        if script_answered || step.scanned || !ours {
            return d;
        }
        step.silent_since.get_or_insert(now);
        d
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
                (JobKind::OptOut, Some(Outcome::Failed), Some(r)) => is_load_failure(r),
                _ => false,
            })
            .map(|s| s.setting.clone())
            .collect()
    }

    /// The current step's page did not load: tried once more after a short wait, then the
    /// step ends with `reason`, recorded for the setting at this time.
    fn load_failed(&mut self, reason: Reason, now: f64, d: &mut Directive) {
        let step = &mut self.steps[self.current];
        if step.failed_loads == 0 {
            step.failed_loads = 1;
            step.load_failure = Some(reason);
            step.retry_at = Some(now + f64::from(FAILURES.retry_wait_ms));
            step.scanned = false;
            step.silent_since = None;
            return;
        }
        step.failed_loads += 1;
        let setting = step.setting.clone();
        // A category page that did not load records nothing: its settings go page by page.
        let on_its_own_page = step.category.is_none();
        let outcome = if self.kind == JobKind::Sweep { Outcome::Unknown } else { Outcome::Failed };
        self.finish_step(outcome, Some(reason), now, d);
        if on_its_own_page {
            d.record.push(Observation { setting, observed: Observed::Unknown(reason) });
        }
    }

    /// Stops the job at the person's request; steps not reached are marked cancelled.
    pub fn cancel(&mut self, now: f64) -> Directive {
        let mut d = Directive::default();
        if self.status == JobStatus::Running {
            self.end(JobStatus::Cancelled, Reason::Cancelled, now, &mut d);
        }
        d
    }

    /// The job's tab went away.
    pub fn tab_closed(&mut self, now: f64) -> Directive {
        self.own_tab = false;
        self.cancel(now)
    }

    fn stop(&mut self, reason: Reason, now: f64, d: &mut Directive) {
        self.stop_reason = Some(reason);
        self.end(JobStatus::Stopped, reason, now, d);
    }

    fn end(&mut self, status: JobStatus, reason: Reason, now: f64, d: &mut Directive) {
        let unfinished = if self.kind == JobKind::Sweep { Outcome::Unknown } else { Outcome::Failed };
        for s in self.steps.iter_mut().filter(|s| s.outcome.is_none()) {
            s.outcome = Some(unfinished);
            s.reason = Some(reason);
        }
        self.current = self.steps.len();
        self.status = status;
        self.finished_at = Some(now);
        d.finished = true;
        d.navigate = None;
        d.helper_navigate = None;
        self.release_helper(d);
    }

    fn finish_step(&mut self, outcome: Outcome, reason: Option<Reason>, now: f64, d: &mut Directive) {
        let step = &mut self.steps[self.current];
        step.outcome = Some(outcome);
        step.reason = reason;
        step.ended_at = Some(now);
        step.retry_at = None;
        self.advance(now, d);
    }

    /// Moves the job's tab on: to the next step still to do that the helper tab is not
    /// reading (steps settled on a category page are done; a category page with nothing
    /// left to settle is skipped). When only the helper's page is left, the tab waits for
    /// the helper's read of it. The helper, if waiting, is then given its next page.
    fn advance(&mut self, now: f64, d: &mut Directive) {
        for i in 0..self.steps.len() {
            if self.steps[i].outcome.is_none() && !self.worth_reading(i) {
                self.steps[i].outcome = Some(Outcome::Skipped);
                self.steps[i].ended_at = Some(now);
            }
        }
        // In list order from the step just done, then any the helper left behind it.
        let n = self.steps.len();
        let order = (self.current.min(n)..n).chain(0..self.current.min(n));
        let open: Vec<usize> = order.filter(|&i| self.steps[i].outcome.is_none()).collect();
        let next = open.iter().find(|&&i| !self.helper_holds(&self.steps[i])).or(open.first()).copied();
        let Some(next) = next else {
            self.current = self.steps.len();
            self.status = JobStatus::Finished;
            self.finished_at = Some(now);
            d.finished = true;
            self.release_helper(d);
            return;
        };
        self.current = next;
        if self.helper_holds(&self.steps[next]) {
            self.steps[next].started_at = None;
        } else {
            self.start_current(now, d);
        }
        self.feed_helper(now, d);
    }

    /// Sends the job's tab to the current step's page, unless it waits for its second try
    /// (then the clock sends it).
    fn start_current(&mut self, now: f64, d: &mut Directive) {
        let step = &mut self.steps[self.current];
        if step.retry_at.is_some_and(|at| at > now) {
            step.started_at = None;
            return;
        }
        step.retry_at = None;
        step.started_at = Some(now);
        step.scanned = false;
        step.silent_since = None;
        d.navigate = Some(step.url.clone());
    }

    /// After the helper settled or left a page: the job's tab, if it waited for that page,
    /// moves on or loads it itself.
    fn resume_main(&mut self, now: f64, d: &mut Directive) {
        if self.status != JobStatus::Running {
            return;
        }
        let Some(step) = self.steps.get(self.current) else { return };
        if step.outcome.is_some() {
            self.advance(now, d);
        } else if step.started_at.is_none() && !self.helper_holds(step) {
            self.start_current(now, d);
        }
    }

    /// Whether the helper tab is reading `step`'s page.
    fn helper_holds(&self, step: &Step) -> bool {
        step.category.is_none() && self.helper.as_ref().and_then(|h| h.url.as_deref()) == Some(step.url.as_str())
    }

    /// Whether a category page still to be read may settle `setting`: the helper leaves
    /// such a setting alone, since the category page reads it for free.
    fn listed_by_pending_category(&self, setting: &str) -> bool {
        (0..self.steps.len()).any(|i| {
            let s = &self.steps[i];
            s.outcome.is_none()
                && self.worth_reading(i)
                && s.category.as_deref().and_then(crate::category::page).is_some_and(|p| crate::category::readable_settings(p).any(|x| x.id == setting))
        })
    }

    /// Whether the helper may take step `i`: a setting's own page still to read, not
    /// tried by it before nor failed once, not the page the job's tab is on, and not one a
    /// category page still to be read may settle.
    fn helper_may_read(&self, i: usize) -> bool {
        let s = &self.steps[i];
        let main_url = self.steps.get(self.current).filter(|m| m.outcome.is_none()).map(|m| m.url.as_str());
        s.category.is_none()
            && s.outcome.is_none()
            && !s.helper_tried
            && s.failed_loads == 0
            && s.retry_at.is_none()
            && main_url != Some(s.url.as_str())
            && !self.listed_by_pending_category(&s.setting)
    }

    /// Gives a waiting helper its next page, from the end of the list (the job's tab works
    /// from the start). With nothing for it now, it waits while a category page is still
    /// to be read (what that page does not settle is work for two tabs), else it closes.
    fn feed_helper(&mut self, now: f64, d: &mut Directive) {
        if self.status != JobStatus::Running || self.helper.as_ref().is_none_or(|h| h.url.is_some()) {
            return;
        }
        let next = (0..self.steps.len()).rev().find(|&i| self.helper_may_read(i));
        let category_pending = (0..self.steps.len()).any(|i| self.steps[i].category.is_some() && self.steps[i].outcome.is_none() && self.worth_reading(i));
        match (next, self.helper.as_mut()) {
            (Some(i), Some(h)) => {
                let url = self.steps[i].url.clone();
                *h = Helper { tab_id: h.tab_id, url: Some(url.clone()), started_at: Some(now), scanned: false, silent_since: None };
                d.helper_navigate = Some(url);
            }
            (None, Some(_)) if !category_pending => self.release_helper(d),
            _ => {}
        }
    }

    /// Ends the helper lane: its tab is closed.
    fn release_helper(&mut self, d: &mut Directive) {
        if let Some(h) = self.helper.take() {
            d.close_tab = d.close_tab.or(h.tab_id);
            d.helper_navigate = None;
        }
    }

    /// The steps the helper is reading (its page's settings not yet settled).
    fn held(&self) -> Vec<usize> {
        (0..self.steps.len()).filter(|&i| self.steps[i].outcome.is_none() && self.helper_holds(&self.steps[i])).collect()
    }

    /// The helper leaves its page to the job's tab: `failure`, the reason it did not load
    /// (the job's tab's load is then the page's second try).
    fn helper_leaves(&mut self, failure: Option<Reason>, now: f64) {
        for i in self.held() {
            let s = &mut self.steps[i];
            s.helper_tried = true;
            if let (Some(reason), 0) = (failure, s.failed_loads) {
                s.failed_loads = 1;
                s.load_failure = Some(reason);
                s.retry_at = Some(now + f64::from(FAILURES.retry_wait_ms));
            }
        }
        if let Some(h) = self.helper.as_mut() {
            *h = Helper { tab_id: h.tab_id, ..Helper::default() };
        }
    }

    /// The helper's page did not load: it goes back to the job's tab, and the helper takes
    /// its next page; LinkedIn's security check ends the helper (one tab asks less).
    fn helper_failed(&mut self, reason: Reason, now: f64, d: &mut Directive) {
        self.helper_leaves(Some(reason), now);
        if reason == Reason::Checkpoint {
            self.release_helper(d);
        }
        self.resume_main(now, d);
        self.feed_helper(now, d);
    }

    /// Whether `tab_id` is the helper's tab.
    pub fn is_helper_tab(&self, tab_id: Option<f64>) -> bool {
        tab_id.is_some() && tab_id != self.tab_id && self.helper.as_ref().and_then(|h| h.tab_id) == tab_id
    }

    /// Feeds the scan of the tab `tab_id` (the job's or its helper's).
    pub fn on_page_in(&mut self, tab_id: Option<f64>, page: &PageLoad, outcome: &ScanOutcome, now: f64) -> Directive {
        if self.is_helper_tab(tab_id) { self.on_helper_page(page, outcome, now) } else { self.on_page(page, outcome, now) }
    }

    /// The tab `tab_id` (the job's or its helper's) finished loading `url`.
    pub fn on_tab_loaded_in(&mut self, tab_id: Option<f64>, url: &str, script_answered: bool, now: f64) -> Directive {
        if self.is_helper_tab(tab_id) { self.on_helper_tab_loaded(url, script_answered, now) } else { self.on_tab_loaded(url, script_answered, now) }
    }

    /// The tab `tab_id` went away: the job's tab cancels the job; the helper's ends the
    /// helper (its page goes back to the job's tab).
    pub fn on_tab_closed(&mut self, tab_id: f64, now: f64) -> Directive {
        let mut d = Directive::default();
        if self.is_helper_tab(Some(tab_id)) {
            if self.status == JobStatus::Running {
                self.helper_leaves(None, now);
                self.helper = None;
                self.resume_main(now, &mut d);
            }
            return d;
        }
        if self.tab_id == Some(tab_id) {
            return self.tab_closed(now);
        }
        d
    }

    /// Advances both tabs on the clock (`helper_url`: where the helper's tab is, if known).
    pub fn on_ticks(&mut self, now: f64, tab_url: Option<&str>, helper_url: Option<&str>) -> Directive {
        let mut d = self.on_tick(now, tab_url);
        let h = self.on_helper_tick(now, helper_url);
        d.navigate = d.navigate.or(h.navigate);
        d.helper_navigate = h.helper_navigate.or(d.helper_navigate);
        d.close_tab = d.close_tab.or(h.close_tab);
        d.finished |= h.finished;
        d.record.extend(h.record);
        d
    }

    /// A scan of the helper's tab: once its setting shows a state, the settings of that
    /// page are settled as the job's tab would settle them (a second setting there only
    /// when it shows on or off), and the helper moves on.
    fn on_helper_page(&mut self, page: &PageLoad, outcome: &ScanOutcome, now: f64) -> Directive {
        let mut d = Directive::default();
        let Some(url) = self.helper.as_ref().and_then(|h| h.url.clone()).filter(|_| self.status == JobStatus::Running) else { return d };
        if signed_out(outcome) {
            d.discard_observations = true;
            self.stop(Reason::NotLoggedIn, now, &mut d);
            return d;
        }
        if !on_page(&page.url, &url) {
            return d;
        }
        if page.http_status.is_some_and(|s| s >= 400) {
            d.discard_observations = true;
            self.helper_failed(Reason::PageError, now, &mut d);
            return d;
        }
        if let Some(h) = self.helper.as_mut() {
            h.scanned = true;
            h.silent_since = None;
        }
        let seen: Vec<(usize, Option<Observed>)> = self
            .held()
            .into_iter()
            .map(|i| (i, outcome.observations.iter().find(|o| o.setting == self.steps[i].setting).map(|o| o.observed)))
            .collect();
        let Some(&(first, first_seen)) = seen.first() else { return d };
        if matches!(first_seen, None | Some(Observed::Unknown(Reason::Loading))) {
            return d;
        }
        for (i, observed) in seen {
            let (result, reason) = match observed {
                Some(Observed::On) => (Outcome::On, None),
                Some(Observed::Off) => (Outcome::Off, None),
                Some(Observed::Unknown(r)) if i == first => (Outcome::Unknown, Some(r)),
                _ => continue,
            };
            let s = &mut self.steps[i];
            s.outcome = Some(result);
            s.reason = reason;
            s.scanned = true;
            s.ended_at = Some(now);
        }
        self.helper_leaves(None, now);
        self.resume_main(now, &mut d);
        self.feed_helper(now, &mut d);
        d
    }

    /// The helper's tab finished loading `url` (see `on_tab_loaded`).
    fn on_helper_tab_loaded(&mut self, url: &str, script_answered: bool, now: f64) -> Directive {
        let mut d = Directive::default();
        let Some(h) = self.helper.as_mut().filter(|h| h.url.is_some()) else { return d };
        if self.status != JobStatus::Running {
            return d;
        }
        if is_checkpoint(url) {
            self.helper_failed(Reason::Checkpoint, now, &mut d);
            return d;
        }
        let ours = h.url.as_deref().is_some_and(|u| on_page(url, u)) || !Location::parse(url).is_some_and(|l| l.is_linkedin());
        if !(script_answered || h.scanned || !ours) {
            h.silent_since.get_or_insert(now);
        }
        d
    }

    /// The helper on the clock: a page that never answers, a security check, or no page
    /// in time goes back to the job's tab; a waiting helper looks for work.
    fn on_helper_tick(&mut self, now: f64, helper_url: Option<&str>) -> Directive {
        let mut d = Directive::default();
        let Some(h) = self.helper.as_ref().filter(|_| self.status == JobStatus::Running) else { return d };
        let Some(at) = h.started_at.filter(|_| h.url.is_some()) else {
            self.feed_helper(now, &mut d);
            return d;
        };
        let waited = now - at > f64::from(SITE.renavigate_ms);
        let silent = h.silent_since.is_some_and(|s| now - s >= f64::from(FAILURES.no_script_grace_ms)) && !h.scanned;
        let failure = if waited && helper_url.is_some_and(is_checkpoint) {
            Some(Reason::Checkpoint)
        } else if silent {
            Some(Reason::NotLoaded)
        } else {
            (now - at > f64::from(SITE.page_timeout_ms)).then_some(Reason::TimedOut)
        };
        if let Some(reason) = failure {
            self.helper_failed(reason, now, &mut d);
        }
        d
    }

    /// Whether step `i` is still worth its load: a setting's own page always; a category
    /// page while a setting it may settle is still to be read.
    fn worth_reading(&self, i: usize) -> bool {
        let Some(page) = self.steps[i].category.as_deref().and_then(crate::category::page) else { return true };
        crate::category::readable_settings(page)
            .any(|s| self.steps.iter().any(|st| st.category.is_none() && st.setting == s.id && st.outcome.is_none()))
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
}

fn step(setting: &str, url: String) -> Step {
    Step {
        setting: setting.into(),
        url,
        started_at: None,
        clicked_at: None,
        awaiting_confirmation: false,
        protective_seen_at: None,
        renavigated: false,
        failed_loads: 0,
        load_failure: None,
        retry_at: None,
        scanned: false,
        silent_since: None,
        ended_at: None,
        outcome: None,
        reason: None,
        category: None,
        helper_tried: false,
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
    Ok(catalogue::SETTINGS
        .iter()
        .filter(|s| ids.iter().any(|id| id == s.id))
        .filter_map(|s| s.url().map(|url| step(s.id, url)))
        .collect())
}

/// Whether a scan shows a signed-out page (anywhere a job reads, it stops the job).
fn signed_out(outcome: &ScanOutcome) -> bool {
    outcome.observations.iter().any(|o| o.observed == Observed::Unknown(Reason::NotLoggedIn)) || outcome.category.as_ref().is_some_and(|c| c.signed_out)
}

/// Whether a scan of `url` is of the step's page (ports aside, for loopback test servers).
fn on_page(url: &str, step_url: &str) -> bool {
    match (Location::parse(url), Location::parse(step_url)) {
        (Some(a), Some(b)) => a.host == b.host && a.path.trim_end_matches('/') == b.path.trim_end_matches('/'),
        _ => false,
    }
}
