//! Validates the catalogue data (`rules/linkedin.toml`) and its fixture coverage.

use std::collections::HashSet;

use opt_out_lens_core::catalogue::{SETTINGS, SITE};
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
        assert!(!s.short.is_empty() && !s.title.is_empty() && !s.on_means.is_empty() && !s.source.is_empty(), "{}", s.id);
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
