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
use opt_out_lens_core::category::{self, LinkFact};
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

/// What the category pages show beside each setting's link.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Words {
    /// No state word (LinkedIn's layout changed).
    None,
    /// The state in the page's language: en "On"/"Off", de "Ein"/"Aus".
    En,
    De,
    /// nl "Uit", a word with weak evidence (and "Aan", which the rules do not know).
    Nl,
}

/// A LinkedIn account: every switch on, the given pages failing; loads and clicks counted.
/// Pages are named by setting id, a category page by `category:<id>`.
struct Site {
    failing: HashMap<String, Behaviour>,
    /// What the category pages show.
    words: Words,
    /// Rows whose state is an odd word instead ("3 selected"), by setting id.
    odd: Vec<String>,
    on: HashMap<String, bool>,
    /// Page loads per setting: each navigation counts for the step the job is then on.
    loads: HashMap<String, u32>,
    clicks: HashMap<String, u32>,
    records: Vec<(f64, Observation)>,
    /// Whether the job gets its helper tab before it runs.
    two_tabs: bool,
}

impl Site {
    fn new(failing: &[(String, Behaviour)]) -> Site {
        Site {
            failing: failing.iter().cloned().collect(),
            words: Words::None,
            odd: Vec::new(),
            on: SETTINGS.iter().map(|s| (s.id.to_string(), true)).collect(),
            loads: HashMap::new(),
            clicks: HashMap::new(),
            records: Vec::new(),
            two_tabs: false,
        }
    }
    fn with_two_tabs(mut self, two_tabs: bool) -> Site {
        self.two_tabs = two_tabs;
        self
    }
    fn setting_at(url: &str) -> String {
        if let Some(p) = category::pages().iter().find(|p| SITE.at(p.path) == url) {
            return format!("category:{}", p.id);
        }
        SETTINGS.iter().find(|s| s.url().as_deref() == Some(url)).map(|s| s.id.to_string()).expect("a catalogued page")
    }
    /// What the page script reports of the page at `url`, `elapsed` ms after it loaded:
    /// the switch of every setting on that page (two settings may share one); on a category
    /// page, a link to each setting it lists, the state word beside it.
    fn facts(&self, url: &str, elapsed: f64) -> PageFacts {
        if let Some(p) = category::pages().iter().find(|p| SITE.at(p.path) == url) {
            let lang = match self.words {
                Words::De => "de-DE",
                Words::Nl => "nl",
                _ => "en",
            };
            let links = category::readable_settings(p)
                .map(|s| {
                    let on = self.on[s.id];
                    let word = match self.words {
                        _ if self.odd.iter().any(|o| o == s.id) => Some("3 selected"),
                        Words::None => None,
                        Words::En => Some(if on { "On" } else { "Off" }),
                        Words::De => Some(if on { "Ein" } else { "Aus" }),
                        Words::Nl => Some(if on { "Aan" } else { "Uit" }),
                    };
                    let mut row_texts = vec![s.title.to_string()];
                    row_texts.extend(word.map(String::from));
                    LinkFact { href: s.paths[0].into(), text: s.title.into(), row_texts }
                })
                .collect();
            return PageFacts { url: url.into(), elapsed_ms: elapsed, lang: lang.into(), links, ..PageFacts::default() };
        }
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

/// A tab of the job: which page it was sent to, when, and what it has reported so far.
struct Tab {
    url: String,
    loaded_at: f64,
    load_event_sent: bool,
}

const MAIN_TAB: f64 = 1.0;
const HELPER_TAB: f64 = 2.0;

/// Runs `job` to its end as the background would, against `site`, with its helper tab
/// when it has one; returns the end time.
fn run(job: &mut Job, site: &mut Site, start: f64) -> f64 {
    if site.two_tabs {
        *job = job.clone().with_helper(start);
        assert!(job.helper.is_some(), "a check gets its helper");
    }
    let first = job.current_url().expect("a first page").to_string();
    *site.loads.entry(page_of(job)).or_default() += 1;
    job.tab_id = Some(MAIN_TAB);
    let mut tabs: Vec<(f64, Tab)> = vec![(MAIN_TAB, Tab { url: first, loaded_at: start, load_event_sent: false })];
    if let Some(url) = job.helper.as_mut().and_then(|h| {
        h.tab_id = Some(HELPER_TAB);
        h.url.clone()
    }) {
        *site.loads.entry(Site::setting_at(&url)).or_default() += 1;
        tabs.push((HELPER_TAB, Tab { url, loaded_at: start, load_event_sent: false }));
    }
    let mut now = start;
    // Bounded: every page at most twice, each within the page timeout plus the retry wait.
    let limit = start + 2.0 * (SETTINGS.len() as f64) * (f64::from(SITE.page_timeout_ms) + f64::from(FAILURES.retry_wait_ms) + 10_000.0);
    while job.status == JobStatus::Running {
        now += STEP_MS;
        assert!(now < limit, "the job did not end by {limit} ms: {:?}", job.steps.iter().map(|s| (&s.setting, s.outcome)).collect::<Vec<_>>());
        // The two tabs never work on one page.
        if let (Some(h), Some(m)) = (job.helper.as_ref().and_then(|h| h.url.as_deref()), job.steps.get(job.current)) {
            assert!(m.started_at.is_none() || m.url != h, "both tabs on {h}");
        }
        let mut ds: Vec<(f64, Directive)> = Vec::new();
        let mut shown: Vec<String> = Vec::new();
        for (id, tab) in tabs.iter_mut() {
            let tab_id = Some(*id);
            let elapsed = now - tab.loaded_at;
            let setting = Site::setting_at(&tab.url);
            let behaviour = site.failing.get(&setting).copied();
            match behaviour {
                Some(Behaviour::Stall) => {}
                Some(Behaviour::Reset) if !tab.load_event_sent => {
                    tab.load_event_sent = true;
                    ds.push((*id, job.on_tab_loaded_in(tab_id, &tab.url, false, now)));
                }
                Some(Behaviour::Checkpoint) if !tab.load_event_sent => {
                    tab.load_event_sent = true;
                    ds.push((*id, job.on_tab_loaded_in(tab_id, CHECKPOINT, true, now)));
                }
                Some(Behaviour::Http500) if elapsed >= 300.0 && !tab.load_event_sent => {
                    tab.load_event_sent = true;
                    let outcome = scan(&site.facts(&tab.url, elapsed));
                    ds.push((*id, job.on_page_in(tab_id, &PageLoad { url: tab.url.clone(), dialog_open: false, http_status: Some(500), loaded_at: None, taken_at: None }, &outcome, now)));
                }
                Some(_) => {}
                None if elapsed >= 300.0 => {
                    if !tab.load_event_sent {
                        tab.load_event_sent = true;
                        ds.push((*id, job.on_tab_loaded_in(tab_id, &tab.url, true, now)));
                    }
                    // The page script scans the page as it is now (after a click, the switch's new state).
                    let outcome = scan(&site.facts(&tab.url, elapsed));
                    ds.push((*id, job.on_page_in(tab_id, &PageLoad { url: tab.url.clone(), dialog_open: false, http_status: Some(200), loaded_at: None, taken_at: None }, &outcome, now)));
                }
                None => {}
            }
            shown.push(if behaviour == Some(Behaviour::Checkpoint) && tab.load_event_sent { CHECKPOINT.to_string() } else { tab.url.clone() });
        }
        ds.push((MAIN_TAB, job.on_ticks(now, shown.first().map(String::as_str), shown.get(1).map(String::as_str))));
        for (from, d) in ds {
            for o in &d.record {
                site.records.push((now, o.clone()));
            }
            if let Some(i) = d.click {
                let tab = &tabs.iter().find(|(id, _)| *id == from).expect("the tab").1;
                let id = Site::setting_at(&tab.url);
                assert_eq!(from, MAIN_TAB, "only the job's own tab clicks");
                assert!(!site.failing.contains_key(&id), "{id}: clicked on a page that did not load");
                // The i-th switch of the page, as in `facts`; LinkedIn turns it off.
                let here: Vec<_> = SETTINGS.iter().filter(|s| s.url().as_deref() == Some(tab.url.as_str()) && s.kind == Kind::Switch).collect();
                let clicked = here[i].id.to_string();
                *site.clicks.entry(clicked.clone()).or_default() += 1;
                site.on.insert(clicked, false);
            }
            if let Some(next) = d.navigate {
                // A load for the step the job is on now (two settings may share a page: one load each).
                *site.loads.entry(page_of(job)).or_default() += 1;
                tabs[0].1 = Tab { url: next, loaded_at: now, load_event_sent: false };
            }
            if let Some(next) = d.helper_navigate {
                assert!(tabs.len() == 2 || job.helper.is_some(), "the helper navigates only while it exists");
                *site.loads.entry(Site::setting_at(&next)).or_default() += 1;
                let tab = Tab { url: next, loaded_at: now, load_event_sent: false };
                match tabs.get_mut(1) {
                    Some(t) => t.1 = tab,
                    None => {
                        job.helper.as_mut().expect("a helper").tab_id = Some(HELPER_TAB);
                        tabs.push((HELPER_TAB, tab));
                    }
                }
            }
            if let Some(closed) = d.close_tab {
                assert_eq!(closed, HELPER_TAB, "only the helper's tab is closed by a directive");
                tabs.truncate(1);
            }
            if d.finished {
                break;
            }
        }
    }
    assert!(job.helper.is_none(), "an ended job has no helper left");
    now
}

/// The page the job is on: its setting, or `category:<id>`.
fn page_of(job: &Job) -> String {
    let step = &job.steps[job.current];
    step.category.as_ref().map_or_else(|| step.setting.clone(), |c| format!("category:{c}"))
}

fn loads_of(site: &Site, id: &str) -> u32 {
    site.loads.get(id).copied().unwrap_or(0)
}

/// Whether `id` shares its page with a setting read before it (the promotions page): the
/// load that read the first reads it too.
fn page_mate(job: &Job, id: &str) -> bool {
    let steps: Vec<_> = job.setting_steps().collect();
    let i = steps.iter().position(|s| s.setting == id).expect("a step");
    steps[..i].iter().any(|s| s.url == steps[i].url)
}

/// A setting read on its own page loads it once, unless a page mate's load read it.
fn own_loads(job: &Job, id: &str) -> u32 {
    u32::from(!page_mate(job, id))
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
    // As the popup starts it: with the helper tab reading from the end of the list.
    let mut job = Job::start("sweep", None, None, 0.0, &Managed::default()).expect("a check");
    assert!(job.helper.as_ref().is_some_and(|h| h.url.is_some()), "the helper starts at once: {:?}", job.helper);
    let steps = job.setting_steps().count();
    // The category pages show no state word: the first one is read, the others skipped,
    // and every setting goes page by page.
    let mut site = Site::new(&failing);
    let end = run(&mut job, &mut site, 0.0);
    assert_eq!(job.status, JobStatus::Finished);
    assert_eq!(loads_of(&site, "category:ads"), 1);
    assert_eq!(site.loads.keys().filter(|k| k.starts_with("category:")).count(), 1, "loads {:?}", site.loads);
    for s in job.setting_steps() {
        let f = failing.iter().find(|(x, _)| x == &s.setting);
        assert_eq!(loads_of(&site, &s.setting), if f.is_some() { 2 } else { own_loads(&job, &s.setting) }, "{}: loads {:?}", s.setting, site.loads);
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

// ---- category pages ---------------------------------------------------------------------

/// Varied states: every third setting off.
fn varied(site: &mut Site) {
    for (i, s) in SETTINGS.iter().enumerate() {
        site.on.insert(s.id.to_string(), i % 3 != 0);
    }
}

/// Every setting's result is what the site shows (a connection's entry: on).
fn assert_states_match(job: &Job, site: &Site) {
    for s in job.setting_steps() {
        let expected = if site.on[s.setting.as_str()] { Outcome::On } else { Outcome::Off };
        assert_eq!((s.outcome, s.reason), (Some(expected), None), "{}", s.setting);
    }
}

/// The settings the category pages in the plan can settle.
fn settled_by(pages: &[&str]) -> Vec<&'static str> {
    pages.iter().flat_map(|p| category::readable_settings(category::page(p).expect("page")).map(|s| s.id)).collect()
}

#[test]
fn check_all_reads_the_category_pages_first_and_visits_only_what_they_did_not_settle() {
    // With one tab, and with the helper tab as "Check all" runs.
    check_all_reads_the_category_pages_first_and_visits_only_what_they_did_not_settle_in(false);
    check_all_reads_the_category_pages_first_and_visits_only_what_they_did_not_settle_in(true);
}

fn check_all_reads_the_category_pages_first_and_visits_only_what_they_did_not_settle_in(two_tabs: bool) {
    for words in [Words::En, Words::De] {
        let mut job = Job::sweep(0.0, &Managed::default());
        // Ads and Data privacy list two or more of its settings; Visibility lists one (its own
        // page costs the same), the others none.
        let plan: Vec<_> = job.steps.iter().filter_map(|s| s.category.as_deref()).collect();
        assert_eq!(plan, ["ads", "privacy"]);
        let mut site = Site::new(&[]).with_two_tabs(two_tabs);
        site.words = words;
        varied(&mut site);
        run(&mut job, &mut site, 0.0);
        assert_eq!(job.status, JobStatus::Finished);
        assert_states_match(&job, &site);
        let settled = settled_by(&["ads", "privacy"]);
        assert!(settled.len() >= 10, "{settled:?}");
        for s in job.setting_steps() {
            let expected = if settled.contains(&s.setting.as_str()) { 0 } else { own_loads(&job, &s.setting) };
            assert_eq!(loads_of(&site, &s.setting), expected, "{words:?} {}: loads {:?}", s.setting, site.loads);
        }
        assert_eq!((loads_of(&site, "category:ads"), loads_of(&site, "category:privacy")), (1, 1));
        let total: u32 = site.loads.values().sum();
        // Two settings share the promotions page: one load reads both.
        let mates = job.setting_steps().filter(|s| page_mate(&job, &s.setting)).count();
        assert_eq!(mates, 1, "the promotions page's second setting");
        assert_eq!(total as usize, 2 + job.setting_steps().count() - settled.len() - mates, "{words:?}: loads {:?}", site.loads);
        assert!(site.records.is_empty());
        let n = job.setting_steps().count();
        assert_eq!(
            sentence(&job),
            format!(
                "Checked all {n} settings. {} more settings are out of any check’s reach: see their rows.",
                opt_out_lens_core::catalogue::SETTINGS.len() - n
            )
        );
    }
}

#[test]
fn a_first_category_page_without_a_confirmed_word_costs_one_load_then_goes_page_by_page() {
    // With one tab, and with the helper tab as "Check all" runs.
    a_first_category_page_without_a_confirmed_word_costs_one_load_then_goes_page_by_page_in(false);
    a_first_category_page_without_a_confirmed_word_costs_one_load_then_goes_page_by_page_in(true);
}

fn a_first_category_page_without_a_confirmed_word_costs_one_load_then_goes_page_by_page_in(two_tabs: bool) {
    // No word at all, and nl's weak "Uit" (with "Aan", which no rule knows): nothing is
    // settled, never a guessed "off"; the other category pages are skipped.
    for words in [Words::None, Words::Nl] {
        let mut job = Job::sweep(0.0, &Managed::default());
        let mut site = Site::new(&[]).with_two_tabs(two_tabs);
        site.words = words;
        varied(&mut site);
        run(&mut job, &mut site, 0.0);
        assert_eq!(job.status, JobStatus::Finished);
        assert_states_match(&job, &site);
        assert_eq!(loads_of(&site, "category:ads"), 1, "{words:?}");
        assert_eq!(loads_of(&site, "category:privacy"), 0, "{words:?}: skipped");
        let privacy = job.steps.iter().find(|s| s.category.as_deref() == Some("privacy")).expect("planned");
        assert_eq!(privacy.outcome, Some(Outcome::Skipped));
        for s in job.setting_steps() {
            assert_eq!(loads_of(&site, &s.setting), own_loads(&job, &s.setting), "{words:?} {}", s.setting);
        }
    }
}

#[test]
fn an_odd_word_leaves_its_setting_to_its_own_page() {
    // With one tab, and with the helper tab as "Check all" runs.
    an_odd_word_leaves_its_setting_to_its_own_page_in(false);
    an_odd_word_leaves_its_setting_to_its_own_page_in(true);
}

fn an_odd_word_leaves_its_setting_to_its_own_page_in(two_tabs: bool) {
    let mut job = Job::sweep(0.0, &Managed::default());
    let mut site = Site::new(&[]).with_two_tabs(two_tabs);
    site.words = Words::En;
    site.odd = vec!["ads-beyond-linkedin".into()];
    varied(&mut site);
    run(&mut job, &mut site, 0.0);
    assert_states_match(&job, &site);
    assert_eq!(loads_of(&site, "ads-beyond-linkedin"), 1);
    assert_eq!(loads_of(&site, "ads-inferred-age"), 0);
    assert_eq!(loads_of(&site, "category:privacy"), 1, "words were seen on the first page: the others are read");
}

#[test]
fn a_category_page_that_does_not_load_is_tried_once_more_then_its_settings_go_page_by_page() {
    // With one tab, and with the helper tab as "Check all" runs.
    a_category_page_that_does_not_load_is_tried_once_more_then_its_settings_go_page_by_page_in(false);
    a_category_page_that_does_not_load_is_tried_once_more_then_its_settings_go_page_by_page_in(true);
}

fn a_category_page_that_does_not_load_is_tried_once_more_then_its_settings_go_page_by_page_in(two_tabs: bool) {
    for how in [Behaviour::Reset, Behaviour::Http500, Behaviour::Checkpoint, Behaviour::Stall] {
        let mut job = Job::sweep(0.0, &Managed::default());
        let mut site = Site::new(&[("category:ads".to_string(), how)]).with_two_tabs(two_tabs);
        site.words = Words::En;
        varied(&mut site);
        run(&mut job, &mut site, 0.0);
        assert_eq!(job.status, JobStatus::Finished, "{how:?}");
        assert_states_match(&job, &site);
        assert_eq!(loads_of(&site, "category:ads"), 2, "{how:?}: tried once more");
        assert_eq!(loads_of(&site, "category:privacy"), 1, "{how:?}: the next one is the first read");
        let ads = job.steps.iter().find(|s| s.category.as_deref() == Some("ads")).expect("planned");
        assert_eq!((ads.outcome, ads.reason), (Some(Outcome::Unknown), Some(how.reason())), "{how:?}");
        for id in settled_by(&["ads"]) {
            assert_eq!(loads_of(&site, id), 1, "{how:?} {id}: page by page");
        }
        for id in settled_by(&["privacy"]) {
            assert_eq!(loads_of(&site, id), 0, "{how:?} {id}: read on Data privacy");
        }
        assert!(site.records.is_empty(), "{how:?}: a category page records nothing: {:?}", site.records);
        let sum = job_summary(&job);
        assert!(sum.retry.is_empty(), "{how:?}: nothing left to retry");
        let n = job.setting_steps().count();
        assert_eq!(
            sentence(&job),
            format!(
                "Checked all {n} settings. {} more settings are out of any check’s reach: see their rows.",
                opt_out_lens_core::catalogue::SETTINGS.len() - n
            ),
            "{how:?}"
        );
    }
}

#[test]
fn the_helper_tab_shortens_a_check_and_loads_nothing_twice() {
    // Without state words every setting goes page by page (about half the time with two
    // tabs); with them the helper reads the pages no category page lists meanwhile.
    for (words, at_most) in [(Words::None, 0.6), (Words::En, 0.75)] {
        let one_tab = {
            let mut job = Job::sweep(0.0, &Managed::default());
            let mut site = Site::new(&[]);
            site.words = words;
            varied(&mut site);
            let end = run(&mut job, &mut site, 0.0);
            (end, site.loads.clone())
        };
        let mut job = Job::sweep(0.0, &Managed::default()).with_helper(0.0);
        let mut site = Site::new(&[]);
        site.words = words;
        varied(&mut site);
        let end = run(&mut job, &mut site, 0.0);
        assert_eq!(job.status, JobStatus::Finished);
        assert_states_match(&job, &site);
        // The same pages, each loaded as often as by one tab (once, or once for two settings).
        assert_eq!(site.loads, one_tab.1, "{words:?}");
        assert!(end <= at_most * one_tab.0, "{words:?}: two tabs took {end} ms, one tab {} ms", one_tab.0);
    }
}

#[test]
fn the_helper_tab_closed_or_signed_out_ends_only_what_it_should() {
    // Closed: the helper's page goes back to the job's tab, and the check finishes.
    let mut job = Job::sweep(0.0, &Managed::default()).with_helper(0.0);
    job.tab_id = Some(MAIN_TAB);
    job.helper.as_mut().expect("a helper").tab_id = Some(HELPER_TAB);
    let left = job.helper.as_ref().and_then(|h| h.url.clone()).expect("the helper's first page");
    let d = job.on_tab_closed(HELPER_TAB, 10.0);
    assert_eq!((job.status, job.helper.is_none(), d.close_tab), (JobStatus::Running, true, None));
    let mut site = Site::new(&[]);
    site.words = Words::En;
    varied(&mut site);
    run(&mut job, &mut site, 10.0);
    assert_eq!(job.status, JobStatus::Finished);
    assert_states_match(&job, &site);
    assert_eq!(loads_of(&site, &Site::setting_at(&left)), 1, "read by the job's own tab");
    // Signed out in the helper's tab: the check stops and nothing seen there is stored.
    let mut job = Job::sweep(0.0, &Managed::default()).with_helper(0.0);
    job.tab_id = Some(MAIN_TAB);
    job.helper.as_mut().expect("a helper").tab_id = Some(HELPER_TAB);
    let url = job.helper.as_ref().and_then(|h| h.url.clone()).expect("a page");
    let path = url.trim_start_matches("https://www.linkedin.com").replace('/', "%2F");
    let login = &format!("https://www.linkedin.com/login?session_redirect={path}");
    let facts = PageFacts { url: login.into(), ..PageFacts::default() };
    let d = job.on_page_in(Some(HELPER_TAB), &PageLoad { url: login.into(), ..PageLoad::default() }, &scan(&facts), 20.0);
    assert!(d.finished && d.discard_observations, "{d:?}");
    assert_eq!((job.status, job.stop_reason), (JobStatus::Stopped, Some(Reason::NotLoggedIn)));
    assert_eq!(d.close_tab, Some(HELPER_TAB), "the helper's tab is closed with the job");
}

#[test]
fn while_two_tabs_read_the_popup_names_both_pages() {
    let mut job = Job::sweep(0.0, &Managed::default()).with_helper(0.0);
    let helper = job.helper.as_ref().and_then(|h| h.url.clone()).expect("the helper's page");
    let id = Site::setting_at(&helper);
    let both = job_summary(&job).current.as_ref().map(common::en).expect("a current page");
    assert_eq!(both, format!("LinkedIn's Advertising data page; {}", title(&id)));
    // Once the helper is gone, only the job's tab's page.
    job.tab_id = Some(MAIN_TAB);
    job.helper.as_mut().expect("a helper").tab_id = Some(HELPER_TAB);
    job.on_tab_closed(HELPER_TAB, 1.0);
    assert_eq!(job_summary(&job).current.as_ref().map(common::en).as_deref(), Some("LinkedIn's Advertising data page"));
}
