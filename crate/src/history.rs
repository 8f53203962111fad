//! Each setting's story as a picture: the History view's timelines, computed from the
//! stored history. The shell draws them (SVG, and a table with the same facts) and decides
//! nothing: every segment, mark, position and sentence comes from here.
//!
//! What the stored state says, and so what a timeline can say: each change a check saw
//! (when, from what, to what, and whether the person made it through Opt-Out Lens), when
//! the state was last read and when the latest check was. A state is drawn from the check
//! that saw it to the next change, and the latest from there to the latest check; after
//! that, nothing is claimed (the axis runs on to today). A state is "not known" where the
//! history cannot say it: after the last state read, when the latest check could not read
//! it, and between two changes that do not join (the later one does not start from what
//! the earlier one ended in: a gap the history does not cover).

use serde::Serialize;

use crate::catalogue::{Setting, SwitchState, SETTINGS, SITE};
use crate::date::rfc3339;
use crate::detect::{Observed, StateWord};
use crate::entra::Look;
use crate::managed::Managed;
use crate::state::{ChangedBy, Entry, Stored};
use crate::summary::{ago, why, word};
use crate::text::{Arg, Text};

/// The shortest time the axis spans, so that a history of one day is not stretched wide.
pub const MIN_SPAN_MS: f64 = 7.0 * 86_400_000.0;

/// The History view.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// The axis's first moment (ms since the epoch).
    pub start: f64,
    /// Its last: now.
    pub end: f64,
    /// Dates along the axis: its start, its middle, and today.
    pub axis: Vec<AxisLabel>,
    /// What an empty history means, when nothing was ever read.
    pub empty: Option<Text>,
    /// How many settings have no story yet, when some do.
    pub not_read: Option<Text>,
    /// One timeline per setting with a story, in catalogue order.
    pub timelines: Vec<Timeline>,
}

/// A date on the axis.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AxisLabel {
    /// Where, from 0 (start) to 1 (now).
    pub x: f64,
    /// The date, and how long ago.
    pub text: Text,
}

/// One setting's story.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    /// Setting id.
    pub id: &'static str,
    /// Its title.
    pub title: Text,
    /// The story in one sentence: "Seen off since 5 December 2026; 3 changes seen."
    pub story: Text,
    /// The picture's accessible name: "Data sharing, from 3 November 2026 to 7 December 2026".
    pub label: Text,
    /// On, off and not known, oldest first, end to end where the history joins.
    pub segments: Vec<Segment>,
    /// Checks, changes (by who made them) and what the person told, oldest first.
    pub marks: Vec<Mark>,
}

/// A stretch of time in one state.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// `on`, `off`, or `unknown`.
    pub state: StateWord,
    /// Protective, exposed or unknown (the colour).
    pub look: Look,
    /// From (ms since the epoch).
    pub from: f64,
    /// To.
    pub to: f64,
    /// `from` on the axis, 0 to 1.
    pub x0: f64,
    /// `to` on the axis.
    pub x1: f64,
    /// "Off from 3 November 2026 to 20 November 2026".
    pub text: Text,
}

/// What a mark stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkKind {
    /// The first state read.
    FirstSeen,
    /// A state read after a gap: the state before it is not known.
    Seen,
    /// A check that read the state and saw no change.
    Check,
    /// A check that could not read the state.
    Unreadable,
    /// Turned to the protective state on LinkedIn, not through Opt-Out Lens.
    Person,
    /// Turned back to the exposed state, not through Opt-Out Lens: LinkedIn flipped it back
    /// (or someone did on LinkedIn). Drawn in the warning colour.
    FlipBack,
    /// Turned by Opt-Out Lens, on the person's confirmation.
    Extension,
    /// Turned off by LinkedIn itself, because another setting it couples was turned off.
    Linkedin,
    /// The person said they sent LinkedIn's objection form.
    ObjectionSent,
    /// The person took that back.
    ObjectionUndone,
}

/// One moment on a timeline, and a row of its table.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mark {
    /// What it stands for.
    pub kind: MarkKind,
    /// When (ms since the epoch).
    pub at: f64,
    /// Where, 0 to 1.
    pub x: f64,
    /// The date and how long ago: "3 December 2026 (4 days ago)".
    pub when: Text,
    /// The state from then on, as the popup's pill says it ("ON"); `None` for what the
    /// person told.
    pub state: Option<Text>,
    /// What happened, and who did it.
    pub text: Text,
}

/// The History view of `stored` at `now`, for the settings an administrator lets the
/// extension watch.
pub fn history(stored: &Stored, now: f64, managed: &Managed) -> History {
    let watched: Vec<&'static Setting> = SETTINGS.iter().filter(|s| managed.watches(s.id)).collect();
    let told = &stored.objection.history;
    let objection_setting = SITE.objection.setting;
    let with_story = |s: &Setting| stored.settings.contains_key(s.id) || (s.id == objection_setting && !told.is_empty());
    let first = watched
        .iter()
        .filter(|s| with_story(s))
        .filter_map(|s| {
            let e = stored.settings.get(s.id);
            let changes = e.and_then(|e| e.history.first().map(|c| c.at));
            let checked = e.map(|e| e.checked_at);
            let told = if s.id == objection_setting { told.first().map(|t| t.at) } else { None };
            [changes, checked, told].into_iter().flatten().reduce(f64::min)
        })
        .reduce(f64::min);
    let start = first.unwrap_or(now).min(now - MIN_SPAN_MS);
    let axis = Axis { start, end: now };
    let timelines: Vec<Timeline> = watched.iter().filter(|s| with_story(s)).map(|s| timeline(s, stored, &axis)).collect();
    let not_read = watched.len() - timelines.len();
    History {
        start,
        end: now,
        axis: vec![
            AxisLabel { x: 0.0, text: Text::new("historyAxisDate").arg(date(start)) },
            AxisLabel { x: 0.5, text: Text::new("historyAxisDate").arg(date(start + (now - start) / 2.0)) },
            AxisLabel { x: 1.0, text: Text::new("historyAxisToday") },
        ],
        empty: timelines.is_empty().then(|| Text::new("historyEmpty")),
        not_read: match (timelines.is_empty(), not_read) {
            (true, _) | (_, 0) => None,
            (false, 1) => Some(Text::new("historyNotReadOne")),
            (false, n) => Some(Text::new("historyNotRead").arg(n)),
        },
        timelines,
    }
}

struct Axis {
    start: f64,
    end: f64,
}

impl Axis {
    fn x(&self, at: f64) -> f64 {
        ((at - self.start) / (self.end - self.start)).clamp(0.0, 1.0)
    }

    /// "3 December 2026 (4 days ago)".
    fn when(&self, at: f64) -> Text {
        Text::new("historyWhen").arg(date(at)).arg(ago(self.end, at))
    }
}

fn date(at: f64) -> Arg {
    Arg::date(rfc3339(at)[..10].to_string())
}

fn pill(state: StateWord) -> Text {
    Text::new(match state {
        StateWord::On => "pillOn",
        StateWord::Off => "pillOff",
        StateWord::Unknown => "pillUnknown",
    })
}

fn state_word(s: SwitchState) -> StateWord {
    match s {
        SwitchState::On => StateWord::On,
        SwitchState::Off => StateWord::Off,
    }
}

fn timeline(s: &'static Setting, stored: &Stored, axis: &Axis) -> Timeline {
    let entry = stored.settings.get(s.id);
    let mut segments = Vec::new();
    let mut marks = Vec::new();
    if let Some(e) = entry {
        draw(s, e, stored, axis, &mut segments, &mut marks);
    }
    if s.id == SITE.objection.setting {
        for t in &stored.objection.history {
            let (kind, key) = if t.sent { (MarkKind::ObjectionSent, "eventObjectionSent") } else { (MarkKind::ObjectionUndone, "eventObjectionUndone") };
            marks.push(Mark { kind, at: t.at, x: axis.x(t.at), when: axis.when(t.at), state: None, text: Text::new(key) });
        }
    }
    // Oldest first; at the same moment, a change before what was told.
    marks.sort_by(|a, b| a.at.total_cmp(&b.at));
    let title = Text::new(s.msg_title);
    Timeline {
        id: s.id,
        label: Text::new("historyTimelineLabel").arg(title.clone()).arg(date(axis.start)).arg(date(axis.end)),
        title,
        story: entry.map_or_else(|| Text::new("storyNothingRead"), |e| story(s, e, stored)),
        segments,
        marks,
    }
}

/// The segments and marks of one setting's stored entry.
fn draw(s: &Setting, e: &Entry, stored: &Stored, axis: &Axis, segments: &mut Vec<Segment>, marks: &mut Vec<Mark>) {
    let mut segment = |state: StateWord, from: f64, to: f64| {
        let look = match state {
            StateWord::Unknown => Look::Unknown,
            StateWord::On if s.protective == SwitchState::On => Look::Protective,
            StateWord::Off if s.protective == SwitchState::Off => Look::Protective,
            _ => Look::Exposed,
        };
        let key = match state {
            StateWord::On => "segmentOn",
            StateWord::Off => "segmentOff",
            StateWord::Unknown => "segmentUnknown",
        };
        segments.push(Segment { state, look, from, to, x0: axis.x(from), x1: axis.x(to), text: Text::new(key).arg(date(from)).arg(date(to)) });
    };
    let h = &e.history;
    // Where the last state read ends: the latest check that read it.
    let read_until = e.last_known_at.unwrap_or(e.checked_at).max(h.last().map_or(f64::MIN, |c| c.at));
    for (i, c) in h.iter().enumerate() {
        let next = h.get(i + 1);
        match next {
            // The next change starts from what this one ended in: one stretch.
            Some(n) if n.from == Some(c.to) => segment(state_word(c.to), c.at, n.at),
            // It does not: the history does not say what happened between.
            Some(n) => segment(StateWord::Unknown, c.at, n.at),
            None => segment(state_word(c.to), c.at, read_until),
        }
        let (kind, text) = change_mark(s, i, c, h, stored);
        marks.push(Mark { kind, at: c.at, x: axis.x(c.at), when: axis.when(c.at), state: Some(pill(state_word(c.to))), text });
    }
    let last_change = h.last().map(|c| c.at);
    // The last check that read the state without seeing a change.
    if let (Some(at), Some(was)) = (e.last_known_at, e.last_known) {
        if Some(at) != last_change {
            marks.push(Mark { kind: MarkKind::Check, at, x: axis.x(at), when: axis.when(at), state: Some(pill(state_word(was))), text: Text::new("eventCheck") });
        }
    }
    // The latest check, when it could not read the state: not known since the last read.
    if let Observed::Unknown(reason) = e.observed {
        let at = e.checked_at;
        if e.last_known_at.is_none_or(|k| at > k) {
            if let Some(k) = e.last_known_at {
                segment(StateWord::Unknown, k, at);
            }
            marks.push(Mark {
                kind: MarkKind::Unreadable,
                at,
                x: axis.x(at),
                when: axis.when(at),
                state: Some(pill(StateWord::Unknown)),
                text: Text::new("eventUnreadable").arg(why(reason)),
            });
        }
    }
}

/// Who made change `i` of `h`, in words.
fn change_mark(s: &Setting, i: usize, c: &crate::state::Change, h: &[crate::state::Change], stored: &Stored) -> (MarkKind, Text) {
    let to = word(c.to);
    let Some(from) = c.from else {
        return if i == 0 { (MarkKind::FirstSeen, Text::new("eventFirstSeen").arg(to)) } else { (MarkKind::Seen, Text::new("eventSeen").arg(to)) };
    };
    if c.by == Some(ChangedBy::UserViaExtension) {
        return (MarkKind::Extension, Text::new("eventExtension").arg(to));
    }
    if c.to != s.protective {
        return (MarkKind::FlipBack, Text::new("eventFlipBack").arg(to).arg(word(from)));
    }
    // LinkedIn turns this one off itself when a setting it couples is turned off: one was,
    // since this setting was last seen in the other state.
    let since = i.checked_sub(1).and_then(|p| h.get(p)).map_or(f64::MIN, |p| p.at);
    let cause = SETTINGS.iter().filter(|o| o.turns_off.contains(&s.id)).find(|o| {
        stored.settings.get(o.id).is_some_and(|oe| oe.history.iter().any(|oc| oc.to == SwitchState::Off && oc.from.is_some() && oc.at >= since && oc.at <= c.at))
    });
    match cause {
        Some(o) => (MarkKind::Linkedin, Text::new("eventLinkedin").arg(to).arg(Text::new(o.msg_title))),
        None => (MarkKind::Person, Text::new("eventPerson").arg(to)),
    }
}

/// The story in one sentence.
fn story(s: &Setting, e: &Entry, stored: &Stored) -> Text {
    let (Some(was), Some(known_at)) = (e.last_known, e.last_known_at) else {
        return Text::new("storyNeverRead").arg(date(e.checked_at));
    };
    if matches!(e.observed, Observed::Unknown(_)) && e.checked_at > known_at {
        return Text::new("storyStale").arg(date(e.checked_at)).arg(word(was)).arg(date(known_at));
    }
    let h = &e.history;
    let changes = h.iter().filter(|c| c.from.is_some()).count();
    let Some(last) = h.last() else {
        return Text::new("storyOne").arg(word(was)).arg(date(known_at));
    };
    let i = h.len() - 1;
    if change_mark(s, i, last, h, stored).0 == MarkKind::FlipBack {
        let before = i.checked_sub(1).and_then(|p| h.get(p)).map_or(last.at, |p| p.at);
        return Text::new("storyFlipBack").arg(word(last.to)).arg(word(last.from.unwrap_or(s.protective))).arg(date(before)).arg(date(last.at));
    }
    match changes {
        0 => Text::new("storyOne").arg(word(last.to)).arg(date(last.at)),
        1 => Text::new("storyNowOne").arg(word(last.to)).arg(date(last.at)),
        n => Text::new("storyNow").arg(word(last.to)).arg(date(last.at)).arg(n),
    }
}
