//! Validates the catalogue data (`rules/linkedin.toml`) and its fixture coverage.

use std::collections::HashSet;

mod common;

use opt_out_lens_core::catalogue::{SwitchState, SETTINGS, SITE};
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
    ] {
        assert!(seen.contains(id), "missing {id}");
    }
}

#[test]
fn every_setting_has_a_path_or_key_and_the_words_the_ui_needs() {
    for s in SETTINGS {
        assert!(!s.paths.is_empty() || !s.keys.is_empty(), "{} has neither path nor key", s.id);
        for p in s.paths {
            assert!(p.starts_with("/mypreferences/") && !p.ends_with('/'), "{}: path {p}", s.id);
        }
        assert!(!s.title.is_empty() && !s.source.is_empty(), "{}", s.id);
        for key in [s.msg_short, s.msg_title, s.msg_meaning] {
            assert!(common::english().contains_key(key), "{}: no English message {key}", s.id);
        }
        // The on-page labels say "ON (LinkedIn may use your data)" for on: right only while
        // every setting's protective state is off.
        assert_eq!(s.protective, SwitchState::Off, "{}: markOn/markOff assume off protects", s.id);
    }
    assert!(SITE.scan_prefixes.iter().all(|p| p.starts_with('/')));
}

#[test]
fn no_two_settings_share_a_key_path_or_confirmed_label() {
    let mut keys = HashSet::new();
    let mut paths = HashSet::new();
    let mut labels = HashSet::new();
    for s in SETTINGS {
        for k in s.keys {
            assert!(keys.insert(*k), "key {k} used twice");
        }
        for p in s.paths {
            assert!(paths.insert(*p), "path {p} used twice");
        }
        let mut own = HashSet::new();
        for l in s.labels {
            assert_eq!(l.norm, normalize(l.text), "{}: label not normalised", s.id);
            if own.insert(l.norm) {
                assert!(labels.insert(l.norm), "label {:?} used by two settings", l.text);
            }
        }
    }
}

/// Every setting must be served by a fixture page at its path, so the end-to-end tests
/// exercise it in real browsers.
#[test]
fn every_setting_is_covered_by_a_fixture() {
    let routes_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/routes.json");
    let text = std::fs::read_to_string(routes_file).expect("tests/fixtures/routes.json");
    for s in SETTINGS {
        for p in s.paths {
            assert!(text.contains(&format!("\"{p}\"")), "no fixture route for {} at {p}", s.id);
        }
    }
}

#[test]
fn policy_regions_match_the_facts() {
    use opt_out_lens_core::catalogue::{PolicyKind, Region};
    use opt_out_lens_core::summary::region_text;
    let by_id = |id: &str| SETTINGS.iter().find(|s| s.id == id).expect("setting");
    let say = |id: &str, r: Region| region_text(by_id(id), r).map(|t| common::en(&t));
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
        let p = by_id("share-with-affiliates").policy.iter().find(|p| p.regions.contains(&r)).expect("policy");
        assert_eq!(p.kind, PolicyKind::NotApplied, "{r:?}");
    }
    assert_eq!(say("research", Region::Eu), None, "nothing known, nothing said");
}
