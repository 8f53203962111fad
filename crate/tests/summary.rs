//! What the popup says: sections in LinkedIn's order, the headline's lead, sentences about
//! the person's region, couplings, Global Privacy Control, read-only and list rows.

mod common;

use common::en;
use opt_out_lens_core::catalogue::{Region, SECTIONS, SETTINGS};
use opt_out_lens_core::detect::{Observation, Observed, Reason, StateWord};
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::state::{apply, load, Stored};
use opt_out_lens_core::summary::{summary, Row, Summary};

const T0: f64 = 1_762_162_200_000.0;
const MIN: f64 = 60_000.0;

fn stored_with(seen: &[(&str, Observed)], at: f64) -> Stored {
    let mut s = load(Ok(None)).stored;
    let obs: Vec<Observation> = seen.iter().map(|&(id, o)| Observation { setting: id.into(), observed: o }).collect();
    apply(&mut s, &obs, at, &[]);
    s
}

fn row<'a>(s: &'a Summary, id: &str) -> &'a Row {
    s.rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row {id}"))
}

#[test]
fn rows_are_grouped_as_linkedins_sections_with_ai_training_and_advertising_data_first() {
    let s = summary(&load(Ok(None)).stored, T0, None, &Managed::default());
    assert_eq!(s.rows.len(), SETTINGS.len());
    // Every row's section is listed, sections in catalogue order, rows contiguous per section.
    let order: Vec<&str> = s.sections.iter().map(|h| h.id).collect();
    assert_eq!(order, SECTIONS.iter().map(|h| h.id).collect::<Vec<_>>());
    let mut seen: Vec<&str> = s.rows.iter().map(|r| r.section).collect();
    seen.dedup();
    assert_eq!(seen, order, "rows of one section stand together, in section order");
    let titles: Vec<String> = s.sections.iter().map(|h| en(&h.title)).collect();
    assert_eq!(titles[0], "Data privacy › How LinkedIn uses your data");
    assert_eq!(titles[1], "Advertising data › Off platform data");
    assert_eq!(s.rows[0].id, "ai-training");
    let sharing = s.rows.iter().position(|r| r.id == "share-with-affiliates").expect("affiliates");
    assert!(sharing <= 3, "affiliates near the top ({sharing})");
}

#[test]
fn the_headline_leads_with_the_most_important_settings_that_are_on() {
    let s = summary(&stored_with(&[("ai-training", Observed::On), ("ads-inferred-age", Observed::On)], T0), T0, None, &Managed::default());
    assert_eq!(en(&s.headline), format!("2 of {} settings are known to share your data", SETTINGS.len()), "the rest are not read: a lower bound");
    assert_eq!(s.lead.as_ref().map(en).as_deref(), Some("Most important: AI training is on."));
    let s = summary(
        &stored_with(&[("ai-training", Observed::On), ("share-with-affiliates", Observed::On), ("ads-beyond-linkedin", Observed::On)], T0),
        T0,
        None,
        &Managed::default(),
    );
    assert_eq!(s.lead.as_ref().map(en).as_deref(), Some("Most important: AI training, Sharing with Microsoft and Ads off LinkedIn are on."));
    let s = summary(&stored_with(&[("ai-training", Observed::Off), ("ads-inferred-age", Observed::On)], T0), T0, None, &Managed::default());
    assert_eq!(s.lead, None, "nothing important is on");
}

#[test]
fn region_sentences_read_naturally_everywhere() {
    let stored = load(Ok(None)).stored;
    for r in Region::ALL {
        let s = summary(&stored, T0, Some(r), &Managed::default());
        for row in &s.rows {
            if let Some(t) = &row.region_text {
                let said = en(t);
                assert!(!said.contains('(') && !said.contains("another region") && !said.contains("where you are"), "{r:?} {}: {said}", row.id);
                assert!(said.starts_with("LinkedIn ") || said.starts_with("Since "), "{r:?}: {said}");
                assert!(said.ends_with('.'), "{said}");
            }
        }
    }
    let say = |r: Region, id: &str| summary(&stored, T0, Some(r), &Managed::default()).rows.iter().find(|x| x.id == id).and_then(|x| x.region_text.as_ref().map(en));
    assert_eq!(say(Region::Other, "ai-training").as_deref(), Some("LinkedIn has done this in most countries since 2024-09-18."));
    assert_eq!(say(Region::Eu, "ai-training").as_deref(), Some("LinkedIn has done this in the EU and EEA since 2025-11-03."));
    assert_eq!(say(Region::Uk, "share-with-affiliates").as_deref(), Some("LinkedIn says it does not do this in the UK; the switch may still be there."));
    assert_eq!(
        say(Region::Ch, "ads-inferred-age").as_deref(),
        Some("Since 2025-01-22, LinkedIn needs your consent for this in Switzerland: it should be off unless you turned it on.")
    );
}

#[test]
fn global_privacy_control_is_explained_only_where_linkedin_honours_it() {
    let stored = load(Ok(None)).stored;
    let us = summary(&stored, T0, Some(Region::Us), &Managed::default());
    let note = us.gpc.as_ref().map(en).expect("a GPC note in the US");
    assert!(note.contains("Global Privacy Control") && note.contains("Firefox") && note.contains("Tell websites not to sell or share my data"), "{note}");
    for r in Region::ALL.into_iter().filter(|r| *r != Region::Us) {
        assert_eq!(summary(&stored, T0, Some(r), &Managed::default()).gpc, None, "{r:?}");
    }
    assert_eq!(summary(&stored, T0, None, &Managed::default()).gpc, None, "region not known: nothing claimed");
    // The administrator's region wins.
    let managed = Managed { region: Some(Region::Us), ..Managed::default() };
    assert!(summary(&stored, T0, Some(Region::Eu), &managed).gpc.is_some());
}

#[test]
fn a_switch_linkedin_turns_off_itself_is_recorded_as_linkedins_change() {
    // Both on; the person turns Ads off LinkedIn off through the extension; later Data
    // sharing is seen off without a click.
    let mut s = stored_with(&[("ads-beyond-linkedin", Observed::On), ("data-sharing", Observed::On)], T0);
    let ads_off = [Observation { setting: "ads-beyond-linkedin".into(), observed: Observed::Off }];
    apply(&mut s, &ads_off, T0 + MIN, &["ads-beyond-linkedin".to_string()]);
    let sharing_off = [Observation { setting: "data-sharing".into(), observed: Observed::Off }];
    apply(&mut s, &sharing_off, T0 + 2.0 * MIN, &[]);
    let sum = summary(&s, T0 + 3.0 * MIN, None, &Managed::default());
    let said = row(&sum, "data-sharing").changed_text.as_ref().map(en).expect("a change");
    assert_eq!(said, "Changed 1 min ago (on → off) by LinkedIn itself when “Ads off LinkedIn” was turned off");
    assert!(!said.contains("by you"));
    assert!(row(&sum, "ads-beyond-linkedin").changed_text.as_ref().map(en).expect("change").contains("by you"));
    // Seen off before Ads off LinkedIn was: not attributed to LinkedIn.
    let mut early = stored_with(&[("ads-beyond-linkedin", Observed::On), ("data-sharing", Observed::On)], T0);
    apply(&mut early, &sharing_off, T0 + MIN, &[]);
    apply(&mut early, &ads_off, T0 + 2.0 * MIN, &[]);
    let sum = summary(&early, T0 + 3.0 * MIN, None, &Managed::default());
    assert_eq!(row(&sum, "data-sharing").changed_text.as_ref().map(en).as_deref(), Some("Changed 2 min ago (on → off)"));
}

#[test]
fn the_microsoft_connection_is_a_read_only_row() {
    let seen = summary(&stored_with(&[("microsoft-connection", Observed::On)], T0), T0, None, &Managed::default());
    let r = row(&seen, "microsoft-connection");
    assert_eq!((r.state, r.read_only, r.can_turn_off, r.protective), (StateWord::On, true, false, false));
    assert_eq!(en(&r.pill), "CONNECTED");
    assert!(en(r.state_text.as_ref().expect("meaning")).starts_with("Connected: your LinkedIn and Microsoft accounts are connected"));
    assert_eq!(r.url.as_deref(), Some("https://www.linkedin.com/psettings/partners-and-services"));
    let not_seen = summary(&stored_with(&[("microsoft-connection", Observed::Unknown(Reason::NotSeen))], T0), T0, None, &Managed::default());
    let r = row(&not_seen, "microsoft-connection");
    assert_eq!((r.state, en(&r.pill).as_str()), (StateWord::Unknown, "UNKNOWN"));
    assert_eq!(r.reason_text.as_ref().map(en).as_deref(), Some("Not seen on its page: open Partners and services to check."));
    // A connection that was seen and is now not seen says nothing like "it was off".
    let mut s = stored_with(&[("microsoft-connection", Observed::On)], T0);
    apply(&mut s, &[Observation { setting: "microsoft-connection".into(), observed: Observed::Unknown(Reason::NotSeen) }], T0 + MIN, &[]);
    let sum = summary(&s, T0 + MIN, None, &Managed::default());
    assert_eq!(row(&sum, "microsoft-connection").state_text, None);
}

#[test]
fn list_pages_switches_and_rows_without_a_page() {
    let sum = summary(
        &stored_with(&[("ads-employer", Observed::Unknown(Reason::List)), ("ai-training", Observed::On), ("cookies", Observed::On)], T0),
        T0,
        None,
        &Managed::default(),
    );
    let employer = row(&sum, "ads-employer");
    assert_eq!(employer.state, StateWord::Unknown);
    assert_eq!(employer.reason_text.as_ref().map(en).as_deref(), Some("This page is a list of checkboxes, not one switch: review it on the page."));
    assert!(!employer.can_turn_off);
    assert_eq!(employer.url.as_deref(), Some("https://www.linkedin.com/mypreferences/d/categories/ads"), "Show me opens where it is listed");
    assert!(row(&sum, "ai-training").can_turn_off && row(&sum, "cookies").can_turn_off);
    let word = summary(&stored_with(&[("microsoft-word", Observed::On)], T0), T0, None, &Managed::default());
    assert!(!row(&word, "microsoft-word").can_turn_off, "no page of its own: no job can open it");
    let forbidden = Managed { allow_opt_out: Some(false), ..Managed::default() };
    assert!(!row(&summary(&stored_with(&[("ai-training", Observed::On)], T0), T0, None, &forbidden), "ai-training").can_turn_off);
}

#[test]
fn links_and_organisation_values_come_from_the_rules() {
    let sum = summary(&load(Ok(None)).stored, T0, None, &Managed::default());
    let links: Vec<(String, &str)> = sum.links.iter().map(|l| (en(&l.title), l.url.as_str())).collect();
    assert_eq!(links[0].1, "https://www.linkedin.com/mypreferences/d/categories/privacy");
    assert_eq!(links[2].1, "https://www.linkedin.com/legal/privacy-policy");
    assert_eq!(sum.org.office_registry, r"HKCU\SOFTWARE\Policies\Microsoft\Office\16.0\Common  LinkedIn (DWORD) = 0");
    assert_eq!(sum.org.partners_url.as_deref(), Some("https://www.linkedin.com/psettings/partners-and-services"));
}

#[test]
fn settings_no_check_can_reach_do_not_keep_the_summary_unknown() {
    use opt_out_lens_core::summary::badge;
    // Every switch with a page of its own seen off, the Microsoft entry seen: nothing is
    // unknown and the badge is red only for the connection, though the rows found only by
    // their page's title were never seen.
    let mut seen: Vec<(&str, Observed)> =
        SETTINGS.iter().filter(|s| s.url().is_some() && s.switchable()).map(|s| (s.id, Observed::Off)).collect();
    seen.push(("microsoft-connection", Observed::On));
    let stored = stored_with(&seen, T0);
    let sum = summary(&stored, T0, None, &Managed::default());
    assert_eq!((sum.exposed, sum.unknown), (1, 0));
    assert_eq!(sum.subline, None);
    assert_eq!(row(&sum, "ads-employer").state, StateWord::Unknown, "still not claimed off");
    assert_eq!(row(&sum, "ads-employer").reason, Some(Reason::NotChecked));
    assert_eq!(badge(&stored, &Managed::default()).color, "#b3261e");
    assert_eq!(badge(&stored, &Managed::default()).text, "1");
    // A list page is not "not known yet" either: no check can read it.
    let mut listed = stored.clone();
    apply(&mut listed, &[Observation { setting: "ads-profile-location".into(), observed: Observed::Unknown(Reason::List) }], T0 + MIN, &[]);
    let sum = summary(&listed, T0 + MIN, None, &Managed::default());
    assert_eq!((sum.unknown, sum.subline.is_none()), (0, true));
    assert_eq!(row(&sum, "ads-profile-location").reason, Some(Reason::List));
}

#[test]
fn the_shortcut_opens_the_first_setting_on_else_the_first_not_known() {
    let first_row = |stored: &Stored| summary(stored, T0, None, &Managed::default()).rows[0].id;
    let everything_off: Vec<(&str, Observed)> = SETTINGS.iter().map(|s| (s.id, Observed::Off)).collect();
    for (seen, want) in [
        (vec![], None),
        (vec![("research", Observed::On), ("ai-training", Observed::Off)], Some("research")),
        (vec![("ai-training", Observed::On), ("research", Observed::On)], Some("ai-training")),
        (everything_off.clone(), None),
    ] {
        let stored = stored_with(&seen, T0);
        let got = summary(&stored, T0, None, &Managed::default()).show_first;
        // With nothing on, the first row not known (every row, when nothing was checked).
        let want = want.or_else(|| (seen.len() < SETTINGS.len()).then(|| first_row(&stored)));
        assert_eq!(got, want, "{seen:?}");
    }
    let mut all_off_but_one = everything_off;
    all_off_but_one.retain(|(id, _)| *id != "research");
    assert_eq!(summary(&stored_with(&all_off_but_one, T0), T0, None, &Managed::default()).show_first, Some("research"));
}
