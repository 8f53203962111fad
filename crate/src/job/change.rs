//! Guided opt-out: the one click, and its proof. The click is made in the main lane, on
//! the switch the core identified, in the state it expects, once. The clicked page only
//! shows what the page believes; what LinkedIn stored shows on a fresh load. So once the
//! switch has shown the protective state on the clicked page for `click_verify_ms`, the
//! helper lane loads the page afresh (the clicked tab stays, so LinkedIn's save is never
//! cut short), up to `proof_reads` times `proof_interval_ms` apart while it still shows
//! the old state. Only a fresh load showing the protective state says "turned off", and
//! only then is the change recorded as made through the extension. The clock decides when
//! to look, never what is concluded.

use super::read::observed;
use super::{Change, Click, Directive, Job, Outcome, Role, Visit};
use crate::catalogue::{self, SwitchState, SITE};
use crate::detect::{Observed, Reason};
use crate::scan::Examined;

/// The protective state of `setting`.
fn protective(setting: &str) -> Observed {
    Observed::from(catalogue::by_id(setting).map_or(SwitchState::Off, |s| s.protective))
}

impl Job {
    /// A scan of the main lane's page, step `i`: read, click once, then watch the clicked
    /// page (its readings are not LinkedIn's stored state and are never stored).
    pub(super) fn on_change_scan(&mut self, lane: usize, i: usize, dialog_open: bool, outcome: &Examined, now: f64, d: &mut Directive) {
        let setting = self.steps[i].setting.clone();
        let seen = observed(outcome, &setting);
        let protective = protective(&setting);
        match self.steps[i].change {
            Change::Untouched => match seen {
                None | Some(Observed::Unknown(Reason::Loading)) => {}
                Some(Observed::Unknown(r)) => self.finish_step(i, Outcome::Failed, Some(r), now, d),
                Some(state) if state == protective => self.finish_step(i, Outcome::AlreadyOff, None, now, d),
                Some(_) => {
                    let marks: Vec<_> = outcome.marks.iter().filter(|m| m.setting == setting).collect();
                    match marks.as_slice() {
                        [one] if Observed::from(one.state) != protective => {
                            d.click = Some(Click { index: one.index, setting, state: one.state, watch_ms: SITE.click_watch_ms });
                            self.steps[i].change = Change::Clicked { at: now };
                        }
                        // Read only from a copy the person cannot see: never clicked.
                        [] if outcome.hidden_copies.iter().any(|h| h.setting == setting) => {
                            self.finish_step(i, Outcome::Failed, Some(Reason::Hidden), now, d)
                        }
                        _ => self.finish_step(i, Outcome::Failed, Some(Reason::Conflicting), now, d),
                    }
                }
            },
            Change::Clicked { at } | Change::Asking { at } => {
                d.discard_observations = true;
                match seen {
                    Some(state) if state == protective => self.steps[i].change = Change::Holding { at, since: now },
                    Some(Observed::On | Observed::Off) if dialog_open && matches!(self.steps[i].change, Change::Clicked { .. }) => {
                        self.steps[i].change = Change::Asking { at };
                        d.front = self.lanes[lane].tab;
                    }
                    _ => {}
                }
            }
            Change::Holding { .. } | Change::Proving { .. } => {
                d.discard_observations = true;
                // It changed and changed back on the page: LinkedIn did not keep it. Never
                // clicked again.
                if matches!(seen, Some(state @ (Observed::On | Observed::Off)) if state != protective) {
                    self.finish_step(i, Outcome::Failed, Some(Reason::Reverted), now, d);
                }
            }
        }
    }

    /// The main lane's clicked step `i` on the clock: a click that changed nothing, a
    /// confirmation never given, and the start of the proof once the change has held.
    pub(super) fn tick_change(&mut self, i: usize, now: f64, d: &mut Directive) {
        match self.steps[i].change {
            Change::Clicked { at } if now - at > f64::from(SITE.click_settle_ms) => {
                self.finish_step(i, Outcome::Failed, Some(Reason::DidNotChange), now, d)
            }
            Change::Asking { at } if now - at > f64::from(SITE.confirm_wait_ms) => {
                self.finish_step(i, Outcome::Failed, Some(Reason::NotConfirmed), now, d)
            }
            Change::Holding { at, since } if now - since >= f64::from(SITE.click_verify_ms) => {
                self.steps[i].change = Change::Proving { at, reads: 0, on: 0 };
                if let Some(helper) = self.lanes.iter().position(|l| l.role == Role::Helper) {
                    self.open(helper, i, now, d);
                }
            }
            _ => {}
        }
    }

    /// A scan of a fresh load of step `i`'s page in the helper lane `lane`.
    pub(super) fn on_proof_scan(&mut self, lane: usize, i: usize, outcome: &Examined, now: f64, d: &mut Directive) {
        if !matches!(self.steps[i].change, Change::Proving { .. }) || self.steps[i].outcome.is_some() {
            return;
        }
        let setting = self.steps[i].setting.clone();
        match observed(outcome, &setting) {
            None | Some(Observed::Unknown(Reason::Loading)) => {}
            Some(state) if state == protective(&setting) => {
                d.changed_by_extension.push(setting);
                self.finish_step(i, Outcome::TurnedOff, None, now, d);
            }
            Some(Observed::Unknown(_)) => self.proof_read_failed(lane, i, now, d),
            Some(_) => {
                if let Change::Proving { on, .. } = &mut self.steps[i].change {
                    *on += 1;
                }
                self.proof_read_failed(lane, i, now, d);
            }
        }
    }

    /// A fresh load of step `i`'s page did not show the protective state (or did not
    /// load, or its tab went): read again after a wait, up to `proof_reads` loads; then
    /// the change failed: "LinkedIn did not keep it" when a load showed the old state,
    /// else "LinkedIn has not confirmed it".
    pub(super) fn proof_read_failed(&mut self, lane: usize, i: usize, now: f64, d: &mut Directive) {
        let Change::Proving { reads, on, .. } = &mut self.steps[i].change else { return };
        *reads += 1;
        let (reads, on) = (*reads, *on);
        if reads >= SITE.proof_reads {
            let reason = if on > 0 { Reason::NotKept } else { Reason::Unconfirmed };
            self.finish_step(i, Outcome::Failed, Some(reason), now, d);
        } else {
            self.lanes[lane].visit = Visit::Waiting { step: i, until: now + f64::from(SITE.proof_interval_ms) };
        }
    }
}
