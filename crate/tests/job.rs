//! The "Check all" planner and guided opt-out decisions.

use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::catalogue::{FAILURES, SETTINGS, SITE};
use opt_out_lens_core::detect::{scan, Candidate, Observation, Observed, PageFacts, Reason, ScanOutcome};
use opt_out_lens_core::job::{loaded_before, Directive, Job, JobKind, JobStatus, Outcome, PageLoad, Refusal};
use opt_out_lens_core::text::Text;

mod common;

fn switch(key: &str, checked: bool) -> Candidate {
    Candidate {
        tag: "input".into(),
        input_type: Some("checkbox".into()),
        role: Some("switch".into()),
        checked: Some(checked),
        labelledby: vec![key.into()],
        ..Candidate::default()
    }
}

/// Scans the page at `url` showing `candidates`, `elapsed` ms after it loaded.
fn page(url: &str, candidates: Vec<Candidate>, elapsed: f64) -> ScanOutcome {
    scan(&PageFacts { url: url.into(), elapsed_ms: elapsed, candidates, ..PageFacts::default() })
}

fn key_of(id: &str) -> &'static str {
    SETTINGS.iter().find(|s| s.id == id).and_then(|s| s.keys.first()).copied().unwrap_or("unknownKey")
}

/// The facts of the setting's page showing its switch `on` or off (a connection's page
/// listing its entry, a switch found by element id showing that id).
fn facts_showing(url: &str, id: &str, on: bool) -> PageFacts {
    use opt_out_lens_core::catalogue::{by_id, Kind};
    let s = by_id(id).expect("catalogued");
    if s.kind == Kind::Connection {
        return PageFacts { url: url.into(), elapsed_ms: 300.0, entries: vec![s.labels[0].text.into()], ..PageFacts::default() };
    }
    let mut c = switch(key_of(id), on);
    if let Some(element) = s.element_ids.first() {
        c.labelledby.clear();
        c.id = (*element).into();
    }
    PageFacts { url: url.into(), elapsed_ms: 300.0, candidates: vec![c], ..PageFacts::default() }
}

/// The outcome of each setting's step (a category page's steps aside).
fn outcomes(job: &Job) -> Vec<(String, Option<Outcome>, Option<Reason>)> {
    job.setting_steps().map(|s| (s.setting.clone(), s.outcome, s.reason)).collect()
}

/// A sweep past its category pages (see `common::sweep_page_by_page`).
fn sweep() -> Job {
    common::sweep_page_by_page(&Managed::default())
}

#[test]
fn sweep_visits_every_catalogued_page_in_order() {
    use opt_out_lens_core::catalogue::Kind;
    let mut job = sweep();
    assert_eq!(job.kind, JobKind::Sweep);
    // Every setting with a page of its own; the others are found wherever they are seen.
    let visited: Vec<_> = SETTINGS.iter().filter(|s| s.url().is_some()).collect();
    assert_eq!(job.setting_steps().count(), visited.len());
    // The category pages' steps came first, all done.
    let cats = job.steps.len() - visited.len();
    assert!(job.steps[..cats].iter().all(|s| s.category.is_some() && s.outcome.is_some()));
    let mut now = 0.0;
    let mut expected = Vec::new();
    for (i, s) in visited.iter().enumerate() {
        let url = job.current_url().expect("running").to_string();
        assert_eq!(url, s.url().expect("url"));
        assert_eq!(job.progress(), (i, visited.len()), "progress counts settings, not category pages");
        now += 100.0;
        // A still-loading page does not advance the sweep.
        let d = job.on_scan(&url, &page(&url, vec![], 50.0), false, now);
        assert_eq!((d.navigate.as_deref(), d.finished), (None, false));
        let on = i % 2 == 0;
        let facts = if s.kind == Kind::Connection {
            // A connection is read from the page's list entries: seen means on.
            expected.push(Outcome::On);
            PageFacts { url: url.clone(), elapsed_ms: 300.0, entries: vec![s.labels[0].text.into()], ..PageFacts::default() }
        } else {
            expected.push(if on { Outcome::On } else { Outcome::Off });
            let mut c = switch(key_of(s.id), on);
            if let Some(id) = s.element_ids.first() {
                c.labelledby.clear();
                c.id = (*id).into();
            }
            PageFacts { url: url.clone(), elapsed_ms: 300.0, candidates: vec![c], ..PageFacts::default() }
        };
        let d = job.on_scan(&url, &scan(&facts), false, now);
        assert_eq!(d.click, None, "a sweep never clicks");
        if i + 1 < visited.len() {
            assert_eq!(d.navigate, visited[i + 1].url());
        } else {
            assert!(d.finished);
        }
    }
    assert_eq!(job.status, JobStatus::Finished);
    assert_eq!(job.progress(), (visited.len(), visited.len()));
    assert_eq!(job.setting_steps().map(|s| s.outcome.expect("outcome")).collect::<Vec<_>>(), expected);
    assert_eq!(job.current_url(), None);
}

#[test]
fn a_page_without_its_switch_or_that_never_answers_becomes_unknown_and_the_sweep_goes_on() {
    let mut job = sweep();
    let first = job.current_url().expect("url").to_string();
    let d = job.on_scan(&first, &page(&first, vec![], f64::from(SITE.settle_ms) + 1.0), false, 6000.0);
    assert_eq!(d.navigate, SETTINGS[1].url());
    assert_eq!(outcomes(&job)[0], (SETTINGS[0].id.into(), Some(Outcome::Unknown), Some(Reason::NotFound)));
    // Page 2 never reports: the clock tries it once more, then moves on.
    assert_eq!(job.on_tick(6000.0 + f64::from(SITE.page_timeout_ms) - 1.0, None), Default::default());
    let t = 6000.0 + f64::from(SITE.page_timeout_ms) + 1.0;
    let d = job.on_tick(t, None);
    assert_eq!((d.navigate.as_deref(), d.record.len()), (None, 0), "first timeout: wait, then try again");
    let t = t + f64::from(FAILURES.retry_wait_ms);
    assert_eq!(job.on_tick(t, None).navigate, SETTINGS[1].url(), "the same page once more");
    assert_eq!(job.on_tick(t + f64::from(SITE.page_timeout_ms) - 1.0, None), Default::default());
    let d = job.on_tick(t + f64::from(SITE.page_timeout_ms) + 1.0, None);
    assert_eq!(d.navigate, SETTINGS[2].url());
    assert_eq!(outcomes(&job)[1].2, Some(Reason::TimedOut));
    assert_eq!(d.record, vec![Observation { setting: SETTINGS[1].id.into(), observed: Observed::Unknown(Reason::TimedOut) }]);
}

#[test]
fn signed_out_stops_the_job_and_discards_observations() {
    let mut job = sweep();
    let url = job.current_url().expect("url").to_string();
    job.on_scan(&url, &page(&url, vec![switch(key_of(SETTINGS[0].id), true)], 300.0), false, 1.0);
    let asked = job.current_url().expect("url").to_string();
    let login = format!("https://www.linkedin.com/login?session_redirect={}", asked.replace(':', "%3A").replace('/', "%2F"));
    let d = job.on_scan(&login, &page(&login, vec![], 100.0), false, 2.0);
    assert!(d.finished && d.discard_observations);
    assert_eq!(job.status, JobStatus::Stopped);
    assert_eq!(job.stop_reason, Some(Reason::NotLoggedIn));
    assert_eq!(outcomes(&job)[0].1, Some(Outcome::On), "what was seen before stays");
    assert!(outcomes(&job)[1..].iter().all(|o| o.1 == Some(Outcome::Unknown) && o.2 == Some(Reason::NotLoggedIn)));
}

#[test]
fn late_scans_of_the_previous_page_are_ignored_and_cancel_ends_the_job() {
    let mut job = sweep();
    let first = job.current_url().expect("url").to_string();
    job.on_scan(&first, &page(&first, vec![switch(key_of(SETTINGS[0].id), true)], 300.0), false, 1.0);
    let d = job.on_scan(&first, &page(&first, vec![switch(key_of(SETTINGS[0].id), false)], 400.0), false, 2.0);
    assert_eq!(d, Default::default());
    assert_eq!(outcomes(&job).iter().filter(|o| o.1.is_some()).count(), 1);
    let d = job.cancel(3.0);
    assert!(d.finished);
    assert_eq!(job.status, JobStatus::Cancelled);
    assert!(outcomes(&job)[1..].iter().all(|o| o.2 == Some(Reason::Cancelled)));
    assert_eq!(job.cancel(4.0), Default::default(), "cancelling twice does nothing");
}

#[test]
fn opt_out_clicks_once_and_succeeds_only_on_read_back() {
    let ids = vec!["research".to_string(), "ai-training".to_string()];
    let mut job = Job::opt_out(&ids, 0.0, &Managed::default()).expect("job");
    // Catalogue order, not request order.
    assert_eq!(job.steps.iter().map(|s| s.setting.as_str()).collect::<Vec<_>>(), ["ai-training", "research"]);
    let ai = job.current_url().expect("url").to_string();
    let decoy = switch("allowAiReplySuggestions", true);
    let d = job.on_scan(&ai, &page(&ai, vec![decoy.clone(), switch("allowDataForGenerativeAI", true)], 300.0), false, 1.0);
    assert_eq!(d.click, Some(1), "the identified switch, never the decoy");
    // The next scan still shows it on (the page has not reacted yet): no second click.
    let d = job.on_scan(&ai, &page(&ai, vec![decoy.clone(), switch("allowDataForGenerativeAI", true)], 400.0), false, 2.0);
    assert_eq!(d.click, None);
    let d = job.on_scan(&ai, &page(&ai, vec![decoy.clone(), switch("allowDataForGenerativeAI", false)], 500.0), false, 3.0);
    assert_eq!(d.changed_by_extension, vec!["ai-training".to_string()]);
    assert_eq!(d.navigate, None, "off must hold for the verify time first");
    // Still off when the verify time is up: turned off, on to the next page.
    let verified = 1.0 + f64::from(SITE.click_verify_ms);
    let d = job.on_scan(&ai, &page(&ai, vec![decoy, switch("allowDataForGenerativeAI", false)], 600.0), false, verified);
    assert!(d.changed_by_extension.is_empty(), "attributed once");
    assert_eq!(d.navigate, SETTINGS.iter().find(|s| s.id == "research").and_then(|s| s.url()));
    // Already off: not clicked.
    let research = job.current_url().expect("url").to_string();
    let d = job.on_scan(&research, &page(&research, vec![switch("allowAnonymizedDataResearch", false)], 300.0), false, verified + 1.0);
    assert_eq!((d.click, d.finished), (None, true));
    assert_eq!(
        outcomes(&job),
        vec![("ai-training".into(), Some(Outcome::TurnedOff), None), ("research".into(), Some(Outcome::AlreadyOff), None)]
    );
}

#[test]
fn opt_out_failures_are_reported_never_retried() {
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    let ai = job.current_url().expect("url").to_string();
    let on = || page(&ai, vec![switch("allowDataForGenerativeAI", true)], 300.0);
    assert_eq!(job.on_scan(&ai, &on(), false, 1.0).click, Some(0));
    for t in [2.0, 3.0, 4.0] {
        assert_eq!(job.on_scan(&ai, &on(), false, t).click, None);
    }
    let d = job.on_tick(1.0 + f64::from(SITE.click_settle_ms) + 1.0, None);
    assert!(d.finished);
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::DidNotChange)));

    // LinkedIn asks for confirmation: the tab is shown, the extension waits for the person.
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    assert_eq!(job.on_scan(&ai, &on(), false, 1.0).click, Some(0));
    let d = job.on_scan(&ai, &on(), true, 2.0);
    assert!(d.show_tab && d.click.is_none());
    assert!(job.steps[0].awaiting_confirmation);
    assert!(!job.on_tick(1.0 + f64::from(SITE.click_settle_ms) + 1.0, None).finished, "waits longer for a person");
    job.on_tick(1.0 + f64::from(SITE.confirm_wait_ms) + 1.0, None);
    assert_eq!(outcomes(&job)[0].2, Some(Reason::NotConfirmed));

    // Two switches claim the setting in different states: nothing is clicked.
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    let two = page(&ai, vec![switch("allowDataForGenerativeAI", true), switch("allowDataForGenerativeAI", false)], 300.0);
    let d = job.on_scan(&ai, &two, false, 1.0);
    assert_eq!(d.click, None);
    assert_eq!(outcomes(&job)[0].1, Some(Outcome::Failed));

    // The switch is missing: failed, not found.
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    job.on_scan(&ai, &page(&ai, vec![], 9000.0), false, 1.0);
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::NotFound)));
}

#[test]
fn opt_out_refuses_unknown_or_no_settings() {
    assert_eq!(Job::opt_out(&[], 0.0, &Managed::default()), Err(Refusal::NoneChosen));
    assert_eq!(Job::opt_out(&["made-up".to_string()], 0.0, &Managed::default()), Err(Refusal::UnknownSetting));
}

#[test]
fn opt_out_change_undone_by_the_page_is_a_failure_and_a_held_one_finishes_on_the_clock() {
    let off = |ai: &str| page(ai, vec![switch("allowDataForGenerativeAI", false)], 300.0);
    let on = |ai: &str| page(ai, vec![switch("allowDataForGenerativeAI", true)], 300.0);
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    let ai = job.current_url().expect("url").to_string();
    let d = job.on_scan(&ai, &on(&ai), false, 1.0);
    assert_eq!((d.click, d.verify_ms.is_some()), (Some(0), true));
    job.on_scan(&ai, &off(&ai), false, 2.0);
    let d = job.on_scan(&ai, &on(&ai), false, 1000.0);
    assert_eq!((d.click, d.finished), (None, true), "never clicked again");
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::Reverted)));

    // Off, and still off in a scan the page took after the verify time: turned off. A scan
    // taken earlier that arrives late (a busy background) proves nothing: the page may have
    // undone the change since.
    let verify = f64::from(SITE.click_verify_ms);
    let taken = |at: f64| PageLoad { url: ai.clone(), loaded_at: Some(0.0), taken_at: Some(at), ..PageLoad::default() };
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    job.on_scan(&ai, &on(&ai), false, 1.0);
    job.on_scan(&ai, &off(&ai), false, 2.0);
    assert!(!job.on_page(&taken(500.0), &off(&ai), 1.0 + verify + 500.0).finished, "taken before the verify time");
    assert!(!job.on_tick(1.0 + verify + 600.0, None).finished, "time alone proves nothing");
    assert!(job.on_page(&taken(1.0 + verify), &off(&ai), 1.0 + verify + 700.0).finished);
    assert_eq!(outcomes(&job)[0].1, Some(Outcome::TurnedOff));

    // Off, then silent: no scan after the verify time ever came, so the clock ends it as not
    // known to have held (never "turned off").
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    job.on_scan(&ai, &on(&ai), false, 1.0);
    job.on_scan(&ai, &off(&ai), false, 2.0);
    let limit = 1.0 + verify + f64::from(SITE.click_settle_ms);
    assert!(!job.on_tick(limit, None).finished);
    assert!(job.on_tick(limit + 1.0, None).finished);
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::TimedOut)));
}

#[test]
fn managed_options_limit_the_sweep_and_can_forbid_opt_out() {
    let managed = Managed { watch_settings: Some(vec!["ai-training".into(), "research".into()]), allow_opt_out: Some(false), ..Managed::default() };
    let job = Job::sweep(0.0, &managed);
    // Both are on the Data privacy category page: it is read first.
    assert_eq!(job.steps[0].category.as_deref(), Some("privacy"));
    assert_eq!(job.steps.len(), 3, "no other category page lists two of them");
    assert_eq!(job.setting_steps().map(|s| s.setting.as_str()).collect::<Vec<_>>(), ["ai-training", "research"]);
    let refused = Job::opt_out(&["ai-training".to_string()], 0.0, &managed).expect_err("not allowed");
    assert_eq!(refused, Refusal::NotAllowed);
    assert_eq!(common::en(&Text::new(refused.msg())), "Turning settings off is not allowed by your organisation.");
    let sum = opt_out_lens_core::summary::summary(&opt_out_lens_core::state::load(Ok(None)).stored, 0.0, None, &managed);
    assert_eq!(sum.rows.len(), 2);
    assert!(!sum.opt_out_allowed && sum.managed);
    assert_eq!(Managed::default().unknown_settings(), Vec::<String>::new());
    let typo = Managed { watch_settings: Some(vec!["ai-trainin".into()]), ..Managed::default() };
    assert_eq!(typo.unknown_settings(), vec!["ai-trainin".to_string()]);
}

#[test]
fn a_tab_that_never_reached_its_page_is_sent_there_once() {
    let mut job = sweep();
    let first = job.current_url().expect("url").to_string();
    let blank = "about:blank";
    let wait = f64::from(SITE.renavigate_ms) + 1.0;
    assert_eq!(job.on_tick(wait - 2.0, Some(blank)).navigate, None, "not yet");
    assert_eq!(job.on_tick(wait, Some(blank)).navigate.as_deref(), Some(first.as_str()));
    assert_eq!(job.on_tick(wait + 1.0, Some(blank)).navigate, None, "only once");
    // On its page, or on the sign-in page (a redirect): never sent again.
    let mut job = sweep();
    assert_eq!(job.on_tick(wait, Some(&first)).navigate, None);
    assert_eq!(job.on_tick(wait, Some("https://www.linkedin.com/login?session_redirect=x")).navigate, None);
}

// ---- pages that do not load -------------------------------------------------------------

/// How a page fails to load, as the background reports it.
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// The browser's error page: the tab loads, no content script answers.
    ErrorPage,
    /// LinkedIn answers with HTTP 500 (the content script reports the status).
    Http500,
    /// LinkedIn redirects to its security check.
    Checkpoint,
    /// No answer at all.
    Stall,
}

const CHECKPOINT: &str = "https://www.linkedin.com/checkpoint/challenge/AgFx9?ut=1";

/// Drives one failed load of the current page at time `t`, returning the directives
/// and the time after it.
fn fail_once(job: &mut Job, how: Failure, url: &str, t: f64) -> (Vec<Directive>, f64) {
    let mut ds = Vec::new();
    match how {
        Failure::ErrorPage => {
            ds.push(job.on_tab_loaded(url, false, t));
            // Silent for less than the grace time: nothing yet.
            ds.push(job.on_tick(t + f64::from(FAILURES.no_script_grace_ms) - 1.0, Some(url)));
            assert_eq!(ds, [Directive::default(), Directive::default()], "silent for less than the grace time: nothing yet");
            let t = t + f64::from(FAILURES.no_script_grace_ms);
            ds.push(job.on_tick(t, Some(url)));
            (ds, t)
        }
        Failure::Http500 => {
            let switch_on = vec![switch(key_of(&job.steps[job.current].setting), true)];
            let outcome = page(url, switch_on, 300.0);
            ds.push(job.on_page(&PageLoad { url: url.into(), dialog_open: false, http_status: Some(500), loaded_at: None, taken_at: None }, &outcome, t));
            (ds, t)
        }
        Failure::Checkpoint => {
            ds.push(job.on_tab_loaded(CHECKPOINT, true, t));
            (ds, t)
        }
        Failure::Stall => {
            let t = t + f64::from(SITE.page_timeout_ms) + 1.0;
            ds.push(job.on_tick(t, Some(url)));
            (ds, t)
        }
    }
}

fn reason_of(how: Failure) -> Reason {
    match how {
        Failure::ErrorPage => Reason::NotLoaded,
        Failure::Http500 => Reason::PageError,
        Failure::Checkpoint => Reason::Checkpoint,
        Failure::Stall => Reason::TimedOut,
    }
}

const ALL_FAILURES: [Failure; 4] = [Failure::ErrorPage, Failure::Http500, Failure::Checkpoint, Failure::Stall];

#[test]
fn a_page_that_does_not_load_is_tried_exactly_once_more_then_recorded_with_its_reason() {
    for how in ALL_FAILURES {
        for kind in [JobKind::Sweep, JobKind::OptOut] {
            let ids: Vec<String> = SETTINGS.iter().take(2).map(|s| s.id.to_string()).collect();
            let mut job = match kind {
                JobKind::Sweep => Job::recheck(&ids, 0.0, &Managed::default()).expect("job"),
                JobKind::OptOut => Job::opt_out(&ids, 0.0, &Managed::default()).expect("job"),
            };
            let url = job.current_url().expect("url").to_string();
            let what = format!("{how:?} during {kind:?}");
            let (ds, t) = fail_once(&mut job, how, &url, 1000.0);
            assert!(ds.iter().all(|d| d.navigate.is_none() && d.click.is_none() && d.record.is_empty() && !d.finished), "{what}: first failure waits: {ds:?}");
            assert_eq!(job.setting_steps().next().expect("step").failed_loads, 1, "{what}");
            assert_eq!(job.steps[0].outcome, None, "{what}: not decided after one failure");
            // The short wait, then the same page once more.
            assert_eq!(job.on_tick(t + f64::from(FAILURES.retry_wait_ms) - 1.0, Some(&url)), Directive::default(), "{what}");
            let t = t + f64::from(FAILURES.retry_wait_ms);
            let d = job.on_tick(t, Some(&url));
            assert_eq!(d.navigate.as_deref(), Some(url.as_str()), "{what}: tried again");
            // Fails again: recorded, and the job moves on.
            let (ds, t) = fail_once(&mut job, how, &url, t + 10.0);
            let last = ds.last().expect("directive");
            assert_eq!(last.navigate, SETTINGS[1].url(), "{what}: next page");
            assert!(ds.iter().all(|d| d.click.is_none()), "{what}: nothing clicked on a page that did not load");
            assert_eq!(last.record, vec![Observation { setting: ids[0].clone(), observed: Observed::Unknown(reason_of(how)) }], "{what}");
            let expected = if kind == JobKind::Sweep { Outcome::Unknown } else { Outcome::Failed };
            assert_eq!(outcomes(&job)[0], (ids[0].clone(), Some(expected), Some(reason_of(how))), "{what}");
            assert_eq!(job.setting_steps().next().expect("step").failed_loads, 2, "{what}");
            assert_eq!(job.steps[0].ended_at, Some(t), "{what}: the attempt's time");
            // No third try: the clock long after does nothing more for that page.
            let d = job.on_tick(t + 10.0 * f64::from(SITE.page_timeout_ms), Some(&url));
            assert_ne!(d.navigate.as_deref(), Some(url.as_str()), "{what}: never a third load");
            assert_eq!(job.retry_ids()[..1], ids[..1], "{what}: offered for \"Try the failed ones again\"");
        }
    }
}

#[test]
fn a_second_try_that_loads_reads_the_page_as_usual() {
    for how in ALL_FAILURES {
        let mut job = sweep();
        let url = job.current_url().expect("url").to_string();
        let (_, t) = fail_once(&mut job, how, &url, 1000.0);
        let t = t + f64::from(FAILURES.retry_wait_ms);
        assert_eq!(job.on_tick(t, Some(&url)).navigate.as_deref(), Some(url.as_str()));
        let d = job.on_page(&PageLoad { url: url.clone(), dialog_open: false, http_status: Some(200), loaded_at: None, taken_at: None }, &page(&url, vec![switch(key_of(SETTINGS[0].id), true)], 300.0), t + 500.0);
        assert_eq!(d.navigate, SETTINGS[1].url(), "{how:?}");
        assert!(d.record.is_empty(), "{how:?}: the scan is stored as usual");
        assert_eq!(outcomes(&job)[0], (SETTINGS[0].id.into(), Some(Outcome::On), None), "{how:?}");
    }
}

#[test]
fn a_content_script_that_starts_after_the_load_is_not_an_error_page() {
    let mut job = sweep();
    let url = job.current_url().expect("url").to_string();
    job.on_tab_loaded(&url, false, 100.0);
    // Its first scan arrives within the grace time: still loading, but alive.
    job.on_scan(&url, &page(&url, vec![], 50.0), false, 100.0 + f64::from(FAILURES.no_script_grace_ms) - 10.0);
    assert_eq!(job.on_tick(100.0 + 2.0 * f64::from(FAILURES.no_script_grace_ms), Some(&url)), Directive::default());
    assert_eq!(job.setting_steps().next().expect("step").failed_loads, 0);
    // A later load event without an answer changes nothing once the page has answered.
    job.on_tab_loaded(&url, false, 9000.0);
    assert_eq!(job.on_tick(9000.0 + 2.0 * f64::from(FAILURES.no_script_grace_ms), Some(&url)), Directive::default());
    // A tab whose content script answers the ping is not an error page either.
    let mut job = sweep();
    job.on_tab_loaded(&url, true, 100.0);
    assert_eq!(job.on_tick(100.0 + 2.0 * f64::from(FAILURES.no_script_grace_ms), Some(&url)), Directive::default());
    // A load event of another page (the previous step's, late) is not this step's business.
    let mut job = sweep();
    job.on_tab_loaded(SETTINGS[5].url().as_deref().expect("url"), false, 100.0);
    assert_eq!(job.on_tick(100.0 + 2.0 * f64::from(FAILURES.no_script_grace_ms), Some(&url)), Directive::default());
}

#[test]
fn late_scans_of_an_error_page_while_waiting_to_try_again_decide_nothing() {
    let mut job = Job::opt_out(&[SETTINGS[0].id.to_string()], 0.0, &Managed::default()).expect("job");
    let url = job.current_url().expect("url").to_string();
    let on = page(&url, vec![switch(key_of(SETTINGS[0].id), true)], 300.0);
    let error = PageLoad { url: url.clone(), dialog_open: false, http_status: Some(503), loaded_at: None, taken_at: None };
    let d = job.on_page(&error, &on, 100.0);
    assert!(d.discard_observations && d.click.is_none());
    // The settle re-scan of the same error page, during the wait.
    let settled = page(&url, vec![switch(key_of(SETTINGS[0].id), true)], f64::from(SITE.settle_ms) + 1.0);
    let d = job.on_page(&error, &settled, 1000.0);
    assert!(d.discard_observations && d.click.is_none() && d.record.is_empty() && d.navigate.is_none());
    assert_eq!((job.setting_steps().next().expect("step").failed_loads, job.steps[0].outcome), (1, None));
    // A late checkpoint event during the wait counts for nothing either.
    assert_eq!(job.on_tab_loaded(CHECKPOINT, true, 1100.0), Directive::default());
    assert_eq!(job.setting_steps().next().expect("step").failed_loads, 1);
}

#[test]
fn a_checkpoint_seen_on_the_clock_counts_once_the_tab_had_time_to_leave() {
    let mut job = sweep();
    // Just after the navigation the tab may still show where it was: not yet.
    assert_eq!(job.on_tick(10.0, Some(CHECKPOINT)), Directive::default());
    assert_eq!(job.setting_steps().next().expect("step").failed_loads, 0);
    job.on_tick(f64::from(SITE.renavigate_ms) + 1.0, Some(CHECKPOINT));
    assert_eq!((job.setting_steps().next().expect("step").failed_loads, job.setting_steps().next().expect("step").load_failure), (1, Some(Reason::Checkpoint)));
    // LinkedIn's sign-in page under /checkpoint/ is a sign-in page, not a security check.
    assert!(!opt_out_lens_core::job::is_checkpoint("https://www.linkedin.com/checkpoint/lg/login?session_redirect=x"));
    assert!(opt_out_lens_core::job::is_checkpoint(CHECKPOINT));
    assert!(!opt_out_lens_core::job::is_checkpoint("https://example.com/checkpoint/challenge/x"));
}

#[test]
fn starting_jobs_refuses_with_typed_reasons() {
    let m = Managed::default();
    let running = Job::sweep(0.0, &m);
    assert_eq!(Job::start("sweep", None, Some(&running), 1.0, &m), Err(Refusal::Busy));
    assert_eq!(Job::start("dance", None, None, 1.0, &m), Err(Refusal::UnknownKind));
    assert_eq!(Job::start("opt-out", None, None, 1.0, &m), Err(Refusal::NoneChosen));
    assert_eq!(Job::start("sweep", Some(&["nope".to_string()]), None, 1.0, &m), Err(Refusal::UnknownSetting));
    let again = Job::start("sweep", Some(&[SETTINGS[3].id.to_string(), SETTINGS[1].id.to_string()]), None, 1.0, &m).expect("recheck");
    assert_eq!(again.steps.iter().map(|s| s.setting.as_str()).collect::<Vec<_>>(), [SETTINGS[1].id, SETTINGS[3].id], "catalogue order");
    assert_eq!(again.kind, JobKind::Sweep);
    let mut done = running.clone();
    done.cancel(2.0);
    assert!(Job::start("sweep", None, Some(&done), 3.0, &m).is_ok(), "a job that ended does not block");
    for r in [Refusal::NotAllowed, Refusal::NoneChosen, Refusal::UnknownSetting, Refusal::Busy, Refusal::UnknownKind] {
        assert!(common::en(&Text::new(r.msg())).ends_with('.'), "{r:?} has a sentence");
    }
}

#[test]
fn the_job_summary_counts_what_it_read() {
    use opt_out_lens_core::summary::job_summary;
    let say = |job: &Job| job_summary(job).sentences.iter().map(common::en).collect::<Vec<_>>().join(" ");
    // Every page read: "Checked all".
    let mut job = sweep();
    let mut t = 0.0;
    for _ in 0..job.steps.len() {
        let Some(url) = job.current_url().map(str::to_string) else { break };
        t += 100.0;
        let id = job.steps[job.current].setting.clone();
        if id == "ai-training" {
            // The AI page does not load, twice.
            let (_, t2) = fail_once(&mut job, Failure::ErrorPage, &url, t);
            job.on_tick(t2 + f64::from(FAILURES.retry_wait_ms), Some(&url));
            let (_, t3) = fail_once(&mut job, Failure::ErrorPage, &url, t2 + f64::from(FAILURES.retry_wait_ms) + 1.0);
            t = t3;
        } else {
            job.on_scan(&url, &scan(&facts_showing(&url, &id, false)), false, t);
        }
    }
    assert_eq!(job.status, JobStatus::Finished, "every step ended: {:?}", outcomes(&job));
    let n = job.setting_steps().count();
    // Settings no check can reach are named as such: "Checked 17 of 18" beside 25 rows.
    let beyond = SETTINGS.len() - n;
    assert!(beyond > 1);
    assert_eq!(
        say(&job),
        format!("Checked {} of {n} settings. 1 could not be read: Data for Generative AI Improvement (the page did not load). {beyond} more settings are out of any check’s reach: see their rows.", n - 1)
    );
    let sum = job_summary(&job);
    assert_eq!(sum.retry, vec!["ai-training".to_string()]);
    assert_eq!(sum.retry_kind, JobKind::Sweep);
    assert!(sum.results.is_empty(), "a check's rows are the summary's");

    // Guided opt-out: the page that did not load is "failed", never "turned off".
    let ids: Vec<String> = ["ai-training", SETTINGS[1].id].iter().map(|s| s.to_string()).collect();
    let mut job = Job::opt_out(&ids, 0.0, &Managed::default()).expect("job");
    let url = job.current_url().expect("url").to_string();
    let (_, t) = fail_once(&mut job, Failure::Http500, &url, 10.0);
    job.on_tick(t + f64::from(FAILURES.retry_wait_ms), Some(&url));
    fail_once(&mut job, Failure::Http500, &url, t + f64::from(FAILURES.retry_wait_ms) + 1.0);
    let url = job.current_url().expect("url").to_string();
    job.on_scan(&url, &page(&url, vec![switch(key_of(SETTINGS[1].id), false)], 300.0), false, 9000.0);
    assert_eq!(job.status, JobStatus::Finished);
    let sum = job_summary(&job);
    let lines: Vec<String> = sum.results.iter().map(|r| common::en(&r.text)).collect();
    assert_eq!(lines[0], "Data for Generative AI Improvement — failed: LinkedIn showed an error page");
    assert!(lines[1].ends_with("— already off"), "{lines:?}");
    assert_eq!(say(&job), "1 of 2 settings are off now. 1 could not be turned off: Data for Generative AI Improvement (LinkedIn showed an error page).");
    assert_eq!(sum.retry, vec!["ai-training".to_string()]);
    assert_eq!(sum.retry_kind, JobKind::OptOut);

    // A click that did not hold is not offered again (it is never clicked twice).
    let mut job = Job::opt_out(&ids[..1], 0.0, &Managed::default()).expect("job");
    let url = job.current_url().expect("url").to_string();
    let d = job.on_scan(&url, &page(&url, vec![switch(key_of("ai-training"), true)], 300.0), false, 1.0);
    assert_eq!(d.click, Some(0));
    job.on_tick(2.0 + f64::from(SITE.click_settle_ms), Some(&url));
    assert_eq!(outcomes(&job)[0].2, Some(Reason::DidNotChange));
    assert!(job_summary(&job).retry.is_empty());
}

#[test]
fn a_read_only_row_is_never_part_of_an_opt_out() {
    use opt_out_lens_core::catalogue::Kind;
    let read_only: Vec<String> = SETTINGS.iter().filter(|s| s.kind == Kind::Connection).map(|s| s.id.to_string()).collect();
    assert!(!read_only.is_empty(), "the catalogue has a read-only row to test with");
    for id in &read_only {
        let ids = vec!["ai-training".to_string(), id.clone()];
        assert_eq!(Job::opt_out(&ids, 0.0, &Managed::default()).map(|_| ()), Err(Refusal::UnknownSetting), "{id}");
    }
}

#[test]
fn two_settings_on_one_page_a_late_scan_of_the_page_before_the_reload_decides_nothing() {
    // The promotions page holds two switches, so the second step sends the tab to the URL
    // it is already on. A scan of the old document arriving after that (its verify re-scans
    // run on) must not be taken for the reloaded page: a click decided on it would land on a
    // page being replaced, and the step would end "did not change".
    let ids = vec!["marketing-promotions".to_string(), "marketing-emails".to_string()];
    let mut job = Job::opt_out(&ids, 0.0, &Managed::default()).expect("job");
    let url = job.current_url().expect("url").to_string();
    assert_eq!(job.steps[1].url, url, "both on one page");
    let (promo, emails) = (key_of("marketing-promotions"), key_of("marketing-emails"));
    let load = |at: f64| PageLoad { url: url.clone(), dialog_open: false, http_status: Some(200), loaded_at: Some(at), taken_at: None };
    let first = load(100.0);
    let both = |p: bool, e: bool| page(&url, vec![switch(promo, p), switch(emails, e)], 300.0);
    let d = job.on_page(&first, &both(true, true), 400.0);
    assert_eq!(d.click, Some(0));
    job.on_page(&first, &both(false, true), 600.0);
    let moved = 500.0 + f64::from(SITE.click_verify_ms);
    let d = job.on_page(&first, &both(false, true), moved);
    assert_eq!(d.navigate.as_deref(), Some(url.as_str()), "on to the second setting, same page");
    // The old document, scanned again after the move: nothing is decided on it.
    let d = job.on_page(&first, &both(false, true), moved + 200.0);
    assert_eq!(d.click, None, "no click on the page being replaced");
    assert_eq!(job.steps[1].clicked_at, None);
    // The reloaded page: the click is decided there.
    let d = job.on_page(&load(moved + 30.0), &both(false, true), moved + 400.0);
    assert_eq!(d.click, Some(1));
    // Without a load time (an older page script), scans count as before.
    let mut job2 = Job::opt_out(&ids, 0.0, &Managed::default()).expect("job");
    let none = PageLoad { loaded_at: None, ..load(0.0) };
    assert_eq!(job2.on_page(&none, &both(true, true), 400.0).click, Some(0));
    // A first page, or a page after one of another URL, is never judged by its load time
    // (a browser may date a document after an error page early).
    let mut job3 = Job::opt_out(&ids, 1000.0, &Managed::default()).expect("job");
    assert_eq!(job3.on_page(&load(10.0), &both(true, true), 1400.0).click, Some(0));
}

#[test]
fn a_document_older_than_the_request_is_the_page_being_replaced() {
    // The one rule jobs and "Show me" share: the page's and the worker's clocks round
    // differently, so up to 50 ms early still counts as the page asked for.
    assert!(!loaded_before(1000.0, 1000.0));
    assert!(!loaded_before(1000.0, 1050.0));
    assert!(loaded_before(1000.0, 1050.5));
    assert!(loaded_before(0.0, 5000.0));
    assert!(!loaded_before(5000.0, 0.0), "a document loaded after the request");
}

#[test]
fn a_category_page_that_asks_to_sign_in_stops_the_check_and_changes_nothing() {
    let mut job = Job::sweep(0.0, &Managed::default());
    let url = job.current_url().expect("url").to_string();
    assert!(url.ends_with("/mypreferences/d/categories/ads"), "{url}");
    let login = "https://www.linkedin.com/login?session_redirect=%2Fmypreferences%2Fd%2Fcategories%2Fads";
    let d = job.on_scan(login, &scan(&PageFacts { url: login.into(), ..PageFacts::default() }), false, 10.0);
    assert!(d.finished && d.discard_observations);
    assert_eq!((job.status, job.stop_reason), (JobStatus::Stopped, Some(Reason::NotLoggedIn)));
    // A category page still rendering (no link yet) decides nothing.
    let mut job = Job::sweep(0.0, &Managed::default());
    let url = job.current_url().expect("url").to_string();
    let d = job.on_scan(&url, &scan(&PageFacts { url: url.clone(), elapsed_ms: 100.0, lang: "en".into(), ..PageFacts::default() }), false, 10.0);
    assert_eq!(d, Directive::default());
    assert_eq!(job.current, 0);
}

#[test]
fn two_settings_on_one_page_are_read_in_one_load_when_both_switches_show() {
    let mate_of = |job: &Job| {
        let steps: Vec<_> = job.setting_steps().collect();
        let i = steps.iter().position(|s| steps.iter().any(|t| t.setting != s.setting && t.url == s.url)).expect("two settings share a page");
        (steps[i].setting.clone(), steps[i + 1].setting.clone(), steps[i].url.clone())
    };
    for both_shown in [true, false] {
        let mut job = sweep();
        let (first, second, url) = mate_of(&job);
        job.current = job.steps.iter().position(|s| s.setting == first).expect("step");
        job.steps[job.current].started_at = Some(0.0);
        let mut shown = vec![switch(key_of(&first), true)];
        if both_shown {
            shown.push(switch(key_of(&second), false));
        }
        let d = job.on_scan(&url, &page(&url, shown, 300.0), false, 10.0);
        let outcome = |id: &str| job.steps.iter().find(|s| s.setting == id && s.category.is_none()).and_then(|s| s.outcome);
        assert_eq!(outcome(&first), Some(Outcome::On));
        if both_shown {
            // Read in the same load: the tab moves past the page.
            assert_eq!(outcome(&second), Some(Outcome::Off));
            assert_ne!(d.navigate.as_deref(), Some(url.as_str()));
        } else {
            // Not shown: never guessed, its own step loads the page again.
            assert_eq!(outcome(&second), None);
            assert_eq!(d.navigate.as_deref(), Some(url.as_str()));
        }
    }
}
