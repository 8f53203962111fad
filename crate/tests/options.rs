//! The person's options: which changes are accepted, how another version's stored options
//! read, and that the administrator's setting wins.

use opt_out_lens_core::catalogue::Region;
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::options::{effective, Change, Options};
use serde_json::json;

fn change(v: serde_json::Value) -> Result<Change, String> {
    serde_json::from_value(v).map_err(|e| e.to_string())
}

#[test]
fn a_change_is_accepted_only_with_known_options_of_their_own_types() {
    let base = Options { region: Some(Region::Eu), ..Options::default() };
    for (given, want) in [
        (json!({"notify": true}), Some(Options { region: Some(Region::Eu), notify: Some(true), ..Options::default() })),
        (json!({"region": "ch"}), Some(Options { region: Some(Region::Ch), ..Options::default() })),
        (json!({"remindDays": 30, "showMarks": false}), Some(Options { region: Some(Region::Eu), remind_days: Some(30), show_marks: Some(false), ..Options::default() })),
        (json!({}), Some(base.clone())),
        (json!({"region": "mars"}), None),
        (json!({"region": 3}), None),
        (json!({"remindDays": 14}), None),
        (json!({"remindDays": -7}), None),
        (json!({"remindDays": "7"}), None),
        (json!({"notify": "yes"}), None),
        (json!({"colour": "red"}), None),
        (json!([]), None),
    ] {
        let got = change(given.clone()).ok().and_then(|c| base.with(c).ok());
        assert_eq!(got, want, "{given}");
    }
}

#[test]
fn stored_options_another_version_wrote_keep_what_this_one_can_use() {
    let stored: Options = serde_json::from_value(json!({"region": "atlantis", "notify": true, "remindDays": "weekly", "showMarks": false, "theme": "dark"})).expect("read");
    assert_eq!(stored, Options { region: None, notify: Some(true), remind_days: None, show_marks: Some(false) });
}

#[test]
fn the_administrators_setting_wins() {
    let person = Options { region: Some(Region::Us), notify: Some(true), remind_days: Some(7), show_marks: None };
    let none = effective(&person, &Managed::default(), Region::Other);
    assert_eq!((none.region, none.region_guessed, none.region_managed, none.remind_days, none.remind_managed, none.managed), (Region::Us, false, false, 7, false, false));
    assert!(none.notify && none.show_marks, "marks are on unless turned off");
    let policy = Managed { region: Some(Region::Eu), reminder_days: Some(0), ..Managed::default() };
    let over = effective(&person, &policy, Region::Other);
    assert_eq!((over.region, over.region_guessed, over.region_managed, over.remind_days, over.remind_managed, over.managed), (Region::Eu, false, true, 0, true, true));
    let only_opt_out = effective(&Options::default(), &Managed { allow_opt_out: Some(false), ..Managed::default() }, Region::Ca);
    assert_eq!((only_opt_out.region, only_opt_out.region_guessed, only_opt_out.remind_days, only_opt_out.managed, only_opt_out.notify), (Region::Ca, true, 0, true, false));
    assert!(!effective(&Options { show_marks: Some(false), ..Options::default() }, &Managed::default(), Region::Other).show_marks);
}
