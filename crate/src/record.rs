//! What a scan and a job's end change in the stored state: the one place that assembles
//! what is recorded, so the background only stores what it is given.

use crate::job::{Directive, Job, JobKind, JobStatus};
use crate::scan::Examined;
use crate::state::{self, Stored};

/// Records a scan's outcome, and for the job's tab its `directive`: the page's
/// observations (none when the job says a signed-out page changes nothing), what the job
/// records of pages it could not read, which changes the person made through the
/// extension, where a category page's states were read, and the count of switches no
/// rule knows. Returns whether anything changed.
pub fn scan(stored: &mut Stored, examined: &Examined, directive: Option<&Directive>, now: f64) -> bool {
    let discard = directive.is_some_and(|d| d.discard_observations);
    let mut observations = if discard { Vec::new() } else { examined.observations.clone() };
    observations.extend(directive.map(|d| d.record.clone()).unwrap_or_default());
    let by_extension = directive.map(|d| d.changed_by_extension.clone()).unwrap_or_default();
    // A category page's rows: the states are stored with where they were read.
    let read_on = examined.category.as_ref().filter(|_| !discard).map(|c| (c.page.as_str(), c.settled.as_slice()));
    let mut changed = !observations.is_empty() && state::apply_read(stored, &observations, now, &by_extension, read_on);
    if !discard {
        let counts: Vec<(String, u32)> = examined.unrecognised.iter().map(|u| (u.setting.clone(), u.count)).collect();
        changed |= state::note_unrecognised(stored, &counts);
    }
    changed
}

/// A job has ended: a "Check all" that finished becomes the baseline for news. Returns
/// whether anything changed.
pub fn job_ended(stored: &mut Stored, job: &Job, now: f64) -> bool {
    if job.kind == JobKind::Sweep && job.status == JobStatus::Finished {
        state::sweep_completed(stored, job.finished_at.unwrap_or(now));
        return true;
    }
    false
}
