//! A page being read in a lane: what counts as the page asked for, a page that did not
//! load (the browser's error page, an HTTP error, LinkedIn's security check, silence, no
//! answer in time), a tab that never arrived, and the clock. Written once for both lanes;
//! what a reading or a failure means for the job is the lane's role's (`read`, `change`,
//! `schedule`).

use super::{Change, Directive, Go, Job, JobKind, JobStatus, Outcome, Role, Seen, TabSeen, TabId, Visit};
use crate::catalogue::{FAILURES, SITE};
use crate::detect::{Observation, Observed, Reason};
use crate::scan::Examined;
use crate::url::Location;

/// How much earlier than it was asked for a page's load may seem and still count as the
/// page asked for (`performance.timeOrigin` and `Date.now()` round differently).
const STALE_SLACK_MS: f64 = 50.0;

/// Whether a document that loaded at `loaded_at` (its `performance.timeOrigin`) is older
/// than a request made at `asked_at` (ms since the epoch): a late scan of the page being
/// replaced, not the page asked for. One rule for jobs and for "Show me".
pub fn loaded_before(loaded_at: f64, asked_at: f64) -> bool {
    loaded_at + STALE_SLACK_MS < asked_at
}

/// Whether `url` is one of LinkedIn's security checks (and not its sign-in page).
pub fn is_checkpoint(url: &str) -> bool {
    Location::parse(url).filter(Location::is_linkedin).is_some_and(|loc| {
        FAILURES.checkpoint_prefixes.iter().any(|p| loc.path.starts_with(p)) && !crate::detect::is_login_page(url)
    })
}

/// Whether a scan shows a signed-out page (anywhere a job reads, it stops the job).
fn signed_out(outcome: &Examined) -> bool {
    outcome.observations.iter().any(|o| o.observed == Observed::Unknown(Reason::NotLoggedIn)) || outcome.category.as_ref().is_some_and(|c| c.signed_out)
}

/// Whether a scan of `url` is of the page at `want` (ports aside, for loopback test servers).
pub(super) fn on_page(url: &str, want: &str) -> bool {
    match (Location::parse(url), Location::parse(want)) {
        (Some(a), Some(b)) => a.host == b.host && a.path.trim_end_matches('/') == b.path.trim_end_matches('/'),
        _ => false,
    }
}

impl Job {
    /// Sends lane `lane`'s tab to step `i`'s page now.
    pub(super) fn open(&mut self, lane: usize, i: usize, now: f64, d: &mut Directive) {
        let url = self.steps[i].url.clone();
        let l = &mut self.lanes[lane];
        let reload = l.shown.as_deref() == Some(url.as_str());
        l.visit = Visit::Open { step: i, url: url.clone(), asked_at: now, seen: Seen::Nothing, renavigated: false, reload };
        d.go.push(Go { role: l.role, tab: l.tab, url });
    }

    /// Lane `lane` takes step `i`: at once, or when a failed load's wait is over.
    pub(super) fn take(&mut self, lane: usize, i: usize, now: f64, d: &mut Directive) {
        match self.steps[i].not_before.filter(|&at| at > now) {
            Some(until) => self.lanes[lane].visit = Visit::Waiting { step: i, until },
            None => self.open(lane, i, now, d),
        }
    }

    /// The background opened `tab` for the lane `role`.
    pub(super) fn opened(&mut self, role: Role, tab: TabId, d: &mut Directive) {
        match self.lanes.iter_mut().find(|l| l.role == role && l.tab.is_none()).filter(|_| self.status == JobStatus::Running) {
            Some(lane) => lane.tab = Some(tab),
            // Nothing to open it for any more: it goes.
            None => d.close.push(tab),
        }
    }

    /// A scan of lane `lane`'s tab.
    pub(super) fn on_scan(&mut self, lane: usize, outcome: &Examined, now: f64, d: &mut Directive) {
        let page = &outcome.page;
        // Signed out, in any tab: stop at once; nothing seen now may overwrite what is stored.
        if signed_out(outcome) {
            d.discard_observations = true;
            self.stop(Reason::NotLoggedIn, now, d);
            return;
        }
        let Visit::Open { step, url, asked_at, reload, .. } = &self.lanes[lane].visit else {
            // Waiting to load the page again: a late scan of a failed load decides nothing.
            d.discard_observations = page.http_status.is_some_and(|s| s >= 400);
            return;
        };
        let (i, asked_at) = (*step, *asked_at);
        // A late scan of another page, or of the document this tab showed before at the
        // same URL (two settings on one page; a proof's next fresh load).
        let stale = *reload && page.loaded_at.is_some_and(|at| loaded_before(at, asked_at));
        if !on_page(&page.url, url) || stale {
            return;
        }
        // An error page: nothing on it is read, stored or clicked.
        if page.http_status.is_some_and(|s| s >= 400) {
            d.discard_observations = true;
            if self.steps[i].change == Change::Untouched || self.lanes[lane].role == Role::Helper {
                self.load_failed(lane, Reason::PageError, now, d);
            }
            return;
        }
        let l = &mut self.lanes[lane];
        l.shown = Some(self.steps[i].url.clone());
        if let Visit::Open { seen, .. } = &mut l.visit {
            *seen = Seen::Scanned;
        }
        match (l.role, self.kind) {
            (Role::Helper, JobKind::OptOut) => self.on_proof_scan(lane, i, outcome, now, d),
            (Role::Main, JobKind::OptOut) => self.on_change_scan(lane, i, page.dialog_open, outcome, now, d),
            (_, JobKind::Sweep) => self.on_read_scan(i, outcome, now, d),
        }
    }

    /// Lane `lane`'s tab finished loading `url`. The browser's own error page runs no
    /// content script: a page that stays silent counts as not loaded (decided on the
    /// clock, since a content script may start just after the load).
    pub(super) fn on_loaded(&mut self, lane: usize, url: &str, script_answered: bool, now: f64, d: &mut Directive) {
        let clicked = self.lanes[lane].role == Role::Main && self.lanes[lane].visit.step().is_some_and(|i| self.steps[i].change != Change::Untouched);
        let Visit::Open { url: want, seen, .. } = &mut self.lanes[lane].visit else { return };
        // The clicked page: whatever it loads now, the proof is a fresh load elsewhere.
        if clicked {
            return;
        }
        if is_checkpoint(url) {
            self.load_failed(lane, Reason::Checkpoint, now, d);
            return;
        }
        // Where the browser shows its error page instead of ours, the URL may be its own.
        let ours = on_page(url, want) || !Location::parse(url).is_some_and(|l| l.is_linkedin());
        if script_answered || *seen == Seen::Scanned || !ours {
            return;
        }
        if *seen == Seen::Nothing {
            *seen = Seen::Silent { since: now };
        }
    }

    /// Lane `lane`'s tab was closed: the main lane's ends the job; the helper's gives its
    /// page back (a check goes on in one tab; an opt-out's next proof load opens another).
    pub(super) fn on_closed(&mut self, lane: usize, now: f64, d: &mut Directive) {
        self.lanes[lane].tab = None;
        self.lanes[lane].shown = None;
        if self.lanes[lane].role == Role::Main {
            self.end(JobStatus::Cancelled, Reason::Cancelled, now, d);
            return;
        }
        match (self.kind, self.lanes[lane].visit.step()) {
            (JobKind::OptOut, Some(i)) => self.proof_read_failed(lane, i, now, d),
            (JobKind::OptOut, None) => {}
            (JobKind::Sweep, _) => {
                self.helper_leaves(lane, None, now);
                self.lanes.remove(lane);
                self.schedule(now, d);
            }
        }
    }

    /// The clock: each lane's page, then what waits for work. A job that ended but was not
    /// wound up says its end again (the service worker was stopped in between).
    pub(super) fn on_tick(&mut self, tabs: &[TabSeen], now: f64, d: &mut Directive) {
        if self.status != JobStatus::Running {
            if !self.wound_up {
                d.finished = true;
                d.close = self.lanes.iter().filter_map(|l| l.tab).collect();
            }
            return;
        }
        for seen in tabs.iter().filter(|t| t.gone) {
            if let Some(lane) = self.running_lane(Some(seen.tab)) {
                self.on_closed(lane, now, d);
            }
        }
        for lane in 0..self.lanes.len() {
            if self.status != JobStatus::Running || lane >= self.lanes.len() {
                break;
            }
            let url = self.lanes[lane].tab.and_then(|t| tabs.iter().find(|s| s.tab == t)).and_then(|s| s.url.clone());
            self.tick_lane(lane, url.as_deref(), now, d);
        }
        self.schedule(now, d);
    }

    /// One lane on the clock (`url`: where its tab is, once loaded, if known).
    fn tick_lane(&mut self, lane: usize, url: Option<&str>, now: f64, d: &mut Directive) {
        match self.lanes[lane].visit.clone() {
            Visit::Idle | Visit::Deferred { .. } => {}
            Visit::Waiting { step, until } => {
                if now >= until {
                    self.open(lane, step, now, d);
                }
            }
            Visit::Open { step, url: want, asked_at, seen, renavigated, .. } => {
                if self.lanes[lane].role == Role::Main && self.steps[step].change != Change::Untouched {
                    self.tick_change(step, now, d);
                    return;
                }
                let waited = now - asked_at > f64::from(SITE.renavigate_ms);
                // (Only once the tab had time to leave the page it showed before.)
                let failure = if waited && url.is_some_and(is_checkpoint) {
                    Some(Reason::Checkpoint)
                } else if matches!(seen, Seen::Silent { since } if now - since >= f64::from(FAILURES.no_script_grace_ms)) {
                    Some(Reason::NotLoaded)
                } else {
                    (now - asked_at > f64::from(SITE.page_timeout_ms)).then_some(Reason::TimedOut)
                };
                if let Some(reason) = failure {
                    self.load_failed(lane, reason, now, d);
                    return;
                }
                // A tab still elsewhere (e.g. the worker stopped between saving and
                // navigating) is sent to its page once more.
                let elsewhere = url.is_some_and(|u| !on_page(u, &want) && !crate::detect::is_login_page(u));
                if elsewhere && waited && !renavigated {
                    if let Visit::Open { renavigated, .. } = &mut self.lanes[lane].visit {
                        *renavigated = true;
                    }
                    d.go.push(Go { role: self.lanes[lane].role, tab: self.lanes[lane].tab, url: want });
                }
            }
        }
    }

    /// Lane `lane`'s page did not load. LinkedIn's security check stops the job at once
    /// (asking again and again is what automation looks like); otherwise the page is
    /// tried once more after a short wait, then its step ends with `reason`, recorded for
    /// the setting at this time. The helper leaves a check's page to the main lane; an
    /// opt-out's fresh load counts as one proof read.
    pub(super) fn load_failed(&mut self, lane: usize, reason: Reason, now: f64, d: &mut Directive) {
        let Some(i) = self.lanes[lane].visit.step() else { return };
        self.lanes[lane].shown = None;
        if reason == Reason::Checkpoint {
            if self.steps[i].category.is_none() {
                d.record.push(Observation { setting: self.steps[i].setting.clone(), observed: Observed::Unknown(reason) });
            }
            self.stop(Reason::Checkpoint, now, d);
            return;
        }
        match (self.lanes[lane].role, self.kind) {
            (Role::Helper, JobKind::OptOut) => self.proof_read_failed(lane, i, now, d),
            (Role::Helper, JobKind::Sweep) => {
                self.helper_leaves(lane, Some(reason), now);
                self.schedule(now, d);
            }
            (Role::Main, _) => {
                let step = &mut self.steps[i];
                if step.failed_loads == 0 {
                    step.failed_loads = 1;
                    step.load_failure = Some(reason);
                    step.not_before = Some(now + f64::from(FAILURES.retry_wait_ms));
                    self.lanes[lane].visit = Visit::Waiting { step: i, until: now + f64::from(FAILURES.retry_wait_ms) };
                    return;
                }
                step.failed_loads += 1;
                // A category page that did not load records nothing: its settings go page by page.
                if step.category.is_none() {
                    d.record.push(Observation { setting: step.setting.clone(), observed: Observed::Unknown(reason) });
                }
                let outcome = if self.kind == JobKind::Sweep { Outcome::Unknown } else { Outcome::Failed };
                self.finish_step(i, outcome, Some(reason), now, d);
            }
        }
    }

    /// The helper lane `lane` leaves its check's page to the main lane: `failure`, the
    /// reason it did not load (the main lane's load is then the page's second try).
    pub(super) fn helper_leaves(&mut self, lane: usize, failure: Option<Reason>, now: f64) {
        if let Some(url) = self.lanes[lane].visit.step().map(|i| self.steps[i].url.clone()) {
            // Its page's every setting still open (two settings on one page).
            for s in self.steps.iter_mut().filter(|s| s.category.is_none() && s.outcome.is_none() && s.url == url) {
                s.helper_tried = true;
                if let (Some(reason), 0) = (failure, s.failed_loads) {
                    s.failed_loads = 1;
                    s.load_failure = Some(reason);
                    s.not_before = Some(now + f64::from(FAILURES.retry_wait_ms));
                }
            }
        }
        self.lanes[lane].visit = Visit::Idle;
    }
}
