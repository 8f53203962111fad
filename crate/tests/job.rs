//! The "Check all" planner and guided opt-out decisions.

use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::catalogue::{FAILURES, SETTINGS, SITE};
use opt_out_lens_core::detect::{scan, Candidate, Observation, Observed, PageFacts, Reason, ScanOutcome};
use opt_out_lens_core::job::{loaded_before, Directive, Event, Job, JobKind, JobStatus, Outcome, PageLoad, Refusal, Role};
use common::{go_of, Drive};
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
        assert_eq!((go_of(&d, Role::Main).as_deref(), d.finished), (None, false));
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
            assert_eq!(go_of(&d, Role::Main), visited[i + 1].url());
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
    assert_eq!(go_of(&d, Role::Main), SETTINGS[1].url());
    assert_eq!(outcomes(&job)[0], (SETTINGS[0].id.into(), Some(Outcome::Unknown), Some(Reason::NotFound)));
    // Page 2 never reports: the clock tries it once more, then moves on.
    assert_eq!(job.on_tick(6000.0 + f64::from(SITE.page_timeout_ms) - 1.0, None), Default::default());
    let t = 6000.0 + f64::from(SITE.page_timeout_ms) + 1.0;
    let d = job.on_tick(t, None);
    assert_eq!((go_of(&d, Role::Main).as_deref(), d.record.len()), (None, 0), "first timeout: wait, then try again");
    let t = t + f64::from(FAILURES.retry_wait_ms);
    assert_eq!(go_of(&job.on_tick(t, None), Role::Main), SETTINGS[1].url(), "the same page once more");
    assert_eq!(job.on_tick(t + f64::from(SITE.page_timeout_ms) - 1.0, None), Default::default());
    let d = job.on_tick(t + f64::from(SITE.page_timeout_ms) + 1.0, None);
    assert_eq!(go_of(&d, Role::Main), SETTINGS[2].url());
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
    let d = job.feed(None, Event::Cancel, 3.0);
    assert!(d.finished);
    assert_eq!(job.status, JobStatus::Cancelled);
    assert!(outcomes(&job)[1..].iter().all(|o| o.2 == Some(Reason::Cancelled)));
    assert_eq!(job.feed(None, Event::Cancel, 4.0), Default::default(), "cancelling twice does nothing");
}

/// Guided opt-out of `ids`, started as the background starts it.
fn opt_out(ids: &[&str]) -> Job {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    common::start("opt-out", Some(&ids), 0.0, &Managed::default()).0
}

/// A fresh load of `url` in the helper's tab, loaded at `loaded_at`, showing the AI switch.
fn proof_scan(job: &mut Job, url: &str, on: bool, loaded_at: f64, now: f64) -> Directive {
    let page = PageLoad { url: url.into(), loaded_at: Some(loaded_at), ..PageLoad::default() };
    job.on_helper_page(&page, &scan(&PageFacts { url: url.into(), elapsed_ms: 300.0, candidates: vec![switch("allowDataForGenerativeAI", on)], ..PageFacts::default() }), now)
}

/// Clicks the AI switch at time 1 and shows it off from time 2: the change holds on the page.
fn clicked_and_off(job: &mut Job, ai: &str) {
    let on = page(ai, vec![switch("allowDataForGenerativeAI", true)], 300.0);
    let d = job.on_scan(ai, &on, false, 1.0);
    let click = d.click.expect("clicked");
    assert_eq!((click.index, click.watch_ms), (0, SITE.click_watch_ms), "the rules say how long the page is watched");
    let d = job.on_scan(ai, &page(ai, vec![switch("allowDataForGenerativeAI", false)], 400.0), false, 2.0);
    assert!(d.discard_observations, "the clicked page is not LinkedIn's stored state");
    assert!(d.changed_by_extension.is_empty() && d.go.is_empty(), "nothing is concluded from the clicked page");
}

/// The time the proof's first fresh load is asked for (the change held on the page).
fn proof_time() -> f64 {
    2.0 + f64::from(SITE.click_verify_ms)
}

#[test]
fn opt_out_clicks_once_and_says_turned_off_only_on_a_fresh_load_of_the_page() {
    let mut job = opt_out(&["research", "ai-training"]);
    // Catalogue order, not request order.
    assert_eq!(job.steps.iter().map(|s| s.setting.as_str()).collect::<Vec<_>>(), ["ai-training", "research"]);
    let ai = job.current_url().expect("url");
    let decoy = switch("allowAiReplySuggestions", true);
    let d = job.on_scan(&ai, &page(&ai, vec![decoy.clone(), switch("allowDataForGenerativeAI", true)], 300.0), false, 1.0);
    assert_eq!(d.click.map(|c| c.index), Some(1), "the identified switch, never the decoy");
    // The next scan still shows it on (the page has not reacted yet): no second click.
    let d = job.on_scan(&ai, &page(&ai, vec![decoy.clone(), switch("allowDataForGenerativeAI", true)], 400.0), false, 2.0);
    assert_eq!(d.click, None);
    let d = job.on_scan(&ai, &page(&ai, vec![decoy, switch("allowDataForGenerativeAI", false)], 500.0), false, 3.0);
    assert!(d.changed_by_extension.is_empty() && d.discard_observations);
    // Held on the page for the verify time: its page is loaded afresh in the helper's tab,
    // the clicked tab stays where it is.
    assert_eq!(job.on_tick(3.0 + f64::from(SITE.click_verify_ms) - 1.0, Some(&ai)), Directive::default());
    let asked = 3.0 + f64::from(SITE.click_verify_ms);
    let d = job.on_tick(asked, Some(&ai));
    assert_eq!((go_of(&d, Role::Helper), go_of(&d, Role::Main)), (Some(ai.clone()), None));
    assert_eq!(d.go[0].tab, Some(common::HELPER_TAB), "the helper's tab is opened for it");
    // The clicked page's own readings prove nothing, however late.
    assert!(job.on_scan(&ai, &page(&ai, vec![switch("allowDataForGenerativeAI", false)], 9000.0), false, asked + 9000.0).changed_by_extension.is_empty());
    // A fresh load showing it off: turned off, and only now made through the extension.
    let d = proof_scan(&mut job, &ai, false, asked + 100.0, asked + 400.0);
    assert_eq!(d.changed_by_extension, vec!["ai-training".to_string()]);
    assert!(!d.discard_observations, "a fresh load is LinkedIn's stored state");
    assert_eq!(go_of(&d, Role::Main), SETTINGS.iter().find(|s| s.id == "research").and_then(|s| s.url()));
    // Already off: not clicked.
    let research = job.current_url().expect("url");
    let d = job.on_scan(&research, &page(&research, vec![switch("allowAnonymizedDataResearch", false)], 300.0), false, asked + 500.0);
    assert_eq!((d.click, d.finished), (None, true));
    assert_eq!(d.close, vec![common::MAIN_TAB, common::HELPER_TAB], "both tabs close");
    assert_eq!(
        outcomes(&job),
        vec![("ai-training".into(), Some(Outcome::TurnedOff), None), ("research".into(), Some(Outcome::AlreadyOff), None)]
    );
}

#[test]
fn a_change_linkedin_did_not_store_is_never_turned_off_whatever_the_clicked_page_shows() {
    // Every fresh load shows the old state while the clicked page shows the new one.
    let mut job = opt_out(&["ai-training"]);
    let ai = job.current_url().expect("url");
    clicked_and_off(&mut job, &ai);
    let mut now = proof_time();
    let mut reads = 0;
    while job.status == JobStatus::Running {
        let d = job.on_tick(now, Some(&ai));
        if go_of(&d, Role::Helper).is_some() {
            reads += 1;
            let d = proof_scan(&mut job, &ai, true, now + 1.0, now + 300.0);
            assert!(d.changed_by_extension.is_empty());
        }
        now += 100.0;
        assert!(now < 120_000.0, "bounded");
    }
    assert_eq!(reads, SITE.proof_reads, "a bounded number of fresh loads");
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::NotKept)));
    assert_eq!(common::en(&opt_out_lens_core::summary::job_summary(&job).results[0].text), "Data for Generative AI Improvement — failed: LinkedIn did not keep the change");

    // No fresh load ever answers: the clock alone proves nothing (not confirmed).
    let mut job = opt_out(&["ai-training"]);
    clicked_and_off(&mut job, &ai);
    let mut now = proof_time();
    while job.status == JobStatus::Running {
        job.on_tick(now, Some(&ai));
        now += 100.0;
        assert!(now < 200_000.0, "bounded");
    }
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::Unconfirmed)));
}

#[test]
fn a_slow_save_is_turned_off_once_a_fresh_load_shows_it() {
    let mut job = opt_out(&["ai-training"]);
    let ai = job.current_url().expect("url");
    clicked_and_off(&mut job, &ai);
    let mut now = proof_time();
    let mut reads = 0;
    let mut proven = None;
    while job.status == JobStatus::Running {
        let d = job.on_tick(now, Some(&ai));
        if go_of(&d, Role::Helper).is_some() {
            reads += 1;
            // LinkedIn stores it while the second fresh load is on its way.
            let d = proof_scan(&mut job, &ai, reads < 3, now + 1.0, now + 300.0);
            if !d.changed_by_extension.is_empty() {
                proven = Some(reads);
            }
        }
        now += 100.0;
        assert!(now < 120_000.0, "bounded");
    }
    assert_eq!(proven, Some(3));
    assert_eq!(outcomes(&job)[0].1, Some(Outcome::TurnedOff));
}

#[test]
fn a_late_scan_of_the_previous_fresh_load_decides_nothing() {
    let mut job = opt_out(&["ai-training"]);
    let ai = job.current_url().expect("url");
    clicked_and_off(&mut job, &ai);
    let first = proof_time();
    job.on_tick(first, Some(&ai));
    proof_scan(&mut job, &ai, true, first + 1.0, first + 300.0);
    let second = first + 300.0 + f64::from(SITE.proof_interval_ms);
    assert_eq!(go_of(&job.on_tick(second, Some(&ai)), Role::Helper), Some(ai.clone()));
    // The document loaded for the first read, scanned again: not the fresh load asked for.
    let d = proof_scan(&mut job, &ai, false, first + 1.0, second + 100.0);
    assert!(d.changed_by_extension.is_empty() && job.status == JobStatus::Running);
    let d = proof_scan(&mut job, &ai, false, second + 1.0, second + 300.0);
    assert_eq!(d.changed_by_extension, vec!["ai-training".to_string()]);
}

#[test]
fn opt_out_failures_are_reported_never_retried() {
    let mut job = opt_out(&["ai-training"]);
    let ai = job.current_url().expect("url");
    let on = || page(&ai, vec![switch("allowDataForGenerativeAI", true)], 300.0);
    assert!(job.on_scan(&ai, &on(), false, 1.0).click.is_some());
    for t in [2.0, 3.0, 4.0] {
        assert_eq!(job.on_scan(&ai, &on(), false, t).click, None);
    }
    let d = job.on_tick(1.0 + f64::from(SITE.click_settle_ms) + 1.0, None);
    assert!(d.finished);
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::DidNotChange)));

    // LinkedIn asks for confirmation: the tab is shown, the extension waits for the person.
    let mut job = opt_out(&["ai-training"]);
    assert!(job.on_scan(&ai, &on(), false, 1.0).click.is_some());
    let d = job.on_scan(&ai, &on(), true, 2.0);
    assert!(d.front == Some(common::MAIN_TAB) && d.click.is_none());
    assert!(job.awaiting_confirmation());
    assert!(!job.on_tick(1.0 + f64::from(SITE.click_settle_ms) + 1.0, None).finished, "waits longer for a person");
    job.on_tick(1.0 + f64::from(SITE.confirm_wait_ms) + 1.0, None);
    assert_eq!(outcomes(&job)[0].2, Some(Reason::NotConfirmed));

    // Two switches claim the setting in different states: nothing is clicked.
    let mut job = opt_out(&["ai-training"]);
    let two = page(&ai, vec![switch("allowDataForGenerativeAI", true), switch("allowDataForGenerativeAI", false)], 300.0);
    let d = job.on_scan(&ai, &two, false, 1.0);
    assert_eq!(d.click, None);
    assert_eq!(outcomes(&job)[0].1, Some(Outcome::Failed));

    // The switch is missing: failed, not found.
    let mut job = opt_out(&["ai-training"]);
    job.on_scan(&ai, &page(&ai, vec![], 9000.0), false, 1.0);
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::NotFound)));
}

#[test]
fn opt_out_refuses_unknown_or_no_settings() {
    let start = |ids: &[String]| Job::start("opt-out", Some(ids), None, 0.0, &Managed::default()).map(|_| ());
    assert_eq!(start(&[]), Err(Refusal::NoneChosen));
    assert_eq!(start(&["made-up".to_string()]), Err(Refusal::UnknownSetting));
}

#[test]
fn a_change_undone_on_the_clicked_page_is_a_failure_and_never_clicked_again() {
    let mut job = opt_out(&["ai-training"]);
    let ai = job.current_url().expect("url");
    clicked_and_off(&mut job, &ai);
    let d = job.on_scan(&ai, &page(&ai, vec![switch("allowDataForGenerativeAI", true)], 1000.0), false, 1000.0);
    assert_eq!((d.click, d.finished), (None, true), "never clicked again");
    assert_eq!(outcomes(&job)[0], ("ai-training".into(), Some(Outcome::Failed), Some(Reason::Reverted)));
    // Also while a fresh load is on its way.
    let mut job = opt_out(&["ai-training"]);
    clicked_and_off(&mut job, &ai);
    job.on_tick(proof_time(), Some(&ai));
    let d = job.on_scan(&ai, &page(&ai, vec![switch("allowDataForGenerativeAI", true)], 9000.0), false, proof_time() + 100.0);
    assert!(d.finished);
    assert_eq!(outcomes(&job)[0].2, Some(Reason::Reverted));
}

#[test]
fn managed_options_limit_the_sweep_and_can_forbid_opt_out() {
    let managed = Managed { watch_settings: Some(vec!["ai-training".into(), "research".into()]), allow_opt_out: Some(false), ..Managed::default() };
    let (job, _) = Job::start("sweep", None, None, 0.0, &managed).expect("started");
    // Both are on the Data privacy category page: it is read first.
    assert_eq!(job.steps[0].category.as_deref(), Some("privacy"));
    assert_eq!(job.steps.len(), 3, "no other category page lists two of them");
    assert_eq!(job.setting_steps().map(|s| s.setting.as_str()).collect::<Vec<_>>(), ["ai-training", "research"]);
    let refused = Job::start("opt-out", Some(&["ai-training".to_string()]), None, 0.0, &managed).map(|_| ()).expect_err("not allowed");
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
    assert_eq!(go_of(&job.on_tick(wait - 2.0, Some(blank)), Role::Main), None, "not yet");
    assert_eq!(go_of(&job.on_tick(wait, Some(blank)), Role::Main).as_deref(), Some(first.as_str()));
    assert_eq!(go_of(&job.on_tick(wait + 1.0, Some(blank)), Role::Main), None, "only once");
    // On its page, or on the sign-in page (a redirect): never sent again.
    let mut job = sweep();
    assert_eq!(go_of(&job.on_tick(wait, Some(&first)), Role::Main), None);
    assert_eq!(go_of(&job.on_tick(wait, Some("https://www.linkedin.com/login?session_redirect=x")), Role::Main), None);
}

// ---- pages that do not load -------------------------------------------------------------

/// How a page fails to load, as the background reports it.
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// The browser's error page: the tab loads, no content script answers.
    ErrorPage,
    /// LinkedIn answers with HTTP 500 (the content script reports the status).
    Http500,
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
            let switch_on = vec![switch(key_of(&job.steps[job.current().expect("running")].setting), true)];
            let outcome = page(url, switch_on, 300.0);
            ds.push(job.on_page(&PageLoad { url: url.into(), dialog_open: false, http_status: Some(500), loaded_at: None, ..PageLoad::default() }, &outcome, t));
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
        Failure::Stall => Reason::TimedOut,
    }
}

/// The failures a page is tried again after (LinkedIn's security check stops the job).
const ALL_FAILURES: [Failure; 3] = [Failure::ErrorPage, Failure::Http500, Failure::Stall];

#[test]
fn a_page_that_does_not_load_is_tried_exactly_once_more_then_recorded_with_its_reason() {
    for how in ALL_FAILURES {
        for kind in [JobKind::Sweep, JobKind::OptOut] {
            let ids: Vec<String> = SETTINGS.iter().take(2).map(|s| s.id.to_string()).collect();
            let kind_name = if kind == JobKind::Sweep { "sweep" } else { "opt-out" };
            let (mut job, _) = common::start(kind_name, Some(&ids), 0.0, &Managed::default());
            // One tab (a check's helper would read the second page meanwhile).
            job.feed(Some(common::HELPER_TAB), Event::Closed, 0.0);
            let url = job.current_url().expect("url").to_string();
            let what = format!("{how:?} during {kind:?}");
            let (ds, t) = fail_once(&mut job, how, &url, 1000.0);
            assert!(ds.iter().all(|d| go_of(d, Role::Main).is_none() && d.click.is_none() && d.record.is_empty() && !d.finished), "{what}: first failure waits: {ds:?}");
            assert_eq!(job.setting_steps().next().expect("step").failed_loads, 1, "{what}");
            assert_eq!(job.steps[0].outcome, None, "{what}: not decided after one failure");
            // The short wait, then the same page once more.
            assert_eq!(job.on_tick(t + f64::from(FAILURES.retry_wait_ms) - 1.0, Some(&url)), Directive::default(), "{what}");
            let t = t + f64::from(FAILURES.retry_wait_ms);
            let d = job.on_tick(t, Some(&url));
            assert_eq!(go_of(&d, Role::Main).as_deref(), Some(url.as_str()), "{what}: tried again");
            // Fails again: recorded, and the job moves on.
            let (ds, t) = fail_once(&mut job, how, &url, t + 10.0);
            let last = ds.last().expect("directive");
            assert_eq!(go_of(last, Role::Main), SETTINGS[1].url(), "{what}: next page");
            assert!(ds.iter().all(|d| d.click.is_none()), "{what}: nothing clicked on a page that did not load");
            assert_eq!(last.record, vec![Observation { setting: ids[0].clone(), observed: Observed::Unknown(reason_of(how)) }], "{what}");
            let expected = if kind == JobKind::Sweep { Outcome::Unknown } else { Outcome::Failed };
            assert_eq!(outcomes(&job)[0], (ids[0].clone(), Some(expected), Some(reason_of(how))), "{what}");
            assert_eq!(job.setting_steps().next().expect("step").failed_loads, 2, "{what}");
            assert_eq!(job.steps[0].ended_at, Some(t), "{what}: the attempt's time");
            // No third try: the clock long after does nothing more for that page.
            let d = job.on_tick(t + 10.0 * f64::from(SITE.page_timeout_ms), Some(&url));
            assert_ne!(go_of(&d, Role::Main).as_deref(), Some(url.as_str()), "{what}: never a third load");
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
        assert_eq!(go_of(&job.on_tick(t, Some(&url)), Role::Main).as_deref(), Some(url.as_str()));
        let d = job.on_page(&PageLoad { url: url.clone(), dialog_open: false, http_status: Some(200), loaded_at: None, ..PageLoad::default() }, &page(&url, vec![switch(key_of(SETTINGS[0].id), true)], 300.0), t + 500.0);
        assert_eq!(go_of(&d, Role::Main), SETTINGS[1].url(), "{how:?}");
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
    let mut job = opt_out(&[SETTINGS[0].id]);
    let url = job.current_url().expect("url").to_string();
    let on = page(&url, vec![switch(key_of(SETTINGS[0].id), true)], 300.0);
    let error = PageLoad { url: url.clone(), dialog_open: false, http_status: Some(503), loaded_at: None, ..PageLoad::default() };
    let d = job.on_page(&error, &on, 100.0);
    assert!(d.discard_observations && d.click.is_none());
    // The settle re-scan of the same error page, during the wait.
    let settled = page(&url, vec![switch(key_of(SETTINGS[0].id), true)], f64::from(SITE.settle_ms) + 1.0);
    let d = job.on_page(&error, &settled, 1000.0);
    assert!(d.discard_observations && d.click.is_none() && d.record.is_empty() && go_of(&d, Role::Main).is_none());
    assert_eq!((job.setting_steps().next().expect("step").failed_loads, job.steps[0].outcome), (1, None));
    // A late checkpoint event during the wait counts for nothing either.
    assert_eq!(job.on_tab_loaded(CHECKPOINT, true, 1100.0), Directive::default());
    assert_eq!(job.setting_steps().next().expect("step").failed_loads, 1);
}

#[test]
fn a_checkpoint_seen_on_the_clock_counts_once_the_tab_had_time_to_leave_and_stops_the_job() {
    let mut job = sweep();
    // Just after the navigation the tab may still show where it was: not yet.
    assert_eq!(job.on_tick(10.0, Some(CHECKPOINT)), Directive::default());
    assert_eq!(job.status, JobStatus::Running);
    let d = job.on_tick(f64::from(SITE.renavigate_ms) + 1.0, Some(CHECKPOINT));
    assert!(d.finished && d.go.is_empty(), "no other page is loaded after it");
    assert_eq!((job.status, job.stop_reason), (JobStatus::Stopped, Some(Reason::Checkpoint)));
    // LinkedIn's sign-in page under /checkpoint/ is a sign-in page, not a security check.
    assert!(!opt_out_lens_core::job::is_checkpoint("https://www.linkedin.com/checkpoint/lg/login?session_redirect=x"));
    assert!(opt_out_lens_core::job::is_checkpoint(CHECKPOINT));
    assert!(!opt_out_lens_core::job::is_checkpoint("https://example.com/checkpoint/challenge/x"));
}

#[test]
fn the_security_check_stops_the_whole_job_at_once_and_keeps_what_was_read() {
    for kind in ["sweep", "opt-out"] {
        let ids: Vec<String> = SETTINGS.iter().filter(|s| s.kind == opt_out_lens_core::catalogue::Kind::Switch).take(3).map(|s| s.id.to_string()).collect();
        let (mut job, _) = common::start(kind, Some(&ids), 0.0, &Managed::default());
        let first = job.current_url().expect("url");
        // The first page is read (already off, for the opt-out).
        job.on_scan(&first, &scan(&facts_showing(&first, &ids[0], false)), false, 100.0);
        let second = job.current_url().expect("url");
        assert_ne!(first, second);
        // The next page answers with the security check, in whichever tab: at once, the end.
        let d = job.on_tab_loaded(CHECKPOINT, true, 200.0);
        assert!(d.finished, "{kind}: stopped at once");
        assert!(d.go.is_empty(), "{kind}: not loaded again, nothing after it");
        assert!(d.close.contains(&common::MAIN_TAB), "{kind}: its tabs close");
        assert_eq!((job.status, job.stop_reason), (JobStatus::Stopped, Some(Reason::Checkpoint)), "{kind}");
        let o = outcomes(&job);
        assert!(matches!(o[0].1, Some(Outcome::Off | Outcome::AlreadyOff)), "{kind}: what was read is kept: {o:?}");
        assert!(o[1..].iter().all(|x| x.2 == Some(Reason::Checkpoint)), "{kind}: {o:?}");
        let words = opt_out_lens_core::summary::job_summary(&job).sentences.iter().map(common::en).collect::<Vec<_>>().join(" ");
        assert!(words.starts_with("Stopped: LinkedIn asked you to verify it’s you, so no further page was opened (1 of 3 done)."), "{kind}: {words}");
        // "Try the failed ones again" reads what is left.
        if kind == "sweep" {
            assert_eq!(job.retry_ids(), ids[1..].to_vec());
        }
        assert_eq!(job.on_tick(10_000.0, Some(CHECKPOINT)).go, vec![], "{kind}: the clock loads nothing after it");
    }
}

#[test]
fn starting_jobs_refuses_with_typed_reasons() {
    let m = Managed::default();
    let (running, _) = common::start("sweep", None, 0.0, &m);
    let refused = |r: Result<(Job, Directive), Refusal>| r.map(|_| ()).expect_err("refused");
    assert_eq!(refused(Job::start("sweep", None, Some(&running), 1.0, &m)), Refusal::Busy);
    assert_eq!(refused(Job::start("dance", None, None, 1.0, &m)), Refusal::UnknownKind);
    assert_eq!(refused(Job::start("opt-out", None, None, 1.0, &m)), Refusal::NoneChosen);
    assert_eq!(refused(Job::start("sweep", Some(&["nope".to_string()]), None, 1.0, &m)), Refusal::UnknownSetting);
    let (again, _) = Job::start("sweep", Some(&[SETTINGS[3].id.to_string(), SETTINGS[1].id.to_string()]), None, 1.0, &m).expect("recheck");
    assert_eq!(again.steps.iter().map(|s| s.setting.as_str()).collect::<Vec<_>>(), [SETTINGS[1].id, SETTINGS[3].id], "catalogue order");
    assert_eq!(again.kind, JobKind::Sweep);
    let mut done = running.clone();
    done.on(None, Event::Cancel, 2.0);
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
        let Some(url) = job.current_url() else { break };
        t += 100.0;
        let id = job.steps[job.current().expect("running")].setting.clone();
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
    let mut job = common::start("opt-out", Some(&ids), 0.0, &Managed::default()).0;
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
    let mut job = common::start("opt-out", Some(&ids[..1]), 0.0, &Managed::default()).0;
    let url = job.current_url().expect("url").to_string();
    let d = job.on_scan(&url, &page(&url, vec![switch(key_of("ai-training"), true)], 300.0), false, 1.0);
    assert_eq!(d.click.map(|c| c.index), Some(0));
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
        assert_eq!(Job::start("opt-out", Some(&ids), None, 0.0, &Managed::default()).map(|_| ()), Err(Refusal::UnknownSetting), "{id}");
    }
}

#[test]
fn two_settings_on_one_page_a_late_scan_of_the_page_before_the_reload_decides_nothing() {
    // The promotions page holds two switches, so the second step sends the tab to the URL
    // it is already on. A scan of the old document arriving after that (its verify re-scans
    // run on) must not be taken for the reloaded page: a click decided on it would land on a
    // page being replaced, and the step would end "did not change".
    let ids = vec!["marketing-promotions".to_string(), "marketing-emails".to_string()];
    let mut job = common::start("opt-out", Some(&ids), 0.0, &Managed::default()).0;
    let url = job.current_url().expect("url").to_string();
    assert_eq!(job.steps[1].url, url, "both on one page");
    let (promo, emails) = (key_of("marketing-promotions"), key_of("marketing-emails"));
    let load = |at: f64| PageLoad { url: url.clone(), dialog_open: false, http_status: Some(200), loaded_at: Some(at), ..PageLoad::default() };
    let first = load(100.0);
    let both = |p: bool, e: bool| page(&url, vec![switch(promo, p), switch(emails, e)], 300.0);
    let d = job.on_page(&first, &both(true, true), 400.0);
    assert_eq!(d.click.map(|c| c.index), Some(0));
    job.on_page(&first, &both(false, true), 600.0);
    // Proven by a fresh load in the helper's tab; the main lane moves on to the second
    // setting, on the same page.
    let asked = 600.0 + f64::from(SITE.click_verify_ms);
    assert_eq!(go_of(&job.on_tick(asked, Some(&url)), Role::Helper).as_deref(), Some(url.as_str()));
    let fresh = PageLoad { loaded_at: Some(asked + 10.0), ..load(0.0) };
    let d = job.on_helper_page(&fresh, &both(false, true), asked + 300.0);
    assert_eq!(d.changed_by_extension, vec!["marketing-promotions".to_string()]);
    let moved = asked + 300.0;
    assert_eq!(go_of(&d, Role::Main).as_deref(), Some(url.as_str()), "on to the second setting, same page");
    // The old document, scanned again after the move: nothing is decided on it.
    let d = job.on_page(&first, &both(false, true), moved + 200.0);
    assert_eq!(d.click, None, "no click on the page being replaced");
    assert_eq!(job.steps[1].change, opt_out_lens_core::job::Change::Untouched);
    // The reloaded page: the click is decided there.
    let d = job.on_page(&load(moved + 30.0), &both(false, true), moved + 400.0);
    assert_eq!(d.click.map(|c| c.index), Some(1));
    // Without a load time (an older page script), scans count as before.
    let mut job2 = common::start("opt-out", Some(&ids), 0.0, &Managed::default()).0;
    let none = PageLoad { loaded_at: None, ..load(0.0) };
    assert_eq!(job2.on_page(&none, &both(true, true), 400.0).click.map(|c| c.index), Some(0));
    // A first page, or a page after one of another URL, is never judged by its load time
    // (a browser may date a document after an error page early).
    let mut job3 = common::start("opt-out", Some(&ids), 1000.0, &Managed::default()).0;
    assert_eq!(job3.on_page(&load(10.0), &both(true, true), 1400.0).click.map(|c| c.index), Some(0));
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
    let mut job = common::start("sweep", None, 0.0, &Managed::default()).0;
    let url = job.current_url().expect("url").to_string();
    assert!(url.ends_with("/mypreferences/d/categories/ads"), "{url}");
    let login = "https://www.linkedin.com/login?session_redirect=%2Fmypreferences%2Fd%2Fcategories%2Fads";
    let d = job.on_scan(login, &scan(&PageFacts { url: login.into(), ..PageFacts::default() }), false, 10.0);
    assert!(d.finished && d.discard_observations);
    assert_eq!((job.status, job.stop_reason), (JobStatus::Stopped, Some(Reason::NotLoggedIn)));
    // A category page still rendering (no link yet) decides nothing.
    let mut job = common::start("sweep", None, 0.0, &Managed::default()).0;
    let url = job.current_url().expect("url").to_string();
    let d = job.on_scan(&url, &scan(&PageFacts { url: url.clone(), elapsed_ms: 100.0, lang: "en".into(), ..PageFacts::default() }), false, 10.0);
    assert_eq!(d, Directive::default());
    assert_eq!(job.current(), Some(0));
}

#[test]
fn two_settings_on_one_page_are_read_in_one_load_when_both_switches_show() {
    let mate_of = |job: &Job| {
        let steps: Vec<_> = job.setting_steps().collect();
        let i = steps.iter().position(|s| steps.iter().any(|t| t.setting != s.setting && t.url == s.url)).expect("two settings share a page");
        (steps[i].setting.clone(), steps[i + 1].setting.clone(), steps[i].url.clone())
    };
    for both_shown in [true, false] {
        let (first, second, url) = mate_of(&sweep());
        // "Try the failed ones again" for the two: the helper has nothing but the main
        // lane's page, so it goes.
        let (mut job, d) = common::start("sweep", Some(&[first.clone(), second.clone()]), 0.0, &Managed::default());
        assert_eq!((go_of(&d, Role::Main), go_of(&d, Role::Helper)), (Some(url.clone()), None));
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
            assert_ne!(go_of(&d, Role::Main).as_deref(), Some(url.as_str()));
        } else {
            // Not shown: never guessed, its own step loads the page again.
            assert_eq!(outcome(&second), None);
            assert_eq!(go_of(&d, Role::Main).as_deref(), Some(url.as_str()));
        }
    }
}
