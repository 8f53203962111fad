//! What a scan and a job's end change in the stored state (`record`), and when a job's
//! step must be saved and followed (`Job::step`): the decisions the background used to
//! make itself.

use opt_out_lens_core::detect::{Observation, Observed, Reason};
use opt_out_lens_core::job::{Directive, Job, JobKind, JobStatus};
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::record;
use opt_out_lens_core::scan::{Examined, Unrecognised};
use opt_out_lens_core::state::{load, Stored};

fn obs(id: &str, o: Observed) -> Observation {
    Observation { setting: id.into(), observed: o }
}

fn fresh() -> Stored {
    load(Ok(None)).stored
}

#[test]
fn a_scan_records_the_page_and_the_jobs_records_unless_the_job_discards_the_page() {
    let page = Examined {
        observations: vec![obs("ai-training", Observed::On)],
        unrecognised: vec![Unrecognised { setting: "research".into(), count: 2 }],
        ..Examined::default()
    };
    let failed = obs("cookies", Observed::Unknown(Reason::NotLoaded));
    let keep = Directive { record: vec![failed.clone()], changed_by_extension: vec!["ai-training".into()], ..Directive::default() };
    let discard = Directive { discard_observations: true, record: vec![failed], ..Directive::default() };
    for (directive, ai, cookies) in [
        (None, Some(Observed::On), None),
        (Some(&keep), Some(Observed::On), Some(Observed::Unknown(Reason::NotLoaded))),
        (Some(&discard), None, Some(Observed::Unknown(Reason::NotLoaded))),
    ] {
        let mut stored = fresh();
        assert!(record::scan(&mut stored, &page, directive, 1.0));
        assert_eq!(stored.settings.get("ai-training").map(|e| e.observed), ai, "{directive:?}");
        assert_eq!(stored.settings.get("cookies").map(|e| e.observed), cookies, "{directive:?}");
    }
    // The person's own change through the extension is said so in the history.
    let mut stored = fresh();
    record::scan(&mut stored, &Examined { observations: vec![obs("ai-training", Observed::On)], ..Examined::default() }, None, 1.0);
    let off = Examined { observations: vec![obs("ai-training", Observed::Off)], ..Examined::default() };
    record::scan(&mut stored, &off, Some(&Directive { changed_by_extension: vec!["ai-training".into()], ..Directive::default() }), 2.0);
    assert!(stored.settings["ai-training"].history.last().and_then(|c| c.by).is_some());
    // Nothing seen, nothing changed.
    assert!(!record::scan(&mut fresh(), &Examined::default(), None, 1.0));
    assert!(!record::scan(&mut fresh(), &Examined::default(), Some(&discard_nothing()), 1.0));
}

fn discard_nothing() -> Directive {
    Directive { discard_observations: true, ..Directive::default() }
}

#[test]
fn only_a_finished_check_all_becomes_the_baseline() {
    let (sweep, _) = Job::start("sweep", None, None, 0.0, &Managed::default()).expect("started");
    for (kind, status, baseline) in [
        (JobKind::Sweep, JobStatus::Finished, true),
        (JobKind::Sweep, JobStatus::Cancelled, false),
        (JobKind::Sweep, JobStatus::Stopped, false),
        (JobKind::OptOut, JobStatus::Finished, false),
    ] {
        let job = Job { kind, status, finished_at: Some(5.0), ..sweep.clone() };
        let mut stored = fresh();
        assert_eq!(record::job_ended(&mut stored, &job, 9.0), baseline, "{kind:?} {status:?}");
        assert_eq!(stored.baseline_at, baseline.then_some(5.0));
    }
}

#[test]
fn a_step_is_saved_when_the_job_changed_or_there_is_something_to_do() {
    use opt_out_lens_core::job::{Event, TabSeen};
    let (job, _) = Job::start("sweep", None, None, 0.0, &Managed::default()).expect("started");
    let tick = |_now: f64| Event::Tick { tabs: vec![TabSeen { tab: 1.0, url: None, gone: false }] };
    // An event of a tab that is not the job's changes nothing.
    assert!(!job.clone().step(Some(7.0), Event::Closed, 1.0).changed, "not the job's tab");
    assert!(job.clone().step(None, Event::Cancel, 1.0).changed, "cancelled");
    assert!(job.clone().step(Some(1.0), Event::Opened { role: opt_out_lens_core::job::Role::Main }, 1.0).changed, "its tab");
    // A tick long before anything is due changes nothing; one past the page's time limit does.
    assert!(!job.clone().step(None, tick(1.0), 1.0).changed);
    assert!(job.step(None, tick(600_000.0), 600_000.0).changed);
}
