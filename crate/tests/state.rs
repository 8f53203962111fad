//! Stored state: loading, migration, and how observations change it.

mod common;

use common::en;
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::catalogue::SwitchState;
use opt_out_lens_core::detect::{Observation, Observed, Reason, StateWord};
use opt_out_lens_core::state::{apply, load, Stored, HISTORY_LIMIT, SCHEMA};
use opt_out_lens_core::summary::{badge, summary};

fn obs(id: &str, observed: Observed) -> Observation {
    Observation { setting: id.into(), observed }
}

/// Observations seen on the page (no change made through the extension).
fn see(s: &mut Stored, observations: &[Observation], now: f64) -> bool {
    apply(s, observations, now, &[])
}

fn fresh() -> Stored {
    load(Ok(None)).stored
}

fn parse(json: &str) -> Result<Option<Stored>, String> {
    serde_json::from_str::<Stored>(json).map(Some).map_err(|e| e.to_string())
}

#[test]
fn nothing_stored_is_a_fresh_start_without_a_reason() {
    let loaded = load(Ok(None));
    assert_eq!(loaded.stored.schema, SCHEMA);
    assert!(loaded.stored.settings.is_empty());
    assert_eq!(loaded.reset_reason, None);
}

#[test]
fn corrupt_newer_and_older_data_is_reset_with_a_reason() {
    for (json, reason_part) in [
        ("{\"schema\": 1, \"settings\": 7}", "unreadable"),
        ("[1,2,3]", "unreadable"),
        ("{\"schema\": 99, \"settings\": {}}", "newer version"),
        ("{\"schema\": 0, \"settings\": {}}", "no known schema"),
    ] {
        let loaded = load(parse(json));
        assert!(loaded.stored.settings.is_empty(), "{json}");
        let reason = loaded.reset_reason.unwrap_or_default();
        assert!(reason.contains(reason_part), "{json}: {reason}");
    }
}

#[test]
fn stored_state_round_trips_and_unknown_ids_are_dropped() {
    let mut s = fresh();
    see(&mut s, &[obs("ai-training", Observed::On)], 1000.0);
    let mut json: serde_json::Value = serde_json::to_value(&s).expect("json");
    assert_eq!(json["settings"]["ai-training"]["state"], "on");
    json["settings"]["retired-setting"] = json["settings"]["ai-training"].clone();
    let loaded = load(parse(&json.to_string()));
    assert_eq!(loaded.stored, s);
    assert!(loaded.reset_reason.unwrap_or_default().contains("forgot 1"));
}

#[test]
fn on_off_observations_record_changes_in_history() {
    let mut s = fresh();
    assert!(see(&mut s, &[obs("ai-training", Observed::On)], 1.0));
    assert!(see(&mut s, &[obs("ai-training", Observed::On)], 2.0), "checked time moves");
    assert!(see(&mut s, &[obs("ai-training", Observed::Off)], 3.0));
    let e = &s.settings["ai-training"];
    assert_eq!(e.observed, Observed::Off);
    assert_eq!(e.checked_at, 3.0);
    assert_eq!(e.changed_at, Some(3.0));
    let changes: Vec<(f64, Option<SwitchState>, SwitchState)> = e.history.iter().map(|c| (c.at, c.from, c.to)).collect();
    assert_eq!(changes, vec![(1.0, None, SwitchState::On), (3.0, Some(SwitchState::On), SwitchState::Off)]);
}

#[test]
fn history_is_bounded() {
    let mut s = fresh();
    for i in 0..(HISTORY_LIMIT * 2 + 1) {
        let state = if i % 2 == 0 { Observed::On } else { Observed::Off };
        see(&mut s, &[obs("research", state)], i as f64);
    }
    let h = &s.settings["research"].history;
    assert_eq!(h.len(), HISTORY_LIMIT);
    assert_eq!(h.last().map(|c| c.at), Some((HISTORY_LIMIT * 2) as f64));
}

#[test]
fn unknown_rules() {
    let mut s = fresh();
    // Loading is never stored.
    assert!(!see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::Loading))], 1.0));
    assert!(s.settings.is_empty());
    // Signed out with nothing known: unknown, with the reason.
    assert!(see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::NotLoggedIn))], 2.0));
    assert_eq!(s.settings["ai-training"].observed, Observed::Unknown(Reason::NotLoggedIn));
    // Signed out after a known state: the known state stays.
    see(&mut s, &[obs("ai-training", Observed::Off)], 3.0);
    assert!(!see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::NotLoggedIn))], 4.0));
    assert_eq!(s.settings["ai-training"].observed, Observed::Off);
    // The page no longer shows the switch: unknown, never a stale "off", but remembered.
    assert!(see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::NotFound))], 5.0));
    let e = &s.settings["ai-training"];
    assert_eq!(e.observed, Observed::Unknown(Reason::NotFound));
    assert_eq!(e.last_known, Some(SwitchState::Off));
}

#[test]
fn summary_and_badge() {
    let mut s = fresh();
    let sum = summary(&s, 0.0, None, &Managed::default());
    assert_eq!(sum.rows.len(), opt_out_lens_core::catalogue::SETTINGS.len());
    assert!(sum.rows.iter().all(|r| r.state == StateWord::Unknown && r.reason == Some(Reason::NotChecked)));
    assert_eq!(badge(&s, &Managed::default()).text, "0");
    assert_eq!(badge(&s, &Managed::default()).color, "#5f6368");

    see(&mut s, &[obs("ai-training", Observed::On), obs("research", Observed::Off), obs("ads-by-nothing", Observed::On)], 0.0);
    let sum = summary(&s, 5.0 * 60_000.0, None, &Managed::default());
    let n = sum.rows.len();
    // Most are not read: the count is a lower bound, never "the rest are safe".
    assert_eq!(en(&sum.headline), format!("1 of {n} settings is known to share your data"));
    // Settings without a page of its own that were never seen are not counted unknown (no check reaches them).
    let unreachable = opt_out_lens_core::catalogue::SETTINGS.iter().filter(|s| s.url().is_none()).count();
    assert_eq!(sum.unknown, n - 2 - unreachable);
    let ai = sum.rows.iter().find(|r| r.id == "ai-training").expect("ai row");
    assert_eq!((ai.state, ai.protective), (StateWord::On, false));
    assert_eq!(ai.seen_text.as_ref().map(en).as_deref(), Some("Checked 5 min ago"));
    assert!(ai.state_text.as_ref().map(en).unwrap_or_default().starts_with("On: LinkedIn may use your data"));
    let research = sum.rows.iter().find(|r| r.id == "research").expect("research row");
    assert_eq!((research.state, research.protective), (StateWord::Off, true));
    let b = badge(&s, &Managed::default());
    assert_eq!((b.text.as_str(), b.color), ("1", "#b3261e"));

    see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::NotFound))], 2.0 * 3_600_000.0);
    let sum = summary(&s, 2.0 * 3_600_000.0, None, &Managed::default());
    let ai = sum.rows.iter().find(|r| r.id == "ai-training").expect("ai row");
    assert_eq!(ai.state, StateWord::Unknown);
    assert_eq!(ai.state_text.as_ref().map(en).as_deref(), Some("On when last seen on 1970-01-01; the latest check could not read it."));
    assert_eq!(ai.reason, Some(Reason::NotFound));
}

#[test]
fn alerts_for_turned_back_on_and_newly_on_after_a_full_check() {
    use opt_out_lens_core::state::{dismiss_alert, sweep_completed, Alert, ChangedBy};
    let mut s = fresh();
    // Before any full check, a first sighting in the on state is not news.
    see(&mut s, &[obs("ai-training", Observed::On)], 1.0);
    assert_eq!(s.settings["ai-training"].alert, None);
    // Turned off through the extension: recorded as such.
    apply(&mut s, &[obs("ai-training", Observed::Off)], 2.0, &["ai-training".to_string()]);
    assert_eq!(s.settings["ai-training"].history.last().and_then(|c| c.by), Some(ChangedBy::UserViaExtension));
    // Seen on again: flagged, and the badge turns amber.
    see(&mut s, &[obs("ai-training", Observed::On)], 3.0);
    assert_eq!(s.settings["ai-training"].alert, Some(Alert::TurnedBackOn));
    assert_eq!(badge(&s, &Managed::default()).color, "#e37400");
    let sum = summary(&s, 3.0, None, &Managed::default());
    assert_eq!(sum.alerts, 1);
    assert!(sum.warning.as_ref().map(en).unwrap_or_default().contains("Data for Generative AI Improvement"));
    assert!(sum.rows[0].changed_at_last_check);
    // Seeing it on again keeps the flag; seeing it off clears it.
    see(&mut s, &[obs("ai-training", Observed::On)], 4.0);
    assert_eq!(s.settings["ai-training"].alert, Some(Alert::TurnedBackOn));
    assert!(!summary(&s, 4.0, None, &Managed::default()).rows[0].changed_at_last_check);
    see(&mut s, &[obs("ai-training", Observed::Off)], 5.0);
    assert_eq!(s.settings["ai-training"].alert, None);
    // After a complete check, a setting seen on for the first time is news.
    sweep_completed(&mut s, 6.0);
    see(&mut s, &[obs("research", Observed::On)], 7.0);
    assert_eq!(s.settings["research"].alert, Some(Alert::NewlyOn));
    assert!(dismiss_alert(&mut s, "research"));
    assert!(!dismiss_alert(&mut s, "research"));
    assert_eq!(summary(&s, 8.0, None, &Managed::default()).alerts, 0);
}

#[test]
fn region_guess() {
    use opt_out_lens_core::catalogue::Region;
    use opt_out_lens_core::region::guess;
    let langs = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for (tz, l, want) in [
        ("Europe/Berlin", &["de-DE"][..], Region::Eu),
        ("Europe/London", &["en-GB"], Region::Uk),
        ("Europe/Zurich", &["de-CH"], Region::Ch),
        ("America/Toronto", &["en-CA"], Region::Ca),
        ("Asia/Hong_Kong", &["zh-HK"], Region::Hk),
        ("America/Los_Angeles", &["en-US"], Region::Us),
        ("America/Indiana/Indianapolis", &["en"], Region::Us),
        ("Europe/Istanbul", &["tr-TR"], Region::Other),
        ("UTC", &["fr-FR", "en"], Region::Eu),
        ("", &["en"], Region::Other),
        ("Asia/Tokyo", &["ja-JP"], Region::Other),
    ] {
        assert_eq!(guess(tz, &langs(l)), want, "{tz} {l:?}");
    }
}

#[test]
fn a_check_that_could_not_read_a_page_keeps_the_old_state_as_stale_with_the_attempt_time() {
    let day = 86_400_000.0;
    let mut s = fresh();
    // On when last seen, 28 November 2025.
    let seen = 1_764_288_000_000.0; // 2025-11-28T00:00:00Z
    see(&mut s, &[obs("ai-training", Observed::On), obs("research", Observed::Off)], seen);
    for reason in [Reason::NotLoaded, Reason::PageError, Reason::Checkpoint, Reason::TimedOut] {
        let mut s = s.clone();
        let tried = seen + 3.0 * day;
        assert!(see(&mut s, &[obs("ai-training", Observed::Unknown(reason)), obs("research", Observed::Unknown(reason))], tried));
        let e = &s.settings["ai-training"];
        assert_eq!(e.observed, Observed::Unknown(reason), "{reason:?}: never promoted to off");
        assert_eq!((e.last_known, e.last_known_at, e.checked_at), (Some(SwitchState::On), Some(seen), tried), "{reason:?}: kept, with the attempt's time");
        let sum = summary(&s, tried + 60_000.0, None, &Managed::default());
        let ai = sum.rows.iter().find(|r| r.id == "ai-training").expect("ai row");
        assert_eq!((ai.state, ai.protective, ai.stale, ai.reportable), (StateWord::Unknown, false, true, true), "{reason:?}");
        assert_eq!(ai.state_text.as_ref().map(en).as_deref(), Some("On when last seen on 2025-11-28; the latest check could not read it."));
        assert_eq!(ai.seen_text.as_ref().map(en).as_deref(), Some("Tried 1 min ago"), "{reason:?}: a row a check tried is never \"never checked\"");
        assert!(ai.reason_text.as_ref().map(en).is_some_and(|t| !t.is_empty()));
        let research = sum.rows.iter().find(|r| r.id == "research").expect("research row");
        assert_eq!(research.state_text.as_ref().map(en).as_deref(), Some("Off when last seen on 2025-11-28; the latest check could not read it."));
        // Neither counts as safe: the headline is a lower bound and the badge is not green.
        assert_eq!(sum.exposed, 0);
        assert_eq!(en(&sum.headline), format!("0 of {} settings are known to share your data", sum.rows.len()));
        assert_eq!(sum.subline.as_ref().map(en).as_deref(), Some("2 settings could not be read at the last check: try them again."));
        assert_ne!(badge(&s, &Managed::default()).color, "#1e7d32", "{reason:?}: never green with an unread setting");
    }
    // A setting never seen before, tried and not read, is not "never checked" either.
    let mut s = fresh();
    see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::NotLoaded))], 5.0);
    let sum = summary(&s, 5.0, None, &Managed::default());
    let ai = sum.rows.iter().find(|r| r.id == "ai-training").expect("ai row");
    assert_eq!((ai.reason, ai.stale, ai.state_text.is_none()), (Some(Reason::NotLoaded), false, true));
    assert_eq!(ai.seen_text.as_ref().map(en).as_deref(), Some("Tried just now"));
    assert_eq!(ai.reason_text.as_ref().map(en).as_deref(), Some("The page did not load, even on a second try."));
}

#[test]
fn every_setting_read_and_off_is_the_only_green() {
    let mut s = fresh();
    let all: Vec<Observation> = opt_out_lens_core::catalogue::SETTINGS
        .iter()
        .map(|c| obs(c.id, if c.protective == SwitchState::Off { Observed::Off } else { Observed::On }))
        .collect();
    see(&mut s, &all, 1.0);
    assert_eq!(badge(&s, &Managed::default()).color, "#1e7d32");
    let n = all.len();
    assert_eq!(en(&summary(&s, 1.0, None, &Managed::default()).headline), format!("0 of {n} settings share your data"));
    see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::NotLoaded))], 2.0);
    assert_eq!(badge(&s, &Managed::default()).color, "#5f6368");
    assert_eq!(en(&summary(&s, 2.0, None, &Managed::default()).headline), format!("0 of {n} settings are known to share your data"));
}

#[test]
fn unrecognised_switches_on_a_settings_page_are_counted_on_its_row() {
    use opt_out_lens_core::state::note_unrecognised;
    let mut s = fresh();
    see(&mut s, &[obs("ai-training", Observed::Unknown(Reason::Unrecognised))], 1.0);
    assert!(note_unrecognised(&mut s, &[("ai-training".into(), 2)]));
    assert!(!note_unrecognised(&mut s, &[("ai-training".into(), 2)]), "unchanged");
    let sum = summary(&s, 1.0, None, &Managed::default());
    let ai = sum.rows.iter().find(|r| r.id == "ai-training").expect("ai row");
    assert_eq!((ai.unrecognised, ai.reportable), (Some(2), true));
    assert_eq!(ai.reason_text.as_ref().map(en).as_deref(), Some("LinkedIn may have changed this page: 2 switches on it are not ones Opt-Out Lens knows."));
    // Stored and read back.
    let back: Stored = serde_json::from_value(serde_json::to_value(&s).expect("json")).expect("stored");
    assert_eq!(back.settings["ai-training"].unrecognised, Some(2));
    // Read later: the count goes.
    see(&mut s, &[obs("ai-training", Observed::Off)], 2.0);
    assert_eq!(s.settings["ai-training"].unrecognised, None);
    // A count for a setting unknown for another reason is not noted.
    see(&mut s, &[obs("research", Observed::Unknown(Reason::NotFound))], 3.0);
    assert!(!note_unrecognised(&mut s, &[("research".into(), 1)]));
}

#[test]
fn alerts_added_are_those_flagged_after_and_not_before() {
    use opt_out_lens_core::state::{alerts_added, Alert};
    let mut before = load(Ok(None)).stored;
    apply(&mut before, &[Observation { setting: "ai-training".into(), observed: Observed::Off }, Observation { setting: "research".into(), observed: Observed::On }], 1.0, &[]);
    let mut after = before.clone();
    apply(&mut after, &[Observation { setting: "ai-training".into(), observed: Observed::On }], 2.0, &[]);
    assert_eq!(after.settings["ai-training"].alert, Some(Alert::TurnedBackOn));
    assert_eq!(alerts_added(Some(&before), &after), vec!["ai-training".to_string()]);
    assert_eq!(alerts_added(None, &after), vec!["ai-training".to_string()]);
    assert!(alerts_added(Some(&after), &after).is_empty(), "an alert already there is no news");
    assert!(alerts_added(Some(&after), &before).is_empty());
}
