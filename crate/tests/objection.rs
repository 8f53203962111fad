//! LinkedIn's objection form: the row per region, what the person tells, and where it goes
//! (headline, export, forgetting, loading what an older version stored).

mod common;

use common::en;
use opt_out_lens_core::catalogue::{Region, SITE};
use opt_out_lens_core::detect::{Observation, Observed};
use opt_out_lens_core::entra::Look;
use opt_out_lens_core::export::{export, markdown};
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::objection::{tell, Applies};
use opt_out_lens_core::state::{apply, load, Stored};
use opt_out_lens_core::summary::summary;

/// 12 December 2026, 10:00 UTC.
const SENT: f64 = 1_797_069_600_000.0;

fn fresh() -> Stored {
    load(Ok(None)).stored
}

fn sent() -> Stored {
    let mut s = fresh();
    assert!(tell(&mut s, true, SENT));
    s
}

/// (applies, pill, region sentence, sent sentence, offers the form, count line) for `region`.
fn check(stored: &Stored, region: Option<Region>, want: (Applies, &str, &str, Option<&str>, bool, Option<&str>)) {
    let s = summary(stored, SENT + 60_000.0, region, &Managed::default());
    let o = s.objection.as_ref().expect("the row");
    let got = (o.applies, en(&o.pill), en(&o.region_text), o.sent_text.as_ref().map(en), o.offer, o.count_text.as_ref().map(en));
    let want = (want.0, want.1.to_string(), want.2.to_string(), want.3.map(String::from), want.4, want.5.map(String::from));
    assert_eq!(got, want, "region {region:?}");
}

#[test]
fn the_facts_are_in_the_rules() {
    assert_eq!(SITE.objection.path, "/help/linkedin/ask/TS-DPRO");
    // The sentences name these three places: a change here must change them too.
    assert_eq!(SITE.objection.regions, &[Region::Eu, Region::Uk, Region::Ch]);
    assert!(!SITE.objection.source.is_empty());
    let o = summary(&fresh(), SENT, Some(Region::Eu), &Managed::default()).objection.expect("row");
    assert_eq!(o.url, "https://www.linkedin.com/help/linkedin/ask/TS-DPRO");
    assert_eq!((o.after, o.section), ("ai-training", "data-use"));
    assert!(en(&o.why).starts_with("The switch above covers only AI that creates content."));
}

#[test]
fn the_row_per_region_before_anything_is_told() {
    let s = fresh();
    let not_sent = "Opt-Out Lens reads nothing about it from LinkedIn: once you have sent the form, tell it here.";
    let count = "Not counted above: LinkedIn’s objection form for its other AI training, not sent yet.";
    for (r, place) in [(Region::Eu, "in the EU and EEA"), (Region::Uk, "in the UK"), (Region::Ch, "in Switzerland")] {
        let applies = format!("LinkedIn offers this form {place} (privacy notice of 2025-11-03).");
        check(&s, Some(r), (Applies::Yes, "NOT SENT", &applies, Some(not_sent), true, Some(count)));
    }
    for (r, name) in [(Region::Us, "United States"), (Region::Ca, "Canada"), (Region::Hk, "Hong Kong"), (Region::Other, "another region")] {
        let no = format!("LinkedIn offers this form only in the EU and EEA, the UK and Switzerland, so not for your region ({name}).");
        check(&s, Some(r), (Applies::No, "NOT FOR YOUR REGION", &no, None, false, None));
    }
    let unknown = "LinkedIn offers this form only in the EU and EEA, the UK and Switzerland. Choose where you live in the options to see whether it is for you.";
    check(&s, None, (Applies::Unknown, "NOT SENT", unknown, Some(not_sent), true, Some(count)));
}

#[test]
fn sent_is_said_with_its_date_everywhere_and_never_as_off() {
    let s = sent();
    let said = "You sent it on 2026-12-12 (as you told Opt-Out Lens).";
    let count = "Not counted above: you sent LinkedIn’s objection to its other AI training on 2026-12-12 (as you told Opt-Out Lens).";
    let applies = "LinkedIn offers this form in the EU and EEA (privacy notice of 2025-11-03).";
    check(&s, Some(Region::Eu), (Applies::Yes, "SENT", applies, Some(said), true, Some(count)));
    // Told, then the region changed: what the person told still shows, with its Undo.
    let no = "LinkedIn offers this form only in the EU and EEA, the UK and Switzerland, so not for your region (United States).";
    check(&s, Some(Region::Us), (Applies::No, "SENT", no, Some(said), false, Some(count)));
    let sum = summary(&s, SENT, Some(Region::Eu), &Managed::default());
    let o = sum.objection.as_ref().expect("row");
    assert!(o.sent);
    assert_eq!(o.look, Look::Protective);
    // The switches' count is untouched: it is not a setting, and nothing here is "off".
    assert_eq!((sum.exposed, sum.unknown, sum.rows.len()), {
        let before = summary(&fresh(), SENT, Some(Region::Eu), &Managed::default());
        (before.exposed, before.unknown, before.rows.len())
    });
    assert_eq!(en(&sum.headline), en(&summary(&fresh(), SENT, Some(Region::Eu), &Managed::default()).headline));
}

#[test]
fn telling_twice_changes_nothing_and_undo_is_kept_in_the_history() {
    let mut s = fresh();
    assert!(!tell(&mut s, false, SENT), "nothing to undo");
    assert!(tell(&mut s, true, SENT));
    assert!(!tell(&mut s, true, SENT + 1.0), "said once is enough");
    assert!(tell(&mut s, false, SENT + 2.0));
    assert_eq!(s.objection.sent_at, None);
    let told: Vec<bool> = s.objection.history.iter().map(|t| t.sent).collect();
    assert_eq!(told, [true, false]);
    let o = summary(&s, SENT, Some(Region::Ch), &Managed::default()).objection.expect("row");
    assert!(!o.sent);
    assert_eq!(en(&o.pill), "NOT SENT");
    assert_eq!(o.look, Look::Unknown);
}

#[test]
fn not_shown_when_its_setting_is_not_watched() {
    let managed = Managed { watch_settings: Some(vec!["research".into()]), ..Managed::default() };
    assert!(summary(&sent(), SENT, Some(Region::Eu), &managed).objection.is_none());
    let managed = Managed { watch_settings: Some(vec!["ai-training".into()]), region: Some(Region::Eu), ..Managed::default() };
    assert_eq!(summary(&sent(), SENT, Some(Region::Us), &managed).objection.map(|o| o.applies), Some(Applies::Yes), "the organisation's region");
}

#[test]
fn exported_as_told_and_stored_back_compatibly() {
    let mut s = sent();
    apply(&mut s, &[Observation { setting: "ai-training".into(), observed: Observed::On }], SENT - 1000.0, &[]);
    let json = serde_json::to_value(export(&s, SENT + 1000.0)).expect("json");
    assert_eq!(json["version"], 2);
    assert_eq!(json["objection"]["sent"], true);
    assert_eq!(json["objection"]["sentAt"], "2026-12-12T10:00:00Z");
    assert_eq!(json["objection"]["formUrl"], "https://www.linkedin.com/help/linkedin/ask/TS-DPRO");
    assert_eq!(json["objection"]["regions"], serde_json::json!(["eu", "uk", "ch"]));
    assert_eq!(json["objection"]["history"], serde_json::json!([{ "at": "2026-12-12T10:00:00Z", "sent": true }]));
    let none = serde_json::to_value(export(&fresh(), SENT)).expect("json");
    assert_eq!(none["objection"]["sent"], false);
    assert_eq!(none["objection"]["sentAt"], serde_json::Value::Null);

    let md = markdown(&s, SENT + 1000.0, &mut common::lookup);
    assert!(md.contains("- 2026-12-12T10:00:00Z — Other AI training: LinkedIn’s objection form: You sent LinkedIn’s objection form (as you told Opt-Out Lens)"), "{md}");
    assert!(md.contains("## Other AI training: LinkedIn’s objection form"), "{md}");
    assert!(md.contains("You sent it on 2026-12-12 (as you told Opt-Out Lens). https://www.linkedin.com/help/linkedin/ask/TS-DPRO"), "{md}");

    // Stored with the state; nothing stored when nothing was told; what an older version
    // stored (no `objection`) loads as nothing told.
    let stored = serde_json::to_value(&s).expect("json");
    assert_eq!(stored["objection"]["sentAt"], SENT);
    assert!(serde_json::to_value(fresh()).expect("json").get("objection").is_none());
    let old: Stored = serde_json::from_value(serde_json::json!({ "schema": 1, "settings": {}, "baselineAt": null })).expect("old layout");
    let loaded = load(Ok(Some(old))).stored;
    assert!(loaded.objection.is_empty());
    let back: Stored = serde_json::from_value(stored).expect("round trip");
    assert_eq!(load(Ok(Some(back))).stored, s);
}
