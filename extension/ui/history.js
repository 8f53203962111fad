// The History view (history.html): each setting's story as a picture. The core computes
// the timelines (core.historyView: segments, marks, positions from 0 to 1, every word);
// this draws them as SVG, and the same facts as a table for screen readers and copying.
// Text goes into text nodes only (textContent, <title> children). It decides nothing.
import { core, coreReady } from '../lib/core.js';
import { log, readManaged, readStored } from '../lib/store.js';
import { el, svg } from './dom.js';

const api = globalThis.OptOutApi;
const $ = (id) => document.getElementById(id);
const { say, msg } = globalThis.OptOutText;

// The drawing's own units (the SVG scales to the page's width).
const W = 640;
const PAD = 8; // room for a mark at either end
const TRACK = { y: 16, h: 14 };
const MARK_Y = 7;
const X = (x) => PAD + x * (W - 2 * PAD);

/** A mark's shape, by what it stands for (history.css colours it by data-kind). */
function shape(kind, x) {
  const drawn = draw(kind, x);
  drawn.setAttribute('data-kind', kind);
  return drawn;
}

function draw(kind, x) {
  const y = MARK_Y;
  switch (kind) {
    case 'check':
      return svg('line', { class: 'tick', x1: x, y1: TRACK.y - 3, x2: x, y2: TRACK.y + TRACK.h + 3 });
    case 'flip-back':
      return svg('path', { class: 'mark', d: `M${x} ${y - 6} L${x + 6} ${y + 5} L${x - 6} ${y + 5} Z` });
    case 'extension':
      return svg('circle', { class: 'mark', cx: x, cy: y, r: 5 });
    case 'linkedin':
      return svg('path', { class: 'mark', d: `M${x} ${y - 6} L${x + 6} ${y} L${x} ${y + 6} L${x - 6} ${y} Z` });
    case 'objection-sent':
    case 'objection-undone':
      return svg('path', { class: 'mark', d: `M${x} ${TRACK.y + TRACK.h + 8} L${x} ${y - 6} M${x} ${y - 5} L${x + 9} ${y - 2} L${x} ${y + 1}` });
    case 'unreadable':
      return svg('circle', { class: 'mark', cx: x, cy: y, r: 4 });
    default: // first-seen, seen, person
      return svg('rect', { class: 'mark', x: x - 5, y: y - 5, width: 10, height: 10 });
  }
}

function picture(t, titleId) {
  const height = TRACK.y + TRACK.h + 10;
  const segments = t.segments.map((s) => svg('rect', {
    class: 'seg',
    'data-state': s.state,
    'data-look': s.look,
    'data-from': s.from,
    'data-to': s.to,
    x: X(s.x0),
    y: TRACK.y,
    width: Math.max(2, X(s.x1) - X(s.x0)),
    height: TRACK.h,
  }, svg('title', {}, say(s.text))));
  const marks = t.marks.map((m) => svg('g', { 'data-kind': m.kind, 'data-at': m.at },
    svg('title', {}, `${say(m.when)}: ${say(m.text)}`), shape(m.kind, X(m.x))));
  return svg('svg', { class: 'picture', viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': titleId, 'data-field': 'picture' },
    svg('title', { id: titleId }, say(t.label)),
    svg('rect', { class: 'track', x: PAD, y: TRACK.y, width: W - 2 * PAD, height: TRACK.h }),
    svg('g', { 'data-layer': 'segments' }, ...segments),
    svg('g', { 'data-layer': 'marks' }, ...marks));
}

function table(t) {
  const head = el('tr', {}, ...['historyColWhen', 'historyColState', 'historyColWhat'].map((k) => el('th', { scope: 'col' }, msg(k))));
  const rows = t.marks.map((m) => el('tr', { 'data-kind': m.kind, 'data-at': m.at },
    el('td', {}, say(m.when)), el('td', {}, say(m.state)), el('td', {}, say(m.text))));
  return el('table', { 'data-field': 'table' },
    el('caption', {}, msg('historyTableCaption', say(t.title))),
    el('thead', {}, head), el('tbody', {}, ...rows));
}

function timeline(t) {
  const id = `t-${t.id}`;
  return el('section', { class: 'timeline', 'data-timeline': t.id, 'aria-labelledby': id },
    el('h2', { id }, say(t.title)),
    el('p', { class: 'story', 'data-field': 'story' }, say(t.story)),
    picture(t, `${id}-picture`),
    table(t));
}

function axis(view) {
  const anchor = (x) => (x === 0 ? 'start' : x === 1 ? 'end' : 'middle');
  return svg('svg', { class: 'axis', viewBox: `0 0 ${W} 20`, 'aria-hidden': 'true' },
    svg('line', { x1: PAD, y1: 18, x2: W - PAD, y2: 18 }),
    ...view.axis.map((a) => svg('text', { x: X(a.x), y: 12, 'text-anchor': anchor(a.x) }, say(a.text))));
}

async function render() {
  const view = core.historyView((await readStored()).stored, Date.now(), await readManaged());
  $('empty').textContent = say(view.empty);
  $('not-read').textContent = say(view.notRead);
  $('axis').replaceChildren(...(view.timelines.length ? [axis(view)] : []));
  $('timelines').replaceChildren(...view.timelines.map(timeline));
}

async function main() {
  OptOutText.translate(document);
  await coreReady();
  await render();
  let rendering = Promise.resolve();
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' || area === 'managed') rendering = rendering.then(render).catch((e) => log('history render', e?.message ?? e));
  });
}

main().catch((e) => {
  $('empty').textContent = msg('couldNotStartApp', e?.message ?? e);
});
