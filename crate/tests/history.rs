//! The History view's timelines: segments and marks from the stored history.

mod common;

use common::en;
use opt_out_lens_core::catalogue::SwitchState::{self, Off, On};
use opt_out_lens_core::detect::{Observation, Observed, Reason, StateWord};
use opt_out_lens_core::history::{history, History, MarkKind, Timeline, MIN_SPAN_MS};
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::objection;
use opt_out_lens_core::state::{apply, load, Change, ChangedBy, Entry, Stored};

const DAY: f64 = 86_400_000.0;
/// 1 November 2026, 00:00 UTC.
const T0: f64 = 1_793_491_200_000.0;

fn fresh() -> Stored {
    load(Ok(None)).stored
}

fn change(day: f64, from: Option<SwitchState>, to: SwitchState, by: Option<ChangedBy>) -> Change {
    Change { at: T0 + day * DAY, from, to, by }
}

/// An entry with these changes, last read on `read_day` and last checked on `checked_day`
/// (a check after the last read could not read it).
fn entry(history: Vec<Change>, read_day: f64, checked_day: f64) -> Entry {
    let last = history.last().map(|c| c.to);
    let unread = checked_day > read_day;
    Entry {
        observed: match (unread, last) {
            (true, _) | (_, None) => Observed::Unknown(Reason::NotLoaded),
            (false, Some(On)) => Observed::On,
            (false, Some(Off)) => Observed::Off,
        },
        checked_at: T0 + checked_day * DAY,
        last_known: last,
        last_known_at: last.map(|_| T0 + read_day * DAY),
        changed_at: history.last().map(|c| c.at),
        history,
        alert: None,
        unrecognised: None,
        read_on: None,
    }
}

fn view(stored: &Stored, now_day: f64) -> History {
    history(stored, T0 + now_day * DAY, &Managed::default())
}

fn line<'a>(h: &'a History, id: &str) -> &'a Timeline {
    h.timelines.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("no timeline for {id}"))
}

/// The segments as (state, from day, to day).
fn segments(t: &Timeline) -> Vec<(StateWord, f64, f64)> {
    t.segments.iter().map(|s| (s.state, (s.from - T0) / DAY, (s.to - T0) / DAY)).collect()
}

/// The marks as (kind, day).
fn marks(t: &Timeline) -> Vec<(MarkKind, f64)> {
    t.marks.iter().map(|m| (m.kind, (m.at - T0) / DAY)).collect()
}

#[test]
fn nothing_stored_says_so_and_draws_nothing() {
    let h = view(&fresh(), 30.0);
    assert!(h.timelines.is_empty());
    assert!(en(h.empty.as_ref().expect("says why it is empty")).starts_with("No history yet."));
    assert_eq!(h.not_read, None, "an empty view does not count what is not read");
    assert_eq!(h.end - h.start, MIN_SPAN_MS);
}

#[test]
fn one_entry_says_no_change_was_seen() {
    let mut s = fresh();
    apply(&mut s, &[Observation { setting: "research".into(), observed: Observed::Off }], T0, &[]);
    let h = view(&s, 0.5);
    assert_eq!(h.empty, None);
    assert_eq!(h.timelines.len(), 1);
    let t = line(&h, "research");
    assert_eq!(segments(t), vec![(StateWord::Off, 0.0, 0.0)], "one reading is a point");
    assert_eq!(marks(t), vec![(MarkKind::FirstSeen, 0.0)]);
    assert_eq!(en(&t.story), "Seen off since it was first read on 2026-11-01; no change seen.");
    assert_eq!(en(&t.marks[0].text), "First seen: off");
    assert_eq!(en(&t.marks[0].when), "2026-11-01 (12 h ago)");
    // The axis spans at least a week, ending now.
    assert_eq!(h.end - h.start, MIN_SPAN_MS);
    assert!((t.marks[0].x - (1.0 - 0.5 / 7.0)).abs() < 1e-9);
    assert_eq!(en(&h.axis[2].text), "Today");
    assert!(en(h.not_read.as_ref().expect("the others")).ends_with("settings have not been read yet."));
}

/// A seeded history with a flip-back, a change through the extension and a gap.
fn seeded() -> Stored {
    let mut s = fresh();
    s.settings.insert(
        "ai-training".into(),
        entry(
            vec![
                change(0.0, None, On, None),
                change(2.0, Some(On), Off, Some(ChangedBy::UserViaExtension)),
                change(10.0, Some(Off), On, None), // LinkedIn turned it back on
                // The gap: this change does not start from what the last one ended in.
                change(20.0, None, Off, None),
            ],
            25.0,
            28.0, // the latest check could not read it
        ),
    );
    s.settings.insert("data-sharing".into(), entry(vec![change(1.0, None, On, None), change(12.0, Some(On), Off, None)], 12.0, 12.0));
    s.settings.insert("ads-beyond-linkedin".into(), entry(vec![change(1.0, None, On, None), change(11.0, Some(On), Off, Some(ChangedBy::UserViaExtension))], 11.0, 11.0));
    s.settings.insert("research".into(), entry(vec![change(3.0, None, On, None), change(5.0, Some(On), Off, None)], 6.0, 6.0));
    s
}

#[test]
fn segments_join_where_the_history_joins_and_are_unknown_in_its_gaps() {
    let h = view(&seeded(), 30.0);
    assert_eq!(h.start, T0, "the axis starts at the oldest entry");
    let ai = line(&h, "ai-training");
    assert_eq!(
        segments(ai),
        vec![
            (StateWord::On, 0.0, 2.0),
            (StateWord::Off, 2.0, 10.0),
            (StateWord::Unknown, 10.0, 20.0), // the gap
            (StateWord::Off, 20.0, 25.0),     // to the last reading
            (StateWord::Unknown, 25.0, 28.0), // the latest check could not read it
        ]
    );
    assert_eq!(
        marks(ai),
        vec![
            (MarkKind::FirstSeen, 0.0),
            (MarkKind::Extension, 2.0),
            (MarkKind::FlipBack, 10.0),
            (MarkKind::Seen, 20.0),
            (MarkKind::Check, 25.0),
            (MarkKind::Unreadable, 28.0),
        ]
    );
    let texts: Vec<String> = ai.marks.iter().map(|m| en(&m.text)).collect();
    assert_eq!(texts[1], "Turned off by Opt-Out Lens, on your confirmation");
    assert_eq!(texts[2], "Turned back on after it was off, not through Opt-Out Lens: by LinkedIn, or by someone on LinkedIn");
    assert_eq!(texts[3], "Seen: off; the history does not say what came before");
    assert_eq!(texts[5], "Checked: could not be read (the page did not load)");
    let states: Vec<String> = ai.marks.iter().map(|m| m.state.as_ref().map(en).unwrap_or_default()).collect();
    assert_eq!(states, ["ON", "OFF", "ON", "OFF", "OFF", "UNKNOWN"]);
    assert_eq!(en(&ai.story), "Could not be read on 2026-11-29; last seen off on 2026-11-26.");
    assert_eq!(en(&ai.segments[2].text), "Not known from 2026-11-11 to 2026-11-21");
    // Positions follow the times on one axis.
    assert_eq!(ai.segments[0].x0, 0.0);
    assert!((ai.segments[1].x0 - 2.0 / 30.0).abs() < 1e-9);
    assert_eq!(ai.segments[0].look, opt_out_lens_core::entra::Look::Exposed);
    assert_eq!(ai.segments[1].look, opt_out_lens_core::entra::Look::Protective);
}

#[test]
fn who_made_each_change() {
    let h = view(&seeded(), 30.0);
    // Data sharing went off right after Ads off LinkedIn was turned off: LinkedIn couples them.
    let sharing = line(&h, "data-sharing");
    assert_eq!(marks(sharing), vec![(MarkKind::FirstSeen, 1.0), (MarkKind::Linkedin, 12.0)]);
    assert_eq!(en(&sharing.marks[1].text), "Turned off by LinkedIn itself when “Ads off LinkedIn” was turned off");
    let ads = line(&h, "ads-beyond-linkedin");
    assert_eq!(marks(ads)[1].0, MarkKind::Extension);
    assert_eq!(en(&ads.story), "Seen off since 2026-11-12; 1 change seen.");
    // Turned off on LinkedIn by the person, and a later check that saw no change.
    let research = line(&h, "research");
    assert_eq!(marks(research), vec![(MarkKind::FirstSeen, 3.0), (MarkKind::Person, 5.0), (MarkKind::Check, 6.0)]);
    assert_eq!(en(&research.marks[1].text), "Turned off on LinkedIn, not through Opt-Out Lens");
    assert_eq!(segments(research), vec![(StateWord::On, 3.0, 5.0), (StateWord::Off, 5.0, 6.0)]);
}

#[test]
fn a_flip_back_is_the_story() {
    let mut s = fresh();
    s.settings.insert(
        "data-sharing".into(),
        entry(vec![change(0.0, None, On, None), change(2.0, Some(On), Off, Some(ChangedBy::UserViaExtension)), change(9.0, Some(Off), On, None)], 9.0, 9.0),
    );
    let t = view(&s, 10.0).timelines.remove(0);
    assert_eq!(en(&t.story), "Turned back on, not through Opt-Out Lens: off from 2026-11-03, seen on again on 2026-11-10.");
    assert_eq!(t.segments.last().map(|s| s.state), Some(StateWord::On));
}

#[test]
fn never_read_and_not_watched() {
    let mut s = fresh();
    s.settings.insert("research".into(), entry(vec![], 0.0, 4.0));
    let h = view(&s, 5.0);
    let t = line(&h, "research");
    assert!(t.segments.is_empty());
    assert_eq!(marks(t), vec![(MarkKind::Unreadable, 4.0)]);
    assert_eq!(en(&t.story), "Never read: the latest check, on 2026-11-05, could not read it.");
    let managed = Managed { watch_settings: Some(vec!["ai-training".into()]), ..Managed::default() };
    assert!(history(&s, T0 + 5.0 * DAY, &managed).timelines.is_empty(), "a setting not watched has no timeline");
}

#[test]
fn the_objection_is_marked_on_its_settings_row() {
    let mut s = seeded();
    assert!(objection::tell(&mut s, true, T0 + 26.0 * DAY));
    assert!(objection::tell(&mut s, false, T0 + 27.0 * DAY));
    assert!(objection::tell(&mut s, true, T0 + 27.5 * DAY));
    let h = view(&s, 30.0);
    let ai = line(&h, "ai-training");
    let told: Vec<(MarkKind, f64)> = marks(ai).into_iter().filter(|(k, _)| matches!(k, MarkKind::ObjectionSent | MarkKind::ObjectionUndone)).collect();
    assert_eq!(told, vec![(MarkKind::ObjectionSent, 26.0), (MarkKind::ObjectionUndone, 27.0), (MarkKind::ObjectionSent, 27.5)]);
    let sent = ai.marks.iter().find(|m| m.kind == MarkKind::ObjectionSent).expect("sent");
    assert_eq!(sent.state, None, "what the person told is not a state");
    assert_eq!(en(&sent.text), "You sent LinkedIn’s objection form (as you told Opt-Out Lens)");
    // Told but nothing read: the AI row still has its story.
    let mut only = fresh();
    objection::tell(&mut only, true, T0);
    let h = view(&only, 1.0);
    assert_eq!(h.timelines.len(), 1);
    assert_eq!(en(&h.timelines[0].story), "Not read yet.");
    assert_eq!(h.timelines[0].marks.len(), 1);
}
