//! Which lane reads what next, and the end. The main lane works through the list in order
//! from the step it took last, skipping what the helper is reading (it waits for that read
//! when nothing else is left). In a check the helper reads settings' own pages from the
//! end of the list: never the page the main lane is on, never a setting a category page
//! still to be read may settle, never a page that failed once; with nothing for it, it
//! waits while a category page is still to be read, else its tab closes. An opt-out's
//! helper only proves changes (`change`).

use super::{Directive, Job, JobKind, JobStatus, Outcome, Role, Visit};
use crate::detect::Reason;

impl Job {
    /// Gives every lane without work its next page; ends the job when every step has a
    /// result.
    pub(super) fn schedule(&mut self, now: f64, d: &mut Directive) {
        if self.status != JobStatus::Running {
            return;
        }
        for i in 0..self.steps.len() {
            if self.steps[i].outcome.is_none() && !self.worth_reading(i) {
                self.steps[i].outcome = Some(Outcome::Skipped);
                self.steps[i].ended_at = Some(now);
            }
        }
        if self.steps.iter().all(|s| s.outcome.is_some()) {
            self.finish(now, d);
            return;
        }
        self.feed_main(now, d);
        if self.kind == JobKind::Sweep {
            self.feed_helper(now, d);
        }
    }

    /// The helper lane of a check reading step `i`'s page (or waiting to), if any.
    fn helper_on(&self, i: usize) -> bool {
        let url = &self.steps[i].url;
        self.kind == JobKind::Sweep
            && self.steps[i].category.is_none()
            && self.lanes.iter().any(|l| l.role == Role::Helper && l.visit.step().is_some_and(|h| self.steps[h].url == *url))
    }

    /// The main lane, once its step has a result (or it waits for the helper's read of a
    /// page that has one now, or that the helper left), takes the next open step.
    fn feed_main(&mut self, now: f64, d: &mut Directive) {
        let free = match self.lanes[0].visit {
            Visit::Idle => true,
            Visit::Deferred { step } => self.steps[step].outcome.is_some() || !self.helper_on(step),
            Visit::Waiting { step, .. } | Visit::Open { step, .. } => self.steps[step].outcome.is_some(),
        };
        if !free {
            return;
        }
        let n = self.steps.len();
        let from = self.cursor.min(n);
        let open: Vec<usize> = (from..n).chain(0..from).filter(|&i| self.steps[i].outcome.is_none()).collect();
        let Some(&first) = open.first() else { return };
        match open.iter().copied().find(|&i| !self.helper_on(i)) {
            Some(i) => {
                self.cursor = i;
                self.take(0, i, now, d);
            }
            None => self.lanes[0].visit = Visit::Deferred { step: first },
        }
    }

    /// Whether a check's helper may take step `i`: a setting's own page still to read, not
    /// tried by the helper before nor failed once, not the page the main lane is on, and
    /// not one a category page still to be read may settle.
    fn helper_may_read(&self, i: usize) -> bool {
        let s = &self.steps[i];
        let main_url = self.lanes[0].visit.step().map(|m| self.steps[m].url.as_str());
        s.category.is_none()
            && s.outcome.is_none()
            && !s.helper_tried
            && s.failed_loads == 0
            && s.not_before.is_none()
            && main_url != Some(s.url.as_str())
            && !self.listed_by_pending_category(&s.setting)
    }

    /// Gives a check's idle helper its next page, from the end of the list. With nothing
    /// for it now, it waits while a category page is still to be read (what that page does
    /// not settle is work for two tabs), else it goes and its tab closes.
    fn feed_helper(&mut self, now: f64, d: &mut Directive) {
        let Some(h) = self.lanes.iter().position(|l| l.role == Role::Helper) else { return };
        let busy = match self.lanes[h].visit {
            Visit::Idle => false,
            Visit::Deferred { step } | Visit::Waiting { step, .. } | Visit::Open { step, .. } => self.steps[step].outcome.is_none(),
        };
        if busy {
            return;
        }
        self.lanes[h].visit = Visit::Idle;
        if let Some(i) = (0..self.steps.len()).rev().find(|&i| self.helper_may_read(i)) {
            self.open(h, i, now, d);
            return;
        }
        let category_pending = (0..self.steps.len()).any(|i| self.steps[i].category.is_some() && self.steps[i].outcome.is_none() && self.worth_reading(i));
        if !category_pending {
            let lane = self.lanes.remove(h);
            d.close.extend(lane.tab);
        }
    }

    /// Step `i` has its result; every lane on it is free, and the job moves on.
    pub(super) fn finish_step(&mut self, i: usize, outcome: Outcome, reason: Option<Reason>, now: f64, d: &mut Directive) {
        let step = &mut self.steps[i];
        step.outcome = Some(outcome);
        step.reason = reason;
        step.ended_at = Some(now);
        step.not_before = None;
        for lane in &mut self.lanes {
            if matches!(lane.visit, Visit::Open { step, .. } | Visit::Waiting { step, .. } if step == i) && lane.role == Role::Helper {
                lane.visit = Visit::Idle;
            }
        }
        self.schedule(now, d);
    }

    /// Every step has a result.
    fn finish(&mut self, now: f64, d: &mut Directive) {
        self.status = JobStatus::Finished;
        self.wrap_up(now, d);
    }

    /// The person cancels the job; steps not reached are marked cancelled.
    pub(super) fn cancel(&mut self, now: f64, d: &mut Directive) {
        if self.status == JobStatus::Running {
            self.end(JobStatus::Cancelled, Reason::Cancelled, now, d);
        }
    }

    /// The job stops early for `reason` (signed out, LinkedIn's security check).
    pub(super) fn stop(&mut self, reason: Reason, now: f64, d: &mut Directive) {
        self.stop_reason = Some(reason);
        self.end(JobStatus::Stopped, reason, now, d);
    }

    /// The job ends before its steps did: each step without a result gets `reason`.
    pub(super) fn end(&mut self, status: JobStatus, reason: Reason, now: f64, d: &mut Directive) {
        let unfinished = if self.kind == JobKind::Sweep { Outcome::Unknown } else { Outcome::Failed };
        for s in self.steps.iter_mut().filter(|s| s.outcome.is_none()) {
            s.outcome = Some(unfinished);
            s.reason = Some(reason);
        }
        self.status = status;
        d.go.clear();
        d.click = None;
        self.wrap_up(now, d);
    }

    /// The end: no lane reads any more, and every tab of the job closes.
    fn wrap_up(&mut self, now: f64, d: &mut Directive) {
        self.finished_at = Some(now);
        self.cursor = self.steps.len();
        for lane in &mut self.lanes {
            lane.visit = Visit::Idle;
        }
        d.finished = true;
        d.go.clear();
        d.close = self.lanes.iter().filter_map(|l| l.tab).chain(d.close.iter().copied()).collect();
        d.close.dedup();
    }
}
