//! The "Check all" planner and guided opt-out decisions.

use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::catalogue::{SETTINGS, SITE};
use opt_out_lens_core::detect::{scan, Candidate, PageFacts, Reason, ScanOutcome};
use opt_out_lens_core::job::{Job, JobKind, JobStatus, Outcome};

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

fn outcomes(job: &Job) -> Vec<(String, Option<Outcome>, Option<Reason>)> {
    job.steps.iter().map(|s| (s.setting.clone(), s.outcome, s.reason)).collect()
}

#[test]
fn sweep_visits_every_catalogued_page_in_order() {
    use opt_out_lens_core::catalogue::Kind;
    let mut job = Job::sweep(0.0, &Managed::default());
    assert_eq!(job.kind, JobKind::Sweep);
    // Every setting with a page of its own; the others are found wherever they are seen.
    let visited: Vec<_> = SETTINGS.iter().filter(|s| s.url().is_some()).collect();
    assert_eq!(job.steps.len(), visited.len());
    let mut now = 0.0;
    let mut expected = Vec::new();
    for (i, s) in visited.iter().enumerate() {
        let url = job.current_url().expect("running").to_string();
        assert_eq!(url, s.url().expect("url"));
        assert_eq!(job.progress(), (i, visited.len()));
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
    assert_eq!(job.steps.iter().map(|s| s.outcome.expect("outcome")).collect::<Vec<_>>(), expected);
    assert_eq!(job.current_url(), None);
}

#[test]
fn a_page_without_its_switch_or_that_never_answers_becomes_unknown_and_the_sweep_goes_on() {
    let mut job = Job::sweep(0.0, &Managed::default());
    let first = job.current_url().expect("url").to_string();
    let d = job.on_scan(&first, &page(&first, vec![], f64::from(SITE.settle_ms) + 1.0), false, 6000.0);
    assert_eq!(d.navigate, SETTINGS[1].url());
    assert_eq!(outcomes(&job)[0], (SETTINGS[0].id.into(), Some(Outcome::Unknown), Some(Reason::NotFound)));
    // Page 2 never reports: the clock moves it on.
    assert_eq!(job.on_tick(6000.0 + f64::from(SITE.page_timeout_ms) - 1.0, None), Default::default());
    let d = job.on_tick(6000.0 + f64::from(SITE.page_timeout_ms) + 1.0, None);
    assert_eq!(d.navigate, SETTINGS[2].url());
    assert_eq!(outcomes(&job)[1].2, Some(Reason::TimedOut));
}

#[test]
fn signed_out_stops_the_job_and_discards_observations() {
    let mut job = Job::sweep(0.0, &Managed::default());
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
    let mut job = Job::sweep(0.0, &Managed::default());
    let first = job.current_url().expect("url").to_string();
    job.on_scan(&first, &page(&first, vec![switch(key_of(SETTINGS[0].id), true)], 300.0), false, 1.0);
    let d = job.on_scan(&first, &page(&first, vec![switch(key_of(SETTINGS[0].id), false)], 400.0), false, 2.0);
    assert_eq!(d, Default::default());
    assert_eq!(job.progress().0, 1);
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
    assert!(Job::opt_out(&[], 0.0, &Managed::default()).is_err());
    assert!(Job::opt_out(&["made-up".to_string()], 0.0, &Managed::default()).is_err());
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

    // Off and quiet: the clock finishes it.
    let mut job = Job::opt_out(&["ai-training".to_string()], 0.0, &Managed::default()).expect("job");
    job.on_scan(&ai, &on(&ai), false, 1.0);
    job.on_scan(&ai, &off(&ai), false, 2.0);
    assert!(!job.on_tick(1.0 + f64::from(SITE.click_verify_ms) - 1.0, None).finished);
    assert!(job.on_tick(1.0 + f64::from(SITE.click_verify_ms), None).finished);
    assert_eq!(outcomes(&job)[0].1, Some(Outcome::TurnedOff));
}

#[test]
fn managed_options_limit_the_sweep_and_can_forbid_opt_out() {
    let managed = Managed { watch_settings: Some(vec!["ai-training".into(), "research".into()]), allow_opt_out: Some(false), ..Managed::default() };
    let job = Job::sweep(0.0, &managed);
    assert_eq!(job.steps.iter().map(|s| s.setting.as_str()).collect::<Vec<_>>(), ["ai-training", "research"]);
    let refused = Job::opt_out(&["ai-training".to_string()], 0.0, &managed).expect_err("not allowed");
    assert!(refused.contains("not allowed"));
    let sum = opt_out_lens_core::summary::summary(&opt_out_lens_core::state::load(Ok(None)).stored, 0.0, None, &managed);
    assert_eq!(sum.rows.len(), 2);
    assert!(!sum.opt_out_allowed && sum.managed);
    assert_eq!(Managed::default().unknown_settings(), Vec::<String>::new());
    let typo = Managed { watch_settings: Some(vec!["ai-trainin".into()]), ..Managed::default() };
    assert_eq!(typo.unknown_settings(), vec!["ai-trainin".to_string()]);
}

#[test]
fn a_tab_that_never_reached_its_page_is_sent_there_once() {
    let mut job = Job::sweep(0.0, &Managed::default());
    let first = job.current_url().expect("url").to_string();
    let blank = "about:blank";
    let wait = f64::from(SITE.renavigate_ms) + 1.0;
    assert_eq!(job.on_tick(wait - 2.0, Some(blank)).navigate, None, "not yet");
    assert_eq!(job.on_tick(wait, Some(blank)).navigate.as_deref(), Some(first.as_str()));
    assert_eq!(job.on_tick(wait + 1.0, Some(blank)).navigate, None, "only once");
    // On its page, or on the sign-in page (a redirect): never sent again.
    let mut job = Job::sweep(0.0, &Managed::default());
    assert_eq!(job.on_tick(wait, Some(&first)).navigate, None);
    assert_eq!(job.on_tick(wait, Some("https://www.linkedin.com/login?session_redirect=x")).navigate, None);
}
