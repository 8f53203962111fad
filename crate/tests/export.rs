//! The JSON and Markdown exports.

mod common;

use opt_out_lens_core::detect::{Observation, Observed};
use opt_out_lens_core::date::rfc3339;
use opt_out_lens_core::export::{export, markdown, FORMAT, VERSION};
use opt_out_lens_core::state::{apply, load, sweep_completed};

#[test]
fn rfc3339_dates() {
    for (ms, want) in [
        (0.0, "1970-01-01T00:00:00Z"),
        (1_762_162_200_000.0, "2025-11-03T09:30:00Z"),
        (951_782_400_000.0, "2000-02-29T00:00:00Z"),
        (1_798_761_599_999.0, "2026-12-31T23:59:59Z"),
    ] {
        assert_eq!(rfc3339(ms), want);
    }
}

#[test]
fn export_lists_every_setting_with_history() {
    let mut s = load(Ok(None)).stored;
    let obs = |state| vec![Observation { setting: "ai-training".into(), observed: state }];
    apply(&mut s, &obs(Observed::On), 1_762_162_200_000.0, &[]);
    apply(&mut s, &obs(Observed::Off), 1_762_162_260_000.0, &["ai-training".to_string()]);
    sweep_completed(&mut s, 1_762_162_300_000.0);
    let e = export(&s, 1_762_162_320_000.0);
    let json = serde_json::to_value(&e).expect("json");
    assert_eq!(json["format"], FORMAT);
    assert_eq!(json["version"], VERSION);
    assert_eq!(json["exportedAt"], "2025-11-03T09:32:00Z");
    assert_eq!(json["lastFullCheckAt"], "2025-11-03T09:31:40Z");
    assert_eq!(json["summary"]["total"], json["settings"].as_array().map_or(0, Vec::len));
    let ai = &json["settings"][0];
    assert_eq!(ai["id"], "ai-training");
    assert_eq!(ai["state"], "off");
    assert_eq!(ai["history"][1]["by"], "user-via-extension");
    assert_eq!(ai["history"][1]["from"], "on");
    assert_eq!(json["settings"][1]["state"], "unknown");
    assert_eq!(json["settings"][1]["reason"], "not-checked");

    let md = markdown(&s, 1_762_162_320_000.0, &mut common::lookup);
    assert!(md.starts_with("# Opt-Out Lens report"));
    assert!(md.contains("| Data for Generative AI Improvement | OFF | 2025-11-03T09:31:00Z |"));
    assert!(md.contains("on → off (by you, through Opt-Out Lens)"));
}
