//! A check's readings: a setting's own page (in either lane), with the other settings of
//! the same page when it shows them, and LinkedIn's category pages (main lane only).

use super::{Directive, Job, Outcome};
use crate::detect::{Observed, Reason};
use crate::scan::Examined;

/// A reading as a step's result: `None` while the page still loads or does not show it.
fn result_of(observed: Option<Observed>) -> Option<(Outcome, Option<Reason>)> {
    match observed? {
        Observed::On => Some((Outcome::On, None)),
        Observed::Off => Some((Outcome::Off, None)),
        Observed::Unknown(Reason::Loading) => None,
        Observed::Unknown(r) => Some((Outcome::Unknown, Some(r))),
    }
}

/// What the scan says of `setting`.
pub(super) fn observed(outcome: &Examined, setting: &str) -> Option<Observed> {
    outcome.observations.iter().find(|o| o.setting == setting).map(|o| o.observed)
}

impl Job {
    /// A check's scan of step `i`'s page (in either lane).
    pub(super) fn on_read_scan(&mut self, i: usize, outcome: &Examined, now: f64, d: &mut Directive) {
        if let Some(page) = self.steps[i].category.clone() {
            self.on_category_scan(i, &page, outcome, now, d);
            return;
        }
        let Some((result, reason)) = result_of(observed(outcome, &self.steps[i].setting)) else { return };
        self.settle_page_mates(i, outcome, now);
        self.finish_step(i, result, reason, now, d);
    }

    /// Two settings on one page (the promotions page): the scan that read step `i`'s
    /// setting reads the other open steps of the same page too, when it shows their
    /// switches on or off, so the page is loaded once for all of them. Anything less
    /// certain is left to the setting's own step, which loads the page again.
    fn settle_page_mates(&mut self, i: usize, outcome: &Examined, now: f64) {
        let here = self.steps[i].url.clone();
        for (_, s) in self.steps.iter_mut().enumerate().filter(|(j, s)| *j != i && s.category.is_none() && s.outcome.is_none() && s.url == here) {
            if let Some((result @ (Outcome::On | Outcome::Off), _)) = result_of(observed(outcome, &s.setting)) {
                s.outcome = Some(result);
                s.ended_at = Some(now);
            }
        }
    }

    /// A category page's scan: once it can be read, the steps of the settings it settled
    /// are done (their states are the scan's observations, stored with the page they were
    /// read on; a switch the page shows itself counts as on its own page), and the step
    /// ends. The first category page read that shows no confirmed state word at all means
    /// the rules do not know this layout or language: the other category pages are
    /// skipped, and every setting goes page by page.
    fn on_category_scan(&mut self, i: usize, page: &str, outcome: &Examined, now: f64, d: &mut Directive) {
        let Some(read) = outcome.category.as_ref().filter(|c| c.page == page && c.ready) else { return };
        let first = !self.steps.iter().any(|s| s.category.is_some() && s.outcome == Some(Outcome::Read));
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
        self.finish_step(i, Outcome::Read, None, now, d);
    }

    /// Whether step `i` is still worth its load: a setting's own page always; a category
    /// page while a setting it may settle is still to be read.
    pub(super) fn worth_reading(&self, i: usize) -> bool {
        let Some(page) = self.steps[i].category.as_deref().and_then(crate::category::page) else { return true };
        crate::category::readable_settings(page)
            .any(|s| self.steps.iter().any(|st| st.category.is_none() && st.setting == s.id && st.outcome.is_none()))
    }

    /// Whether a category page still to be read may settle `setting`: the helper leaves
    /// such a setting alone, since the category page reads it for free.
    pub(super) fn listed_by_pending_category(&self, setting: &str) -> bool {
        (0..self.steps.len()).any(|i| {
            let s = &self.steps[i];
            s.outcome.is_none()
                && self.worth_reading(i)
                && s.category.as_deref().and_then(crate::category::page).is_some_and(|p| crate::category::readable_settings(p).any(|x| x.id == setting))
        })
    }
}
