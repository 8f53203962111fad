//! Whole jobs over pages that do not load, on the synthetic clock: "Check all" and "Turn
//! off all" over every catalogued page while one page resets, one answers HTTP 500, one
//! redirects to the security check and one never answers (the 20 s page timeout, twice).
//! A small simulated LinkedIn and background drive the job as the extension does (a load
//! per navigation, the tab's load event, scans, clock ticks, one click per directive), so
//! the loads, clicks, rows and sentences of a whole job are checked here without waiting
//! for the real clock. The end-to-end suite (tests/e2e/failures.mjs) runs the same mix
//! through the browsers, the stall with the real page timeout in "Check all".

use std::collections::HashMap;

use opt_out_lens_core::catalogue::{Kind, FAILURES, SETTINGS, SITE};
use opt_out_lens_core::detect::{scan, Candidate, Observation, Observed, PageFacts, Reason};
use opt_out_lens_core::job::{Directive, Job, JobKind, JobStatus, Outcome, PageLoad};
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::summary::job_summary;

mod common;

const CHECKPOINT: &str = "https://www.linkedin.com/checkpoint/challenge/AgFx9?ut=1";
/// Time between the simulated background's clock ticks and page re-scans.
const STEP_MS: f64 = 100.0;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Behaviour {
    /// The connection is reset: the tab shows the browser's error page, no content script.
    Reset,
    /// LinkedIn answers 500 (the page still shows a switch).
    Http500,
    /// LinkedIn redirects to its security check.
    Checkpoint,
    /// No answer at all.
    Stall,
}

impl Behaviour {
    fn reason(self) -> Reason {
        match self {
            Behaviour::Reset => Reason::NotLoaded,
            Behaviour::Http500 => Reason::PageError,
            Behaviour::Checkpoint => Reason::Checkpoint,
            Behaviour::Stall => Reason::TimedOut,
        }
    }
    /// The popup's words for the reason (crate/src/summary.rs `why`, English messages).
    fn why(self) -> &'static str {
        match self {
            Behaviour::Reset => "the page did not load",
            Behaviour::Http500 => "LinkedIn showed an error page",
            Behaviour::Checkpoint => "LinkedIn asked you to verify it’s you",
            Behaviour::Stall => "the page did not answer in 20 s",
        }
    }
}

/// The switch settings with a page of their own, in catalogue order (what "Turn off all" asks for).
fn switches() -> Vec<&'static opt_out_lens_core::catalogue::Setting> {
    SETTINGS.iter().filter(|s| s.kind == Kind::Switch && s.url().is_some()).collect()
}

/// One failing page of each kind, as in tests/e2e/failures.mjs: the AI page first.
fn failing() -> Vec<(String, Behaviour)> {
    let sw = switches();
    assert_eq!(sw[0].id, "ai-training");
    vec![
        (sw[0].id.to_string(), Behaviour::Reset),
        (sw[3].id.to_string(), Behaviour::Http500),
        (sw[6].id.to_string(), Behaviour::Checkpoint),
        (sw[9].id.to_string(), Behaviour::Stall),
    ]
}

fn title(id: &str) -> String {
    let s = SETTINGS.iter().find(|s| s.id == id).expect("catalogued");
    common::lookup(s.msg_title, &[])
}

/// A LinkedIn account: every switch on, the given pages failing; loads and clicks counted.
struct Site {
    failing: HashMap<String, Behaviour>,
    on: HashMap<String, bool>,
    /// Page loads per setting: each navigation counts for the step the job is then on.
    loads: HashMap<String, u32>,
    clicks: HashMap<String, u32>,
    records: Vec<(f64, Observation)>,
}

impl Site {
    fn new(failing: &[(String, Behaviour)]) -> Site {
        Site {
            failing: failing.iter().cloned().collect(),
            on: SETTINGS.iter().map(|s| (s.id.to_string(), true)).collect(),
            loads: HashMap::new(),
            clicks: HashMap::new(),
            records: Vec::new(),
        }
    }
    fn setting_at(url: &str) -> &'static str {
        SETTINGS.iter().find(|s| s.url().as_deref() == Some(url)).map(|s| s.id).expect("a catalogued page")
    }
    /// What the page script reports of the page at `url`, `elapsed` ms after it loaded:
    /// the switch of every setting on that page (two settings may share one).
    fn facts(&self, url: &str, elapsed: f64) -> PageFacts {
        let here: Vec<_> = SETTINGS.iter().filter(|s| s.url().as_deref() == Some(url)).collect();
        assert!(!here.is_empty(), "{url}: a catalogued page");
        let mut facts = PageFacts { url: url.into(), elapsed_ms: elapsed, ..PageFacts::default() };
        for s in here {
            if s.kind == Kind::Connection {
                facts.entries.push(s.labels[0].text.into());
                continue;
            }
            let mut c = Candidate {
                tag: "input".into(),
                input_type: Some("checkbox".into()),
                role: Some("switch".into()),
                checked: Some(self.on[s.id]),
                ..Candidate::default()
            };
            match (s.keys.first(), s.element_ids.first()) {
                (Some(key), _) => c.labelledby = vec![(*key).into()],
                (None, Some(element)) => c.id = (*element).into(),
                // Known by its label as its own page's only switch.
                (None, None) => c.label_text = s.labels[0].text.into(),
            }
            facts.candidates.push(c);
        }
        facts
    }
}

/// The job's tab: which page it was sent to, when, and what it has reported so far.
struct Tab {
    url: String,
    loaded_at: f64,
    load_event_sent: bool,
}

/// Runs `job` to its end as the background would, against `site`; returns the end time.
fn run(job: &mut Job, site: &mut Site, start: f64) -> f64 {
    let first = job.current_url().expect("a first page").to_string();
    *site.loads.entry(job.steps[job.current].setting.clone()).or_default() += 1;
    let mut tab = Tab { url: first, loaded_at: start, load_event_sent: false };
    let mut now = start;
    // Bounded: every page at most twice, each within the page timeout plus the retry wait.
    let limit = start + 2.0 * (SETTINGS.len() as f64) * (f64::from(SITE.page_timeout_ms) + f64::from(FAILURES.retry_wait_ms) + 10_000.0);
    while job.status == JobStatus::Running {
        now += STEP_MS;
        assert!(now < limit, "the job did not end by {limit} ms: {:?}", job.steps.iter().map(|s| (&s.setting, s.outcome)).collect::<Vec<_>>());
        let elapsed = now - tab.loaded_at;
        let id = Site::setting_at(&tab.url);
        let behaviour = site.failing.get(id).copied();
        let mut ds: Vec<Directive> = Vec::new();
        match behaviour {
            Some(Behaviour::Stall) => {}
            Some(Behaviour::Reset) if !tab.load_event_sent => {
                tab.load_event_sent = true;
                ds.push(job.on_tab_loaded(&tab.url, false, now));
            }
            Some(Behaviour::Checkpoint) if !tab.load_event_sent => {
                tab.load_event_sent = true;
                ds.push(job.on_tab_loaded(CHECKPOINT, true, now));
            }
            Some(Behaviour::Http500) if elapsed >= 300.0 && !tab.load_event_sent => {
                tab.load_event_sent = true;
                let outcome = scan(&site.facts(&tab.url, elapsed));
                ds.push(job.on_page(&PageLoad { url: tab.url.clone(), dialog_open: false, http_status: Some(500), loaded_at: None }, &outcome, now));
            }
            Some(_) => {}
            None if elapsed >= 300.0 => {
                if !tab.load_event_sent {
                    tab.load_event_sent = true;
                    ds.push(job.on_tab_loaded(&tab.url, true, now));
                }
                // The page script scans the page as it is now (after a click, the switch's new state).
                let outcome = scan(&site.facts(&tab.url, elapsed));
                ds.push(job.on_page(&PageLoad { url: tab.url.clone(), dialog_open: false, http_status: Some(200), loaded_at: None }, &outcome, now));
            }
            None => {}
        }
        let shown = if behaviour == Some(Behaviour::Checkpoint) && tab.load_event_sent { CHECKPOINT.to_string() } else { tab.url.clone() };
        ds.push(job.on_tick(now, Some(&shown)));
        for d in ds {
            for o in &d.record {
                site.records.push((now, o.clone()));
            }
            if let Some(i) = d.click {
                assert!(behaviour.is_none(), "{id}: clicked on a page that did not load");
                // The i-th switch of the page, as in `facts`; LinkedIn turns it off.
                let here: Vec<_> = SETTINGS.iter().filter(|s| s.url().as_deref() == Some(tab.url.as_str()) && s.kind == Kind::Switch).collect();
                let clicked = here[i].id.to_string();
                *site.clicks.entry(clicked.clone()).or_default() += 1;
                site.on.insert(clicked, false);
            }
            if let Some(next) = d.navigate {
                // A load for the step the job is on now (two settings may share a page: one load each).
                *site.loads.entry(job.steps[job.current].setting.clone()).or_default() += 1;
                tab = Tab { url: next, loaded_at: now, load_event_sent: false };
            }
            if d.finished {
                break;
            }
        }
    }
    now
}

fn loads_of(site: &Site, id: &str) -> u32 {
    site.loads.get(id).copied().unwrap_or(0)
}

fn sentence(job: &Job) -> String {
    job_summary(job).sentences.iter().map(common::en).collect::<Vec<_>>().join(" ")
}

/// "X (why); Y (why)" in catalogue order, as the popup lists them.
fn listed(failing: &[(String, Behaviour)]) -> String {
    failing.iter().map(|(id, b)| format!("{} ({})", title(id), b.why())).collect::<Vec<_>>().join("; ")
}

/// The failed pages' records: one each, with the reason, at the second attempt.
fn assert_recorded(site: &Site, job: &Job, failing: &[(String, Behaviour)]) {
    for (id, b) in failing {
        let recs: Vec<_> = site.records.iter().filter(|(_, o)| &o.setting == id).collect();
        assert_eq!(recs.len(), 1, "{id} ({b:?}) recorded once: {recs:?}");
        assert_eq!(recs[0].1.observed, Observed::Unknown(b.reason()), "{id} ({b:?})");
        let step = job.steps.iter().find(|s| &s.setting == id).expect("a step");
        assert_eq!(step.failed_loads, 2, "{id} ({b:?})");
        assert_eq!(step.ended_at, Some(recs[0].0), "{id} ({b:?}): the attempt's time is the record's");
    }
    assert_eq!(site.records.len(), failing.len(), "nothing recorded for the pages that loaded: {:?}", site.records);
}

#[test]
fn turn_off_all_with_four_pages_that_do_not_load() {
    let failing = failing();
    let ids: Vec<String> = switches().iter().map(|s| s.id.to_string()).collect();
    let n = ids.len();
    let mut job = Job::opt_out(&ids, 0.0, &Managed::default()).expect("job");
    let mut site = Site::new(&failing);
    run(&mut job, &mut site, 0.0);
    assert_eq!(job.status, JobStatus::Finished);
    for id in &ids {
        let f = failing.iter().find(|(x, _)| x == id);
        assert_eq!(loads_of(&site, id), if f.is_some() { 2 } else { 1 }, "{id}: loads {:?}", site.loads);
        assert_eq!(site.clicks.get(id).copied().unwrap_or(0), u32::from(f.is_none()), "{id}: one click on each page that loaded, none on one that did not");
        let step = job.steps.iter().find(|s| &s.setting == id).expect("step");
        match f {
            Some((_, b)) => assert_eq!((step.outcome, step.reason), (Some(Outcome::Failed), Some(b.reason())), "{id} ({b:?})"),
            None => assert_eq!((step.outcome, step.reason), (Some(Outcome::TurnedOff), None), "{id}"),
        }
    }
    assert_recorded(&site, &job, &failing);
    let sum = job_summary(&job);
    for (id, b) in &failing {
        let line = sum.results.iter().find(|r| &r.setting == id).expect("a result line");
        assert_eq!(line.outcome, Outcome::Failed);
        assert_eq!(common::en(&line.text), format!("{} — failed: {}", title(id), b.why()));
    }
    assert_eq!(sentence(&job), format!("{} of {n} settings are off now. {} could not be turned off: {}.", n - failing.len(), failing.len(), listed(&failing)));
    assert_eq!(sum.retry, failing.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), "\"Try the failed ones again\"");
    assert_eq!(sum.retry_kind, JobKind::OptOut);
}

#[test]
fn check_all_with_four_pages_that_do_not_load_then_try_the_failed_ones_again() {
    let failing = failing();
    let mut job = Job::sweep(0.0, &Managed::default());
    let steps = job.steps.len();
    let mut site = Site::new(&failing);
    let end = run(&mut job, &mut site, 0.0);
    assert_eq!(job.status, JobStatus::Finished);
    for s in &job.steps {
        let f = failing.iter().find(|(x, _)| x == &s.setting);
        assert_eq!(loads_of(&site, &s.setting), if f.is_some() { 2 } else { 1 }, "{}: loads {:?}", s.setting, site.loads);
        match f {
            Some((_, b)) => assert_eq!((s.outcome, s.reason), (Some(Outcome::Unknown), Some(b.reason())), "{}", s.setting),
            None => assert_eq!(s.outcome, Some(Outcome::On), "{}", s.setting),
        }
    }
    assert!(site.clicks.is_empty(), "a check clicks nothing: {:?}", site.clicks);
    assert_recorded(&site, &job, &failing);
    let beyond = opt_out_lens_core::catalogue::SETTINGS.len() - steps;
    assert_eq!(
        sentence(&job),
        format!(
            "Checked {} of {steps} settings. {} could not be read: {}. {beyond} more settings are out of any check’s reach: see their rows.",
            steps - failing.len(),
            failing.len(),
            listed(&failing)
        )
    );
    let sum = job_summary(&job);
    let retry = sum.retry.clone();
    assert_eq!(retry, failing.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>());
    assert_eq!(sum.retry_kind, JobKind::Sweep);

    // The pages load again: the retry reads exactly those four, once each.
    let mut again = Job::start("sweep", Some(&retry), Some(&job), end + 1000.0, &Managed::default()).expect("the retry");
    let mut site = Site::new(&[]);
    site.on.insert("ai-training".into(), false);
    run(&mut again, &mut site, end + 1000.0);
    assert_eq!(again.status, JobStatus::Finished);
    assert_eq!(sentence(&again), format!("Checked all {} settings.", failing.len()));
    for s in SETTINGS.iter().filter(|s| s.url().is_some()) {
        assert_eq!(loads_of(&site, s.id), u32::from(retry.iter().any(|r| r == s.id)), "retry loads {}", s.id);
    }
    let outcomes: Vec<_> = again.steps.iter().map(|s| (s.setting.as_str(), s.outcome, s.reason)).collect();
    let expected: Vec<_> = failing.iter().map(|(id, _)| (id.as_str(), Some(if id == "ai-training" { Outcome::Off } else { Outcome::On }), None)).collect();
    assert_eq!(outcomes, expected);
}
