//! "Report a problem": what the diagnostic report holds, and that nothing about the
//! person reaches it.

mod common;

use opt_out_lens_core::catalogue::{SwitchState, SETTINGS};
use opt_out_lens_core::detect::{Candidate, Observation, Observed, PageFacts, Reason};
use opt_out_lens_core::job::Job;
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::report::{browser, build, clean, json_text, markdown, record, remember, Environment, MAX_PAGES, REMOVED};
use opt_out_lens_core::scan::examine;
use opt_out_lens_core::state::{apply, load};

const NAME: &str = "Jane Q. Doe";
const EMAIL: &str = "jane.doe@example.com";
const PHONE: &str = "+44 20 7946 0958";
const PROFILE: &str = "https://www.linkedin.com/in/jane-doe-4711/";
const AI_PAGE: &str = "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement";

fn switch(keys: &[&str], checked: bool, label: &str, row: &str) -> Candidate {
    Candidate {
        tag: "input".into(),
        input_type: Some("checkbox".into()),
        role: Some("switch".into()),
        checked: Some(checked),
        labelledby: keys.iter().map(|k| k.to_string()).collect(),
        labelledby_text: label.into(),
        context_text: row.into(),
        ..Candidate::default()
    }
}

/// The AI page as a hostile or careless page might show it: personal data everywhere,
/// in the URL's query and fragment, the switches' rows and even their labels.
fn personal_page() -> PageFacts {
    let row = format!("{NAME} · {EMAIL} · {PHONE} · {PROFILE} · Message from {NAME}: see you at 10");
    PageFacts {
        url: format!("{AI_PAGE}?name=Jane+Doe&email={EMAIL}#{NAME}"),
        elapsed_ms: 6000.0,
        candidates: vec![
            switch(&["allowDataForGenerativeAI"], true, "Use my data for training content creation AI models", &row),
            switch(&["someNewKey"], false, &format!("Send tips to {EMAIL} or call {PHONE}, see {PROFILE}"), &row),
            switch(&[], true, "Show my activity (www.linkedin.com/in/jane-doe-4711)", &row),
        ],
        lang: "en\"><script>".into(),
        http_status: Some(200),
        heading: format!("Data for Generative AI Improvement — {EMAIL}"),
        candidate_ids: vec!["ember42".into(), format!("mail-{EMAIL}"), String::new()],
        ..PageFacts::default()
    }
}

fn report_text(pages: &[opt_out_lens_core::report::PageRecord], setting: Option<&str>) -> (String, String) {
    let mut stored = load(Ok(None)).stored;
    apply(&mut stored, &[Observation { setting: "ai-training".into(), observed: Observed::On }], 1.0, &[]);
    let (job, _) = Job::start("sweep", None, None, 0.0, &Managed::default()).expect("started");
    let env = Environment { extension_version: "0.1.0".into(), user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0".into() };
    let report = build(pages, setting, &stored, Some(&job), &env, 1_764_288_000_000.0);
    let json = json_text(&report);
    let md = markdown(&report, &mut common::lookup);
    (json, md)
}

#[test]
fn a_page_full_of_personal_data_leaves_none_of_it_in_the_report() {
    let facts = personal_page();
    let examined = examine(&facts);
    let rec = record(&facts, &examined, 5.0).expect("a settings page is recorded");
    let (json, md) = report_text(&[rec], Some("ai-training"));
    for (what, text) in [("json", &json), ("markdown", &md)] {
        for needle in [NAME, "Jane", "Doe", EMAIL, "jane.doe", "example.com", PHONE, "7946", "0958", PROFILE, "/in/", "jane-doe", "see you at 10", "Message from", "<script>"] {
            assert!(!text.contains(needle), "{what} contains {needle:?}:\n{text}");
        }
    }
    // What it does hold: the path only, the candidates, the signals, the decision.
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let page = &v["pages"][0];
    assert_eq!(page["path"], "/mypreferences/d/settings/data-for-ai-improvement");
    assert_eq!(page["lang"], "enscript");
    assert_eq!(page["httpStatus"], 200);
    assert_eq!(page["candidateCount"], 3);
    let c0 = &page["candidates"][0];
    assert_eq!((c0["tag"].as_str(), c0["role"].as_str(), c0["id"].as_str()), (Some("input"), Some("switch"), Some("ember42")));
    assert_eq!(c0["ariaKeys"], serde_json::json!(["allowDataForGenerativeAI"]));
    assert_eq!(c0["state"], "on");
    assert_eq!(c0["matched"], "ai-training");
    assert!(c0["signals"].as_array().expect("signals").iter().any(|s| s == "aria-key"));
    assert_eq!(c0["label"], "Use my data for training content creation AI models");
    let c1 = &page["candidates"][1];
    assert_eq!(c1["matched"], serde_json::Value::Null);
    assert!(c1["whyNot"].as_str().is_some_and(|w| w.contains("no catalogued key or label")), "{c1}");
    assert!(c1["label"].as_str().is_some_and(|l| l.starts_with("Send tips to") && l.contains(REMOVED)), "{c1}");
    assert_eq!(c1["id"], REMOVED, "an id shaped like an e-mail address is removed too");
    assert_eq!(page["decisions"], serde_json::json!([{ "setting": "ai-training", "state": "on" }]));
    assert_eq!(v["browser"], "Firefox 153");
    assert_eq!(v["extensionVersion"], "0.1.0");
    assert!(v["rulesVersion"].as_str().is_some_and(|r| r.starts_with(env!("CARGO_PKG_VERSION"))));
    assert_eq!(v["settings"][0]["id"], "ai-training");
    assert_eq!(v["settings"].as_array().map(Vec::len), Some(1), "about the one setting");
    assert_eq!(v["job"]["steps"].as_array().map(Vec::len), Some(1));
    assert!(!json.contains("https://"), "no URL at all, not even the catalogue's:\n{json}");
    // The Markdown shows the same, readably, with the JSON at its end.
    assert!(md.starts_with("# Opt-Out Lens: problem report\n"), "{md}");
    assert!(md.contains("| 1 | input[checkbox] role=switch |"), "{md}");
    assert!(md.trim_end().ends_with("```"), "{md}");
    assert!(md.contains(&json));
}

#[test]
fn switches_no_rule_recognises_make_the_setting_unrecognised_with_their_count() {
    let facts = PageFacts {
        url: AI_PAGE.into(),
        elapsed_ms: 6000.0,
        candidates: vec![switch(&["renamedKey1"], true, "Something new", ""), switch(&["renamedKey2"], false, "Something else", "")],
        ..PageFacts::default()
    };
    let examined = examine(&facts);
    assert_eq!(examined.observations, vec![Observation { setting: "ai-training".into(), observed: Observed::Unknown(Reason::Unrecognised) }]);
    assert_eq!((examined.unrecognised[0].setting.as_str(), examined.unrecognised[0].count), ("ai-training", 2));
    // No switches at all: still "not found"; still loading: not decided.
    let empty = PageFacts { url: AI_PAGE.into(), elapsed_ms: 6000.0, ..PageFacts::default() };
    assert_eq!(examine(&empty).observations[0].observed, Observed::Unknown(Reason::NotFound));
    let early = PageFacts { elapsed_ms: 10.0, ..facts.clone() };
    assert_eq!(examine(&early).observations[0].observed, Observed::Unknown(Reason::Loading));
    // An error status: LinkedIn's error page, not a changed page.
    let e = examine(&PageFacts { http_status: Some(500), ..facts.clone() });
    assert_eq!(e.observations[0].observed, Observed::Unknown(Reason::PageError));
    assert!(e.unrecognised.is_empty());
    // The recognised switch beside unknown ones is read as usual.
    let mixed = PageFacts {
        candidates: vec![switch(&["allowDataForGenerativeAI"], false, "", ""), switch(&["renamedKey2"], true, "", "")],
        ..facts.clone()
    };
    let e = examine(&mixed);
    assert_eq!(e.observations[0].observed, Observed::Off);
    assert!(e.unrecognised.is_empty());
}

#[test]
fn only_settings_pages_are_remembered_and_the_memory_is_bounded() {
    let other = PageFacts { url: PROFILE.into(), ..PageFacts::default() };
    assert!(record(&other, &examine(&other), 1.0).is_none(), "a profile page is never recorded");
    let foreign = PageFacts { url: "https://example.com/mypreferences/d/settings/x".into(), ..PageFacts::default() };
    assert!(record(&foreign, &examine(&foreign), 1.0).is_none());
    // A sign-in page keeps its path, never the page it was asked for.
    let login = PageFacts { url: format!("https://www.linkedin.com/login?session_redirect={AI_PAGE}"), login_form: true, ..PageFacts::default() };
    let rec = record(&login, &examine(&login), 1.0).expect("login recorded");
    assert_eq!(rec.path, "/login");
    // Many pages: at most MAX_PAGES, the latest of each path, most recent last.
    let mut pages = Vec::new();
    for i in 0..(MAX_PAGES + 10) {
        let facts = PageFacts { url: format!("https://www.linkedin.com/mypreferences/d/p{i}"), ..PageFacts::default() };
        pages = remember(pages, record(&facts, &examine(&facts), i as f64).expect("record"));
    }
    assert_eq!(pages.len(), MAX_PAGES);
    assert_eq!(pages.last().map(|p| p.path.as_str()), Some(format!("/mypreferences/d/p{}", MAX_PAGES + 9).as_str()));
    let facts = PageFacts { url: AI_PAGE.into(), candidates: vec![switch(&["allowDataForGenerativeAI"], true, "", "")], ..PageFacts::default() };
    pages = remember(pages, record(&facts, &examine(&facts), 100.0).expect("record"));
    let facts = PageFacts { url: format!("{AI_PAGE}/"), candidates: vec![switch(&["allowDataForGenerativeAI"], false, "", "")], ..PageFacts::default() };
    pages = remember(pages, record(&facts, &examine(&facts), 101.0).expect("record"));
    let ai: Vec<_> = pages.iter().filter(|p| p.settings == ["ai-training"]).collect();
    assert_eq!(ai.len(), 1, "one record per page");
    assert_eq!(ai[0].candidates[0].state, Some(SwitchState::Off));
    // A page with a flood of candidates keeps only the first few.
    let flood = PageFacts { url: AI_PAGE.into(), candidates: (0..5000).map(|_| switch(&[], true, "x", "")).collect(), ..PageFacts::default() };
    let rec = record(&flood, &examine(&flood), 1.0).expect("record");
    assert_eq!((rec.candidate_count, rec.candidates.len()), (5000, opt_out_lens_core::report::MAX_CANDIDATES));
}

#[test]
fn without_pages_the_report_says_how_to_get_one() {
    let (json, md) = report_text(&[], Some("ai-training"));
    assert!(md.contains("No settings page has been read since the browser started"), "{md}");
    assert!(json.contains("\"pages\": []"));
    // Every setting, when the report is about everything.
    let (json, _) = report_text(&[], None);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["settings"].as_array().map(Vec::len), Some(SETTINGS.len()));
}

#[test]
fn cleaning_text_removes_what_looks_like_contact_details_and_truncates() {
    assert_eq!(clean("Call +1 (555) 010-9999 now", 100), format!("Call {REMOVED} now"));
    assert_eq!(clean("mail me@x.org", 100), format!("mail {REMOVED}"));
    assert_eq!(clean("see https://a.example/p and www.b.example", 100), format!("see {REMOVED} and {REMOVED}"));
    assert_eq!(clean("@janedoe says", 100), format!("{REMOVED} says"));
    assert_eq!(clean("Data for 2025 and 3 ads", 100), "Data for 2025 and 3 ads", "short numbers stay");
    assert_eq!(clean("a\nb\t c", 100), "a b c");
    assert_eq!(clean(&"é".repeat(300), 120).chars().count(), 121, "120 characters and an ellipsis");
}

#[test]
fn the_browser_is_only_its_name_and_major_version() {
    assert_eq!(browser("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.7000.1 Safari/537.36"), "Chrome 156");
    assert_eq!(browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0"), "Edge 140");
    assert_eq!(browser("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"), "Firefox 153");
    assert_eq!(browser("something else"), "unknown browser");
}
