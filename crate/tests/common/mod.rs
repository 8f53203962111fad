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

/// A "Check all" past its category pages: the first one shows its settings' links with no
/// state word at all (LinkedIn's layout changed), so the others are skipped and every
/// setting goes page by page, as before category pages were read. At time 0.
pub fn sweep_page_by_page(managed: &opt_out_lens_core::managed::Managed) -> opt_out_lens_core::job::Job {
    use opt_out_lens_core::category::{self, LinkFact};
    use opt_out_lens_core::detect::{scan, PageFacts};
    let mut job = opt_out_lens_core::job::Job::sweep(0.0, managed);
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
    assert!(job.steps[job.current].category.is_none());
    job
}
