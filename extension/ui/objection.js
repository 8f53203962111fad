// The objection form's row in the popup: LinkedIn's form for the AI training its switch
// does not cover, right after that setting's row. The core builds the row and its words
// (summary.objection); this draws them, opens the form in a tab (the extension never fills
// in or sends anything) and tells the background what the person said, which stores what
// the core returns.
import { ask } from '../lib/store.js';
import { button, el } from './dom.js';

const api = globalThis.OptOutApi;
const { say, msg } = globalThis.OptOutText;

function tell(sent) {
  return ask({ type: 'objection-tell', sent });
}

/** The row for `o` (summary.objection). */
export function objectionRow(o) {
  const buttons = el('span', { class: 'row-actions' });
  if (o.offer) {
    buttons.append(button(msg('objectionOpen'), { 'data-action': 'objection-open' }, () => api.tabs.create({ url: o.url })));
  }
  if (o.sent) {
    buttons.append(button(msg('objectionUndo'), { 'data-action': 'objection-undo', 'aria-label': msg('objectionUndoLabel') }, () => tell(false)));
  } else if (o.offer) {
    buttons.append(button(msg('objectionMarkSent'), { 'data-action': 'objection-sent' }, () => tell(true)));
  }
  return el(
    'li',
    { 'data-objection': o.after, 'data-applies': o.applies, 'data-sent': String(o.sent), 'data-look': o.look },
    el('div', { class: 'top' },
      el('span', { 'data-field': 'title' }, say(o.title)),
      el('span', { class: 'pill', 'data-field': 'state' }, say(o.pill))),
    el('p', { 'data-field': 'meaning' }, say(o.why)),
    el('p', { 'data-field': 'region' }, say(o.regionText)),
    o.sentText ? el('p', { 'data-field': 'sent' }, say(o.sentText)) : null,
    el('div', { class: 'bottom' }, el('span'), buttons),
  );
}

/** Puts the row (or none) right after its setting's row under `root`, and its count line in `note`. */
export function placeObjection(root, note, o) {
  note.textContent = say(o?.countText);
  const at = o && root.querySelector(`li[data-setting="${o.after}"]`);
  if (at) at.after(objectionRow(o));
}
