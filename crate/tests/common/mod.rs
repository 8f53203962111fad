//! Renders the core's texts in English from the extension's own i18n catalogue, so tests
//! read as sentences and check that every message the core names exists.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::OnceLock;

use opt_out_lens_core::text::Text;

/// The English messages: name -> message.
pub fn english() -> &'static HashMap<String, String> {
    static MESSAGES: OnceLock<HashMap<String, String>> = OnceLock::new();
    MESSAGES.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../extension/_locales/en/messages.json");
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("en messages")).expect("json");
        json.as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), v["message"].as_str().expect("message").to_string()))
            .collect()
    })
}

/// Looks a message up like `i18n.getMessage`: `$1`… replaced by the substitutions.
pub fn lookup(key: &str, args: &[String]) -> String {
    let mut text = english().get(key).unwrap_or_else(|| panic!("no English message {key:?}")).clone();
    for (i, a) in args.iter().enumerate().rev() {
        text = text.replace(&format!("${}", i + 1), a);
    }
    text
}

/// `text` in English.
pub fn en(text: &Text) -> String {
    text.render(&mut lookup)
}

/// The tabs the simulated background opens: the main lane's, then the helper's.
pub const MAIN_TAB: f64 = 1.0;
pub const HELPER_TAB: f64 = 2.0;

use opt_out_lens_core::detect::ScanOutcome;
use opt_out_lens_core::job::{Directive, Event, Job, PageLoad, Role, TabSeen};
use opt_out_lens_core::scan::Examined;

/// The tab the simulated background gives a lane.
pub fn tab_of(role: Role) -> f64 {
    match role {
        Role::Main => MAIN_TAB,
        Role::Helper => HELPER_TAB,
    }
}

/// Does what the background does with a directive's tabs to open: opens them (ids as
/// `tab_of`) and reports each; the directive then names the tabs.
pub fn open_tabs(job: &mut Job, d: &mut Directive, now: f64) {
    for go in d.go.iter_mut().filter(|g| g.tab.is_none()) {
        let tab = tab_of(go.role);
        let opened = job.on(Some(tab), Event::Opened { role: go.role }, now);
        assert!(opened.close.is_empty(), "a tab opened for a lane is kept");
        go.tab = Some(tab);
    }
}

/// Starts a job as the background does, its tabs opened.
pub fn start(kind: &str, settings: Option<&[String]>, now: f64, managed: &opt_out_lens_core::managed::Managed) -> (Job, Directive) {
    let (mut job, mut d) = Job::start(kind, settings, None, now, managed).expect("started");
    open_tabs(&mut job, &mut d, now);
    (job, d)
}

/// The events of one tab, as the background feeds them (tabs it must open are opened).
pub trait Drive {
    /// Any event of `tab`.
    fn feed(&mut self, tab: Option<f64>, event: Event, now: f64) -> Directive;
    /// A scan of the main tab at `url`.
    fn on_scan(&mut self, url: &str, outcome: &ScanOutcome, dialog_open: bool, now: f64) -> Directive {
        self.on_page(&PageLoad { url: url.into(), dialog_open, ..PageLoad::default() }, outcome, now)
    }
    /// A scan of the main tab, with its page's facts.
    fn on_page(&mut self, page: &PageLoad, outcome: &ScanOutcome, now: f64) -> Directive {
        self.feed(Some(MAIN_TAB), Event::Scan { outcome: Box::new(Examined::of(outcome.clone(), page.clone())) }, now)
    }
    /// A scan of the helper's tab.
    fn on_helper_page(&mut self, page: &PageLoad, outcome: &ScanOutcome, now: f64) -> Directive {
        self.feed(Some(HELPER_TAB), Event::Scan { outcome: Box::new(Examined::of(outcome.clone(), page.clone())) }, now)
    }
    /// The clock, the main tab at `url` (the helper's where it was sent).
    fn on_tick(&mut self, now: f64, url: Option<&str>) -> Directive {
        let tabs = vec![TabSeen { tab: MAIN_TAB, url: url.map(String::from), gone: false }];
        self.feed(None, Event::Tick { tabs }, now)
    }
    /// The main tab finished loading `url`.
    fn on_tab_loaded(&mut self, url: &str, script_answered: bool, now: f64) -> Directive {
        self.feed(Some(MAIN_TAB), Event::Loaded { url: url.into(), script_answered }, now)
    }
    /// The page the main lane is on, while the job runs.
    fn current_url(&self) -> Option<String>;
}

impl Drive for Job {
    fn feed(&mut self, tab: Option<f64>, event: Event, now: f64) -> Directive {
        let mut d = self.on(tab, event, now);
        open_tabs(self, &mut d, now);
        d
    }
    fn current_url(&self) -> Option<String> {
        let running = self.status == opt_out_lens_core::job::JobStatus::Running;
        self.current().filter(|_| running).map(|i| self.steps[i].url.clone())
    }
}

/// Where a directive sends a lane's tab.
pub fn go_of(d: &Directive, role: Role) -> Option<String> {
    d.go.iter().rev().find(|g| g.role == role).map(|g| g.url.clone())
}

/// A "Check all" past its category pages: the first one shows its settings' links with no
/// state word at all (LinkedIn's layout changed), so the others are skipped and every
/// setting goes page by page, as before category pages were read. At time 0.
pub fn sweep_page_by_page(managed: &opt_out_lens_core::managed::Managed) -> opt_out_lens_core::job::Job {
    use opt_out_lens_core::category::{self, LinkFact};
    use opt_out_lens_core::detect::{scan, PageFacts};
    let (mut job, _) = start("sweep", None, 0.0, managed);
    // One tab: the helper's closes at once (its page goes back to the main lane).
    job.feed(Some(HELPER_TAB), Event::Closed, 0.0);
    if job.steps[0].category.is_some() {
        let url = job.current_url().expect("running").to_string();
        let page = category::page(job.steps[0].category.as_deref().expect("page")).expect("rules");
        let links = category::readable_settings(page)
            .map(|s| LinkFact { href: s.paths[0].into(), text: s.title.into(), row_texts: vec![s.title.into()] })
            .collect();
        let facts = PageFacts { url: url.clone(), elapsed_ms: 300.0, lang: "en".into(), links, ..PageFacts::default() };
        job.on_scan(&url, &scan(&facts), false, 0.0);
    }
    assert!(job.steps.iter().all(|s| s.category.is_none() || s.outcome.is_some()), "past the category pages");
    assert!(job.steps[job.current().expect("running")].category.is_none());
    job
}
