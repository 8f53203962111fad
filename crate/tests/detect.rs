//! Table-driven tests of switch detection: page facts in, marks and states out.

mod common;

use common::en;
use opt_out_lens_core::catalogue::SETTINGS;
use opt_out_lens_core::detect::{scan, Candidate, Observed, PageFacts};

const AI_PAGE: &str = "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement";
const PRIVACY_PAGE: &str = "https://www.linkedin.com/mypreferences/d/categories/privacy";

/// A native checkbox switch labelled by `key`, whose label element reads `label`.
fn checkbox(key: &str, label: &str, checked: bool) -> Candidate {
    Candidate {
        tag: "input".into(),
        input_type: Some("checkbox".into()),
        role: Some("switch".into()),
        checked: Some(checked),
        labelledby: if key.is_empty() { vec![] } else { vec![key.into()] },
        labelledby_text: label.into(),
        ..Candidate::default()
    }
}

fn page(url: &str, candidates: Vec<Candidate>) -> PageFacts {
    PageFacts { url: url.into(), elapsed_ms: 10_000.0, candidates, ..PageFacts::default() }
}

/// Scans `facts` and checks the marks as `(candidate index, setting id, "on"/"off")`
/// and the observations as `(setting id, state or reason)`.
fn check(facts: PageFacts, marks: &[(usize, &str, &str)], observations: &[(&str, &str)]) {
    let out = scan(&facts);
    let got_marks: Vec<(usize, &str, String)> = out
        .marks
        .iter()
        .map(|m| (m.index, m.setting.as_str(), format!("{:?}", m.state).to_lowercase()))
        .collect();
    let want_marks: Vec<(usize, &str, String)> = marks.iter().map(|&(i, s, st)| (i, s, st.to_string())).collect();
    assert_eq!(got_marks, want_marks, "marks for {}", facts.url);
    let got_obs: Vec<(String, String)> = out
        .observations
        .iter()
        .map(|o| {
            let state = match o.observed {
                Observed::On => "on".to_string(),
                Observed::Off => "off".to_string(),
                Observed::Unknown(r) => format!("{r:?}"),
            };
            (o.setting.clone(), state)
        })
        .collect();
    let want_obs: Vec<(String, String)> = observations.iter().map(|&(s, st)| (s.into(), st.into())).collect();
    assert_eq!(got_obs, want_obs, "observations for {}", facts.url);
}

#[test]
fn every_keyed_setting_is_found_on_its_page_on_and_off() {
    for s in SETTINGS.iter().filter(|s| !s.keys.is_empty()) {
        let url = s.url().expect("url");
        for (checked, state) in [(true, "on"), (false, "off")] {
            check(page(&url, vec![checkbox(s.keys[0], "", checked)]), &[(0, s.id, state)], &[(s.id, state)]);
        }
    }
}

#[test]
fn every_setting_is_found_by_path_alone() {
    for s in SETTINGS {
        let url = s.url().expect("url");
        check(page(&url, vec![checkbox("someUnknownKey", "Unknown words", true)]), &[(0, s.id, "on")], &[(s.id, "on")]);
    }
}

#[test]
fn ai_setting_found_by_label_in_every_confirmed_language_on_a_foreign_page() {
    let ai = SETTINGS.iter().find(|s| s.id == "ai-training").expect("ai");
    let mut langs: Vec<&str> = ai.labels.iter().filter(|l| l.confirmed).map(|l| l.lang).collect();
    langs.dedup();
    for lang in ["en", "de", "fr", "nl", "pt", "pl", "cs"] {
        assert!(langs.contains(&lang), "no {lang} label");
    }
    for label in ai.labels.iter().filter(|l| l.confirmed) {
        check(page(PRIVACY_PAGE, vec![checkbox("renamedKey1", label.text, false)]), &[(0, "ai-training", "off")], &[("ai-training", "off")]);
    }
}

#[test]
fn labels_match_across_case_spacing_apostrophes_accents_and_invisible_characters() {
    for text in [
        "  DATA FOR GENERATIVE AI IMPROVEMENT ",
        "Données pour l’amélioration de l’IA générative",
        "Donnees pour l'amelioration de l'IA generative",
        "Ihre Daten zum Schulen von KI\u{2011}Modellen verwenden, um Inhalte zu erstellen",
        "Data\u{200B} for\u{00A0}Generative\n AI Improvement:",
        "UŻYJ MOICH DANYCH DO TRENOWANIA MODELI AI SŁUŻĄCYCH DO TWORZENIA TREŚCI",
    ] {
        check(page(PRIVACY_PAGE, vec![checkbox("", text, true)]), &[(0, "ai-training", "on")], &[("ai-training", "on")]);
    }
}

#[test]
fn decoys_are_left_alone() {
    let facts = page(
        PRIVACY_PAGE,
        vec![
            checkbox("allowAiReplySuggestions", "Use AI to suggest replies", true),
            checkbox("allowDataForGenerativeAI", "Use my data for training content creation AI models", true),
            checkbox("", "Generative AI", false),
            checkbox("showProfilePhoto", "Data for Generative AI Improvement and more", true),
        ],
    );
    check(facts, &[(1, "ai-training", "on")], &[("ai-training", "on")]);
}

#[test]
fn a_decoy_on_a_setting_page_with_the_real_switch_is_left_alone() {
    let facts = page(AI_PAGE, vec![checkbox("allowAiReplySuggestions", "Use AI to suggest replies", true), checkbox("allowDataForGenerativeAI", "", false)]);
    check(facts, &[(1, "ai-training", "off")], &[("ai-training", "off")]);
}

#[test]
fn unidentifiable_switch_among_several_on_a_setting_page_is_not_guessed() {
    let facts = page(AI_PAGE, vec![checkbox("a", "First", true), checkbox("b", "Second", false)]);
    check(facts, &[], &[("ai-training", "NotFound")]);
}

#[test]
fn conflicting_signals_leave_a_switch_alone() {
    // Key says ads-by-age, label says AI training.
    let facts = page(PRIVACY_PAGE, vec![checkbox("allowAdsByAge", "Data for Generative AI Improvement", true)]);
    check(facts, &[], &[]);
}

#[test]
fn key_wins_over_path() {
    let facts = page(AI_PAGE, vec![checkbox("allowAdsByAge", "", true)]);
    check(facts, &[(0, "ads-inferred-age", "on")], &[("ads-inferred-age", "on"), ("ai-training", "NotFound")]);
}

#[test]
fn row_text_identifies_a_switch_only_on_its_own_page() {
    let mut c = checkbox("", "", true);
    c.context_text = "Data for Generative AI Improvement. Can LinkedIn use your data…".into();
    let other = checkbox("x", "Something else", false);
    check(page(AI_PAGE, vec![c, other]), &[(0, "ai-training", "on")], &[("ai-training", "on")]);
    let mut c = checkbox("", "", true);
    c.context_text = "Data for Generative AI Improvement".into();
    check(page(PRIVACY_PAGE, vec![c]), &[], &[]);
}

#[test]
fn state_rules_for_inputs_and_aria_switches() {
    // A native checkbox: `checked` wins over a disagreeing aria-checked.
    let mut input = checkbox("allowAdsByAge", "", true);
    input.aria_checked = Some("false".into());
    check(page(PRIVACY_PAGE, vec![input]), &[(0, "ads-inferred-age", "on")], &[("ads-inferred-age", "on")]);

    let div = |aria: Option<&str>| Candidate {
        tag: "div".into(),
        role: Some("switch".into()),
        aria_checked: aria.map(Into::into),
        labelledby: vec!["allowAdsByAge".into()],
        ..Candidate::default()
    };
    check(page(PRIVACY_PAGE, vec![div(Some("true"))]), &[(0, "ads-inferred-age", "on")], &[("ads-inferred-age", "on")]);
    check(page(PRIVACY_PAGE, vec![div(Some("false"))]), &[(0, "ads-inferred-age", "off")], &[("ads-inferred-age", "off")]);
    // aria-checked="mixed" or missing: not a state we can trust.
    check(page(PRIVACY_PAGE, vec![div(Some("mixed"))]), &[], &[]);
    check(page(PRIVACY_PAGE, vec![div(None)]), &[], &[]);

    // Not a switch: plain checkbox, radio with role=switch, switch-less role.
    let mut plain = checkbox("allowAdsByAge", "", true);
    plain.role = None;
    let mut radio = checkbox("allowAdsByAge", "", true);
    radio.input_type = Some("radio".into());
    let mut no_checked = checkbox("allowAdsByAge", "", true);
    no_checked.checked = None;
    check(page(PRIVACY_PAGE, vec![plain, radio, no_checked]), &[], &[]);
}

#[test]
fn duplicates_agreeing_are_one_observation_disagreeing_are_unknown() {
    let same = page(PRIVACY_PAGE, vec![checkbox("allowAdsByAge", "", true), checkbox("allowAdsByAge", "", true)]);
    check(same, &[(0, "ads-inferred-age", "on"), (1, "ads-inferred-age", "on")], &[("ads-inferred-age", "on")]);
    let differ = page(PRIVACY_PAGE, vec![checkbox("allowAdsByAge", "", true), checkbox("allowAdsByAge", "", false)]);
    check(differ, &[(0, "ads-inferred-age", "on"), (1, "ads-inferred-age", "off")], &[("ads-inferred-age", "Conflicting")]);
}

#[test]
fn missing_switch_is_loading_then_not_found_never_off() {
    let mut early = page(AI_PAGE, vec![]);
    early.elapsed_ms = 200.0;
    check(early, &[], &[("ai-training", "Loading")]);
    check(page(AI_PAGE, vec![]), &[], &[("ai-training", "NotFound")]);
}

#[test]
fn signed_out_pages_are_unknown_not_logged_in() {
    let login = "https://www.linkedin.com/login?session_redirect=https%3A%2F%2Fwww%2Elinkedin%2Ecom%2Fmypreferences%2Fd%2Fsettings%2Fdata-for-ai-improvement";
    check(page(login, vec![]), &[], &[("ai-training", "NotLoggedIn")]);
    let relative = "https://www.linkedin.com/uas/login?session_redirect=%2Fmypreferences%2Fd%2Fsettings%2Fads-by-age";
    check(page(relative, vec![]), &[], &[("ads-inferred-age", "NotLoggedIn")]);
    let mut form = page(AI_PAGE, vec![]);
    form.login_form = true;
    check(form, &[], &[("ai-training", "NotLoggedIn")]);
    // A redirect to another site is not trusted to name a setting.
    let elsewhere = "https://www.linkedin.com/login?session_redirect=https%3A%2F%2Fevil.example%2Fmypreferences%2Fd%2Fsettings%2Fads-by-age";
    check(page(elsewhere, vec![]), &[], &[]);
}

#[test]
fn other_hosts_and_schemes_are_ignored() {
    for url in [
        "https://evil.example/mypreferences/d/settings/data-for-ai-improvement",
        "http://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement",
        "https://www.linkedin.com@evil.example/mypreferences/d/settings/data-for-ai-improvement",
        "not a url",
    ] {
        check(page(url, vec![checkbox("allowDataForGenerativeAI", "", true)]), &[], &[]);
    }
}

#[test]
fn port_trailing_slash_query_and_fragment_do_not_matter() {
    let url = "https://www.linkedin.com:8443/mypreferences/d/settings/data-for-ai-improvement/?trk=x#top";
    check(page(url, vec![checkbox("k", "", false)]), &[(0, "ai-training", "off")], &[("ai-training", "off")]);
}

#[test]
fn mark_labels_say_what_on_means() {
    let out = scan(&page(AI_PAGE, vec![checkbox("allowDataForGenerativeAI", "", true)]));
    let said: Vec<String> = out.marks[0].labels.iter().map(en).collect();
    assert_eq!(said, ["AI training: ON (LinkedIn may use your data)", "AI training: ON", "ON"]);
    assert!(!out.marks[0].protective);
    let out = scan(&page(AI_PAGE, vec![checkbox("allowDataForGenerativeAI", "", false)]));
    let said: Vec<String> = out.marks[0].labels.iter().map(en).collect();
    assert_eq!(said, ["AI training: OFF", "OFF"]);
    assert!(out.marks[0].protective);
}

#[test]
fn hostile_texts_do_not_crash_or_match() {
    let huge = "A".repeat(100_000);
    let rtl = "\u{202E}tnemevorpmI IA evitareneG rof ataD";
    let markup = "<img src=x onerror=alert(1)>Data for Generative AI Improvement";
    let facts = page(PRIVACY_PAGE, vec![checkbox("", &huge, true), checkbox("", rtl, true), checkbox("", markup, true)]);
    check(facts, &[], &[]);
}

#[test]
fn should_scan_only_settings_and_login_pages() {
    use opt_out_lens_core::plan;
    assert!(plan(AI_PAGE).scan);
    assert!(plan("https://www.linkedin.com/psettings/partners-and-services").scan);
    assert!(plan("https://www.linkedin.com/login?session_redirect=%2Fmypreferences%2Fd%2Fsettings%2Fads-by-age").scan);
    assert!(!plan("https://www.linkedin.com/feed/").scan);
    assert!(!plan("https://example.org/mypreferences/").scan);
}
