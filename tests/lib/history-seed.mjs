// A stored history to seed the History view with (tests/e2e/history.test.mjs, the demo's
// screenshots): the stored state's own layout (crate/src/state.rs, schema 1), with times
// counted back from `now`. It holds what a timeline must draw right: a change through
// Opt-Out Lens, a flip-back (LinkedIn turned it back on), a gap (a change that does not
// start from what the one before ended in), a latest check that could not read the page,
// a change the person made on LinkedIn, and LinkedIn's coupled switch-off.
export const DAY = 864e5;

export function seededState(now) {
  const T = (day) => now - (30 - day) * DAY; // day 0 is 30 days ago, day 30 is now
  const change = (day, from, to, by) => ({ at: T(day), from, to, ...(by ? { by } : {}) });
  const entry = (history, readDay, checkedDay, reason) => {
    const last = history[history.length - 1].to;
    const unread = checkedDay > readDay;
    return {
      state: unread ? 'unknown' : last,
      ...(unread ? { reason } : {}),
      checkedAt: T(checkedDay),
      lastKnown: last,
      lastKnownAt: T(readDay),
      changedAt: history[history.length - 1].at,
      history,
      alert: null,
    };
  };
  return {
    schema: 1,
    baselineAt: T(1),
    settings: {
      'ai-training': entry([
        change(0, null, 'on'),
        change(2, 'on', 'off', 'user-via-extension'),
        change(10, 'off', 'on'), // turned back on, not through Opt-Out Lens
        change(20, null, 'off'), // the gap: the history does not say what came before
      ], 25, 28, 'not-loaded'),
      research: entry([change(3, null, 'on'), change(5, 'on', 'off')], 26, 26),
      'ads-beyond-linkedin': entry([change(1, null, 'on'), change(11, 'on', 'off', 'user-via-extension')], 27, 27),
      'data-sharing': entry([change(1, null, 'on'), change(12, 'on', 'off')], 27, 27),
      'share-with-affiliates': entry([change(4, null, 'off'), change(16, 'off', 'on')], 27, 27),
    },
  };
}

/** Runs in an extension page: the History view as drawn, read from its SVG and its tables. */
export function readHistory() {
  const timelines = {};
  for (const sec of document.querySelectorAll('[data-timeline]')) {
    const svg = sec.querySelector('svg[data-field="picture"]');
    timelines[sec.dataset.timeline] = {
      title: sec.querySelector('h2').textContent,
      story: sec.querySelector('[data-field="story"]').textContent,
      role: svg.getAttribute('role'),
      label: svg.querySelector(':scope > title').textContent,
      segments: [...svg.querySelectorAll('rect.seg')].map((r) => ({
        state: r.dataset.state, look: r.dataset.look, from: Number(r.dataset.from), to: Number(r.dataset.to),
        x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width')), title: r.querySelector('title').textContent,
      })),
      marks: [...svg.querySelectorAll('[data-layer="marks"] > g')].map((g) => ({
        kind: g.dataset.kind, at: Number(g.dataset.at), title: g.querySelector('title').textContent,
        fill: getComputedStyle(g.lastElementChild).fill,
      })),
      table: [...sec.querySelectorAll('table[data-field="table"] tbody tr')].map((tr) => ({ kind: tr.dataset.kind, at: Number(tr.dataset.at), cells: [...tr.cells].map((c) => c.textContent) })),
      headers: [...sec.querySelectorAll('table[data-field="table"] th')].map((th) => th.textContent),
    };
  }
  const text = (id) => document.getElementById(id)?.textContent ?? '';
  return { timelines, order: Object.keys(timelines), empty: text('empty'), notRead: text('not-read'), axis: [...document.querySelectorAll('#axis text')].map((t) => t.textContent) };
}
