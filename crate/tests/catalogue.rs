//! Validates the catalogue data (`rules/linkedin.toml`), its sources and its fixture coverage.

use std::collections::HashSet;

mod common;

use opt_out_lens_core::catalogue::{by_id, section, Kind, Region, SwitchState, CATALOGUE_JSON, SECTIONS, SETTINGS, SITE};
use opt_out_lens_core::normalize::normalize;

#[test]
fn ids_are_unique_kebab_case_and_the_required_ones_exist() {
    let mut seen = HashSet::new();
    for s in SETTINGS {
        assert!(seen.insert(s.id), "duplicate id {}", s.id);
        assert!(s.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "id {}", s.id);
    }
    for id in [
        "ai-training", "share-with-affiliates", "ads-beyond-linkedin", "ads-data-from-others",
        "ads-measure-success", "ads-interests", "ads-inferred-location", "ads-inferred-age",
        "ads-inferred-gender", "research", "marketing-promotions",
        // The evidence review of December 2026:
        "cookies", "marketing-emails", "microsoft-word", "profile-visibility-partners", "ads-connections",
        "ads-companies", "ads-groups", "ads-education", "ads-job-info", "ads-employer", "data-sharing",
        "microsoft-connection",
    ] {
        assert!(seen.contains(id), "missing {id}");
    }
}

#[test]
fn every_setting_can_be_found_and_has_the_words_the_ui_needs() {
    for s in SETTINGS {
        let by_label = s.labels.iter().any(|l| l.confirmed);
        assert!(!s.paths.is_empty() || !s.keys.is_empty() || !s.element_ids.is_empty() || by_label, "{} cannot be found", s.id);
        for p in s.paths {
            assert!(SITE.scan_prefixes.iter().any(|pre| p.starts_with(pre)) && !p.ends_with('/'), "{}: path {p}", s.id);
        }
        assert!(!s.title.is_empty() && !s.source.is_empty(), "{}", s.id);
        for key in [s.msg_short, s.msg_title, s.msg_meaning] {
            assert!(common::english().contains_key(key), "{}: no English message {key}", s.id);
        }
        assert!(section(s.section).is_some(), "{}: unknown section {}", s.id, s.section);
        // The on-page labels say "ON (LinkedIn may use your data)" for on: right only while
        // every setting's protective state is off.
        assert_eq!(s.protective, SwitchState::Off, "{}: markOn/markOff assume off protects", s.id);
        assert!(s.show_url().is_some(), "{}: nothing for Show me to open", s.id);
    }
    for sec in SECTIONS {
        assert!(common::english().contains_key(sec.msg), "section {}: no English message {}", sec.id, sec.msg);
        assert!(sec.settings().next().is_some(), "section {} is empty", sec.id);
    }
    assert!(SITE.scan_prefixes.iter().all(|p| p.starts_with('/')));
}

/// The popup's titles are LinkedIn's own words (the catalogue's `title`), in English.
#[test]
fn popup_titles_are_the_catalogue_titles() {
    for s in SETTINGS {
        assert_eq!(common::english()[s.msg_title], s.title, "{}: the popup's English title differs from the catalogue's", s.id);
    }
    for (id, title) in [
        ("ads-beyond-linkedin", "Ads off LinkedIn"),
        ("ads-data-from-others", "Data from others for ads"),
        ("ads-measure-success", "Measure ad success"),
        ("ads-interests", "Interests and traits"),
        ("ads-inferred-age", "Age range"),
        ("ads-inferred-gender", "Gender"),
        ("marketing-promotions", "LinkedIn promotions"),
        ("research", "Social, economic, and workplace research"),
    ] {
        assert_eq!(by_id(id).expect(id).title, title);
    }
}

/// Every label says where it was seen, and wording without evidence is not a confirmed label.
#[test]
fn every_label_has_a_source_line_and_unevidenced_wording_is_not_confirmed() {
    for s in SETTINGS {
        for l in s.labels {
            assert!(l.source.trim().len() >= 5, "{}: label {:?} has no source", s.id, l.text);
        }
    }
    for text in [
        "Share data with select partners",
        "Measure success (conversion tracking)",
        "Inferred interests and traits",
        "Ads beyond LinkedIn",
        "Profile and activity data for LinkedIn's marketing",
        "Inferred age range",
        "Inferred gender",
    ] {
        let confirmed = SETTINGS.iter().flat_map(|s| s.labels).any(|l| l.confirmed && l.norm == normalize(text));
        assert!(!confirmed, "{text:?} has no evidence and must not be a confirmed label");
    }
    let ai = by_id("ai-training").expect("ai");
    let it: Vec<(&str, bool)> = ai.labels.iter().filter(|l| l.lang == "it").map(|l| (l.text, l.confirmed)).collect();
    assert_eq!(it, [("Dati per migliorare l'IA generativa", true), ("Dati per il miglioramento dell'IA generativa", false)]);
    assert!(ai.labels.iter().filter(|l| l.lang == "es").all(|l| !l.confirmed), "Spanish labels are weak evidence");
    let de = by_id("share-with-affiliates").expect("share").labels.iter().find(|l| l.lang == "de").expect("de label");
    assert_eq!(de.text, "Daten mit verbundenen Unternehmen und Partnern teilen");
}

#[test]
fn no_two_settings_share_a_key_id_or_confirmed_label_and_shared_pages_are_keyed() {
    let mut keys = HashSet::new();
    let mut labels = HashSet::new();
    for s in SETTINGS {
        for k in s.keys.iter().chain(s.element_ids) {
            assert!(keys.insert(*k), "key or element id {k} used twice");
        }
        for p in s.paths {
            let sharing: Vec<_> = SETTINGS.iter().filter(|o| o.paths.contains(p)).collect();
            // Two settings on one page are told apart only by their own signals.
            if sharing.len() > 1 {
                assert!(sharing.iter().all(|o| !o.keys.is_empty() || !o.element_ids.is_empty()), "page {p} holds several settings, not all keyed");
            }
        }
        let mut own = HashSet::new();
        for l in s.labels {
            assert_eq!(l.norm, normalize(l.text), "{}: label not normalised", s.id);
            if l.confirmed && s.kind == Kind::Switch && own.insert(l.norm) {
                assert!(labels.insert(l.norm), "label {:?} used by two settings", l.text);
            }
        }
    }
}

/// Every page must be served by a fixture, so the end-to-end tests exercise it in real browsers.
#[test]
fn every_setting_is_covered_by_a_fixture() {
    let routes_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/routes.json");
    let routes: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(routes_file).expect("routes.json")).expect("json");
    let pages = routes["pages"].as_object().expect("pages");
    for s in SETTINGS {
        for p in s.paths {
            assert!(pages.contains_key(*p), "no fixture route for {} at {p}", s.id);
        }
        if s.paths.is_empty() {
            // Found by its page's title: some fixture page must be titled with one of its labels.
            let titled = pages.values().any(|p| s.labels.iter().any(|l| p["title"].as_str().is_some_and(|t| normalize(t) == l.norm)));
            let labelled = pages.values().any(|p| p["switches"].as_array().is_some_and(|sw| sw.iter().any(|w| s.labels.iter().any(|l| w["label"].as_str().is_some_and(|t| normalize(t) == l.norm)))));
            assert!(titled || labelled, "no fixture page shows {}", s.id);
        }
    }
}

/// catalogue.json (what the JavaScript tests read) is the same catalogue as the statics.
#[test]
fn the_json_copy_matches_the_statics() {
    let json: serde_json::Value = serde_json::from_str(CATALOGUE_JSON).expect("catalogue.json");
    let settings = json["settings"].as_array().expect("settings");
    assert_eq!(settings.len(), SETTINGS.len());
    for (j, s) in settings.iter().zip(SETTINGS) {
        assert_eq!(j["id"], s.id);
        assert_eq!(j["paths"].as_array().map(Vec::len), Some(s.paths.len()));
        assert_eq!(j["keys"].as_array().map(Vec::len), Some(s.keys.len()));
        assert_eq!(j["labels"].as_array().map(Vec::len), Some(s.labels.len()));
        assert_eq!(j["msg_title"], s.msg_title);
    }
    assert_eq!(json["site"]["host"], SITE.host);
    // Whole: the statics databake wrote are the values serde wrote (natively, where the
    // sources are kept).
    assert_eq!(serde_json::to_value(&SITE).expect("site"), json["site"]);
    assert_eq!(serde_json::to_value(SECTIONS).expect("sections"), json["sections"]);
    assert_eq!(serde_json::to_value(SETTINGS).expect("settings"), json["settings"]);
    let messages: Vec<&str> = json["messages"].as_array().expect("messages").iter().filter_map(|m| m.as_str()).collect();
    for m in &messages {
        assert!(common::english().contains_key(*m), "catalogue.json names message {m}, which en lacks");
    }
    assert!(messages.contains(&"section_data_use") && messages.contains(&"linkPrivacyPolicy"));
}

#[test]
fn couplings_gpc_and_organisation_facts_are_rule_data() {
    // LinkedIn Help, "Data sharing": opting out of Ads off LinkedIn turns Data sharing off.
    assert_eq!(by_id("ads-beyond-linkedin").expect("ads").turns_off, ["data-sharing"]);
    assert!(SETTINGS.iter().filter(|s| s.id != "ads-beyond-linkedin").all(|s| s.turns_off.is_empty()));
    assert_eq!(SITE.gpc.regions, [Region::Us]);
    assert_eq!(SITE.office.key, r"HKCU\SOFTWARE\Policies\Microsoft\Office\16.0\Common");
    assert_eq!((SITE.office.value, SITE.office.kind, SITE.office.data), ("LinkedIn", "DWORD", "0"));
    assert_eq!(SITE.host, "www.linkedin.com");
    let conn = by_id("microsoft-connection").expect("connection");
    assert_eq!((conn.kind, conn.paths), (Kind::Connection, &["/psettings/partners-and-services"][..]));
    assert_eq!(by_id("cookies").expect("cookies").element_ids, ["nonEssentialCookieConsent"]);
    let promo: Vec<&str> = SETTINGS.iter().filter(|s| s.paths.contains(&"/mypreferences/d/settings/linkedin-promotions")).map(|s| s.id).collect();
    assert_eq!(promo, ["marketing-promotions", "marketing-emails"]);
    assert_eq!(by_id("marketing-emails").expect("emails").keys, ["tipsForUsingLinkedinViaEmail"]);
    assert_eq!(by_id("profile-visibility-partners").expect("visibility").paths.len(), 2);
    // The sections lead with AI training, then advertising data and affiliates.
    let order: Vec<&str> = SECTIONS.iter().map(|s| s.id).collect();
    assert_eq!(&order[..5], ["data-use", "off-platform", "third-party", "activity", "profile"]);
    assert_eq!(SETTINGS[0].id, "ai-training");
}

#[test]
fn policy_regions_match_the_facts() {
    use opt_out_lens_core::catalogue::PolicyKind;
    use opt_out_lens_core::summary::region_text;
    let say = |id: &str, r: Region| region_text(by_id(id).expect("setting"), r).map(|t| common::en(&t));
    // AI training: EU/EEA, UK, CH, CA, HK since 3 Nov 2025; US and elsewhere since 18 Sept 2024.
    for r in [Region::Eu, Region::Uk, Region::Ch, Region::Ca, Region::Hk] {
        assert!(say("ai-training", r).unwrap_or_default().contains("since 2025-11-03"), "{r:?}");
    }
    for r in [Region::Us, Region::Other] {
        assert!(say("ai-training", r).unwrap_or_default().contains("since 2024-09-18"), "{r:?}");
    }
    // Sharing with Microsoft: US and most regions from 3 Nov 2025, not EU/EEA/UK/CH.
    for r in [Region::Us, Region::Ca, Region::Hk, Region::Other] {
        assert!(say("share-with-affiliates", r).unwrap_or_default().contains("since 2025-11-03"), "{r:?}");
    }
    for r in [Region::Eu, Region::Uk, Region::Ch] {
        let p = by_id("share-with-affiliates").expect("share").policy.iter().find(|p| p.regions.contains(&r)).expect("policy");
        assert_eq!(p.kind, PolicyKind::NotApplied, "{r:?}");
    }
    assert_eq!(say("research", Region::Eu), None, "nothing known, nothing said");
}
