//! Table-driven tests of switch detection: page facts in, marks and states out.

mod common;

use common::en;
use opt_out_lens_core::catalogue::{Kind, SETTINGS};
use opt_out_lens_core::detect::{scan, settings_at, Candidate, Observed, PageFacts};

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
        // Other settings on the same page are not shown here: unknown, never off.
        let others: Vec<(&str, &str)> = settings_at(s.paths[0]).filter(|o| o.id != s.id).map(|o| (o.id, "NotFound")).collect();
        for (checked, state) in [(true, "on"), (false, "off")] {
            let mut want = vec![(s.id, state)];
            want.extend(others.iter().copied());
            check(page(&url, vec![checkbox(s.keys[0], "", checked)]), &[(0, s.id, state)], &want);
        }
    }
}

#[test]
fn every_single_switch_setting_is_found_by_path_alone_on_each_of_its_pages_in_both_trees() {
    for s in SETTINGS.iter().filter(|s| s.kind == Kind::Switch) {
        for p in s.paths.iter().filter(|p| settings_at(p).count() == 1) {
            for tree in [p.to_string(), p.replace("/mypreferences/d/", "/mypreferences/m/")] {
                let url = format!("https://www.linkedin.com{tree}");
                check(page(&url, vec![checkbox("someUnknownKey", "Unknown words", true)]), &[(0, s.id, "on")], &[(s.id, "on")]);
            }
        }
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

// ---- The evidence review of December 2026: new signals, pages and variations ----------

fn url(path: &str) -> String {
    format!("https://www.linkedin.com{path}")
}

/// A switch with no key, labelled only by `label`.
fn labelled(label: &str, checked: bool) -> Candidate {
    checkbox("", label, checked)
}

#[test]
fn labels_match_across_punctuation_but_never_across_words() {
    // (label on the page, page, expected setting or "" for none)
    let table: &[(&str, &str, &str)] = &[
        ("Social, economic, and workplace research", PRIVACY_PAGE, "research"),
        ("Social, economic and workplace research", PRIVACY_PAGE, "research"),
        ("Social economic and workplace research.", PRIVACY_PAGE, "research"),
        ("\u{201C}Social, economic, and workplace research\u{201D}", PRIVACY_PAGE, "research"),
        ("Social,economic,and workplace research:", PRIVACY_PAGE, "research"),
        ("Measure Ad Success \u{2013} for conversion tracking", PRIVACY_PAGE, "ads-measure-success"),
        ("Measure Ad Success - for conversion tracking", PRIVACY_PAGE, "ads-measure-success"),
        ("Measure Ad Success: for conversion tracking", PRIVACY_PAGE, "ads-measure-success"),
        ("Measure ad success", "/mypreferences/d/settings/ads-related-actions", "ads-measure-success"),
        ("Ad\u{2010}related actions", "/mypreferences/d/settings/ads-related-actions", "ads-measure-success"),
        ("Ads outside of LinkedIn.", PRIVACY_PAGE, "ads-beyond-linkedin"),
        ("\u{201E}Daten mit verbundenen Unternehmen und Partnern teilen\u{201C}", PRIVACY_PAGE, "share-with-affiliates"),
        ("Ihre Daten zum Schulen von KI\u{2013}Modellen verwenden um Inhalte zu erstellen", PRIVACY_PAGE, "ai-training"),
        ("Dati per migliorare l\u{2019}IA generativa", PRIVACY_PAGE, "ai-training"),
        ("Utiliser mes données pour entraîner des modèles d\u{2019}IA de création de contenu", PRIVACY_PAGE, "ai-training"),
        ("Can LinkedIn and its affiliates use your personal data and content you create on LinkedIn to train generative AI models that create content?", PRIVACY_PAGE, "ai-training"),
        // Other words, or ours inside a longer sentence: never.
        ("Social, economic, and workplace research partners", PRIVACY_PAGE, ""),
        ("Learn more about social, economic, and workplace research", PRIVACY_PAGE, ""),
        ("Measure success", PRIVACY_PAGE, ""),
        ("Measure success (conversion tracking)", PRIVACY_PAGE, ""),
        ("Share data with select partners", PRIVACY_PAGE, ""),
        ("Ads beyond LinkedIn", PRIVACY_PAGE, ""),
        ("Social, economic, and political research", PRIVACY_PAGE, ""),
        // Unconfirmed wording counts only on the setting's own page.
        ("Dati per il miglioramento dell'IA generativa", PRIVACY_PAGE, ""),
        ("Dati per il miglioramento dell\u{2019}IA generativa", "/mypreferences/d/settings/data-for-ai-improvement", "ai-training"),
        // Short labels ("Gender", "Age range") name a setting only on its own page.
        ("Gender", PRIVACY_PAGE, ""),
        ("Age range", "/mypreferences/d/categories/ads", ""),
        ("Gender.", "/mypreferences/d/settings/ads-by-gender", "ads-inferred-gender"),
    ];
    for &(label, path, want) in table {
        // Two switches, so "the only switch of its own page" never decides.
        let other = checkbox("someOtherKey", "Show when you are active", true);
        let facts = page(&if path.starts_with('/') { url(path) } else { path.to_string() }, vec![labelled(label, false), other]);
        let out = scan(&facts);
        let got = out.marks.iter().find(|m| m.index == 0).map_or("", |m| m.setting.as_str());
        assert_eq!(got, want, "label {label:?} on {path}");
        assert!(out.marks.iter().all(|m| m.index == 0), "the other switch is left alone ({label:?})");
    }
}

#[test]
fn a_switch_found_by_its_element_id_on_its_page_and_anywhere() {
    let cookie = |id: &str, checked: bool| Candidate { id: id.into(), ..checkbox("", "", checked) };
    let own = url("/mypreferences/d/member-cookies");
    check(page(&own, vec![cookie("nonEssentialCookieConsent", false)]), &[(0, "cookies", "off")], &[("cookies", "off")]);
    check(page(PRIVACY_PAGE, vec![cookie("nonEssentialCookieConsent", true)]), &[(0, "cookies", "on")], &[("cookies", "on")]);
    // Another id, or the id's text as a label: not the signal.
    check(page(PRIVACY_PAGE, vec![cookie("nonEssentialCookieConsent2", true), labelled("nonEssentialCookieConsent", true)]), &[], &[]);
    // The id and a key that disagree: left alone.
    let mut both = cookie("nonEssentialCookieConsent", true);
    both.labelledby = vec!["allowAdsByAge".into()];
    check(page(PRIVACY_PAGE, vec![both]), &[], &[]);
    // On its own page among other switches, only the id decides.
    let facts = page(&own, vec![checkbox("essential", "Essential cookies", true), cookie("nonEssentialCookieConsent", true)]);
    check(facts, &[(1, "cookies", "on")], &[("cookies", "on")]);
}

#[test]
fn the_promotions_page_holds_two_settings_each_identified_on_its_own() {
    let promo = url("/mypreferences/d/settings/linkedin-promotions");
    let both = page(&promo, vec![checkbox("allowProfileAndActivityDataForMarketingAds", "LinkedIn promotions", true), checkbox("tipsForUsingLinkedinViaEmail", "Email", false)]);
    check(both, &[(0, "marketing-promotions", "on"), (1, "marketing-emails", "off")], &[("marketing-promotions", "on"), ("marketing-emails", "off")]);
    // Without keys, neither is guessed from the page alone.
    let unkeyed = page(&promo, vec![checkbox("a", "", true)]);
    check(unkeyed, &[], &[("marketing-promotions", "NotFound"), ("marketing-emails", "NotFound")]);
    // Found by its row's label on its own page ("LinkedIn promotions" is short: own page only).
    let labelled_only = page(&promo, vec![labelled("LinkedIn promotions", false), checkbox("tipsForUsingLinkedinViaEmail", "", true)]);
    check(labelled_only, &[(0, "marketing-promotions", "off"), (1, "marketing-emails", "on")], &[("marketing-promotions", "off"), ("marketing-emails", "on")]);
}

#[test]
fn a_page_with_several_switches_marks_only_ours() {
    let facts = page(
        "https://www.linkedin.com/mypreferences/d/categories/privacy",
        vec![
            checkbox("allowAiReplySuggestions", "Use AI to suggest replies", true),
            checkbox("allowDataForGenerativeAI", "", true),
            checkbox("showActiveStatus", "Show when you are active", true),
            checkbox("allowAnonymizedDataResearch", "Social, economic, and workplace research", false),
            checkbox("", "Research you may find interesting", true),
        ],
    );
    check(facts, &[(1, "ai-training", "on"), (3, "research", "off")], &[("ai-training", "on"), ("research", "off")]);
}

#[test]
fn mobile_web_and_old_psettings_pages_map_to_the_same_settings() {
    let m = url("/mypreferences/m/settings/ads-by-age");
    check(page(&m, vec![checkbox("renamed", "", false)]), &[(0, "ads-inferred-age", "off")], &[("ads-inferred-age", "off")]);
    check(page(&url("/mypreferences/m/settings/data-for-ai-improvement/"), vec![checkbox("allowDataForGenerativeAI", "", true)]), &[(0, "ai-training", "on")], &[("ai-training", "on")]);
    check(page(&url("/psettings/data-sharing"), vec![checkbox("whatever", "Data sharing", true)]), &[(0, "data-sharing", "on")], &[("data-sharing", "on")]);
    check(page(&url("/mypreferences/m/settings/ads-by-age"), vec![]), &[], &[("ads-inferred-age", "NotFound")]);
    // A look-alike tree is not a mirror.
    check(page(&url("/mypreferences/x/settings/ads-by-age"), vec![checkbox("renamed", "", false)]), &[], &[]);
    assert!(opt_out_lens_core::detect::same_path("/mypreferences/m/settings/ads-by-age", "/mypreferences/d/settings/ads-by-age/"));
}

#[test]
fn profile_visibility_for_partners_on_both_of_its_paths() {
    for p in ["/mypreferences/d/profile-visibility-for-partners", "/mypreferences/d/settings/profile-visibility-for-partners"] {
        check(page(&url(p), vec![checkbox("k", "", true)]), &[(0, "profile-visibility-partners", "on")], &[("profile-visibility-partners", "on")]);
    }
}

#[test]
fn a_page_titled_with_a_profile_data_row_is_that_settings_page() {
    let unknown_path = url("/mypreferences/d/settings/ads-employer-new");
    let titled = |title: &str, candidates: Vec<Candidate>, checkboxes: u32, elapsed: f64| PageFacts {
        url: unknown_path.clone(),
        elapsed_ms: elapsed,
        heading: title.into(),
        candidates,
        checkboxes,
        ..PageFacts::default()
    };
    // One switch on a page titled "Groups": the Groups row.
    check(titled("Groups", vec![checkbox("k", "", true)], 0, 9000.0), &[(0, "ads-groups", "on")], &[("ads-groups", "on")]);
    check(titled(" Education and skills ", vec![checkbox("k", "", false)], 0, 9000.0), &[(0, "ads-education", "off")], &[("ads-education", "off")]);
    // A checkbox list: never guessed, reported as a list once settled.
    check(titled("Employer", vec![], 7, 9000.0), &[], &[("ads-employer", "List")]);
    check(titled("Employer", vec![], 7, 300.0), &[], &[("ads-employer", "Loading")]);
    check(titled("Employer", vec![], 0, 9000.0), &[], &[("ads-employer", "NotFound")]);
    // Two unknown switches on such a page: not guessed.
    check(titled("Employer", vec![checkbox("a", "", true), checkbox("b", "", true)], 0, 9000.0), &[], &[("ads-employer", "NotFound")]);
    // A title that only contains a row's name is not that row's page.
    check(titled("Groups you manage", vec![checkbox("k", "", true)], 0, 9000.0), &[], &[]);
    check(titled("Microsoft Word", vec![checkbox("k", "", true)], 0, 9000.0), &[(0, "microsoft-word", "on")], &[("microsoft-word", "on")]);
    // The Word setting by its long description on any Data privacy page.
    let desc = "Choose whether work experience from your profile can be shown in Resume Assistant within Microsoft Word.";
    check(page(PRIVACY_PAGE, vec![labelled(desc, false)]), &[(0, "microsoft-word", "off")], &[("microsoft-word", "off")]);
    // A checkbox list on a setting's own path is a list too.
    let mut list = page(&url("/mypreferences/d/settings/ads-location"), vec![]);
    list.checkboxes = 3;
    check(list, &[], &[("ads-profile-location", "List")]);
}

#[test]
fn the_microsoft_connection_is_connected_only_when_its_entry_is_seen() {
    let partners = url("/psettings/partners-and-services");
    let listed = |entries: &[&str], elapsed: f64| PageFacts {
        url: partners.clone(),
        elapsed_ms: elapsed,
        entries: entries.iter().map(|e| e.to_string()).collect(),
        ..PageFacts::default()
    };
    check(listed(&["Microsoft"], 100.0), &[], &[("microsoft-connection", "on")]);
    check(listed(&["Twitter", " MICROSOFT "], 9000.0), &[], &[("microsoft-connection", "on")]);
    // Not seen: unknown, never "not connected".
    check(listed(&[], 9000.0), &[], &[("microsoft-connection", "NotSeen")]);
    check(listed(&[], 100.0), &[], &[("microsoft-connection", "Loading")]);
    check(listed(&["Connect your Microsoft account", "Microsoft Teams", "Microsoft 365"], 9000.0), &[], &[("microsoft-connection", "NotSeen")]);
    // A switch labelled "Microsoft" anywhere is not the connection.
    check(page(PRIVACY_PAGE, vec![labelled("Microsoft", true)]), &[], &[]);
    let mut signed_out = listed(&[], 9000.0);
    signed_out.login_form = true;
    check(signed_out, &[], &[("microsoft-connection", "NotLoggedIn")]);
    // Entries elsewhere say nothing.
    let mut elsewhere = listed(&["Microsoft"], 9000.0);
    elsewhere.url = PRIVACY_PAGE.into();
    check(elsewhere, &[], &[]);
}

#[test]
fn plans_ask_for_the_new_page_facts() {
    use opt_out_lens_core::plan;
    // The page script's plan is the same on every page (built into the extension), so it
    // always asks for the bounded entry texts; only a connection's page reads them.
    for url in ["https://www.linkedin.com/psettings/partners-and-services", AI_PAGE, PRIVACY_PAGE] {
        let p = plan(url);
        assert!(p.scan, "{url}");
        assert!(p.entry_selector.contains("li") && p.max_entries > 0 && p.max_entry_chars > 0);
        assert!(p.checkbox_selector.contains("checkbox") && p.checkbox_selector.contains(":not([role=switch])"));
        assert!(p.heading_selector.contains("h1"));
    }
}

#[test]
fn an_italian_and_a_german_page() {
    // Italian: the AI title in use, on a page whose path and key are new to us.
    let it = url("/mypreferences/d/settings/dati-ia");
    check(page(&it, vec![labelled("Dati per migliorare l'IA generativa", true)]), &[(0, "ai-training", "on")], &[("ai-training", "on")]);
    // German: the affiliates switch, found by its label alone.
    let de = url("/mypreferences/d/settings/daten-teilen");
    check(page(&de, vec![labelled("Daten mit verbundenen Unternehmen und Partnern teilen", false)]), &[(0, "share-with-affiliates", "off")], &[("share-with-affiliates", "off")]);
}

#[test]
fn normalisation_folds_punctuation_to_spaces_and_keeps_words() {
    use opt_out_lens_core::normalize::normalize;
    for (a, b) in [
        ("Social, economic, and workplace research.", "social economic and workplace research"),
        ("KI-Modellen", "ki modellen"),
        ("l\u{2019}IA", "l ia"),
        ("\u{00AB} Donn\u{00E9}es \u{00BB}", "donnees"),
        ("Measure Ad Success \u{2014} for conversion tracking", "measure ad success for conversion tracking"),
        ("A & B", "a & b"),
        ("100%", "100%"),
        ("...", ""),
    ] {
        assert_eq!(normalize(a), b, "{a:?}");
    }
}

#[test]
fn the_addresses_scanned_are_those_of_the_shared_table() {
    // The same table goes through page/address.js in tests/urls.test.mjs: the page script
    // decides before sending anything, with exactly this rule.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/scan-urls.json");
    let table: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("table")).expect("json");
    let urls = table["urls"].as_array().expect("urls");
    assert!(urls.len() > 20);
    for row in urls {
        let (url, want) = (row[0].as_str().expect("url"), row[1].as_bool().expect("scan"));
        assert_eq!(opt_out_lens_core::detect::should_scan(url), want, "{url}");
    }
}
