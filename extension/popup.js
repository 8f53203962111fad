// The popup: shows the core's summary of the stored state. It reads storage itself, so
// it also works when opened as a page, and builds its DOM from text nodes only.
import init, * as core from './core/opt_out_lens_core.js';

const api = globalThis.browser ?? globalThis.chrome;
const STATE_KEY = 'state';

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const STATE_WORD = { on: 'ON', off: 'OFF', unknown: 'UNKNOWN' };

function row(r) {
  const show = el('button', { type: 'button', 'data-action': 'show', 'aria-label': `Show me: ${r.title}` }, 'Show me');
  show.addEventListener('click', async () => {
    show.disabled = true;
    const reply = await api.runtime.sendMessage({ type: 'show', setting: r.id }).catch((e) => ({ error: e.message }));
    show.disabled = false;
    if (reply?.error) show.textContent = 'Could not open';
    else if (!document.body.classList.contains('as-tab')) window.close();
  });
  const look = r.state === 'unknown' ? 'unknown' : r.protective ? 'protective' : 'exposed';
  return el(
    'li',
    { 'data-setting': r.id, 'data-state': r.state, 'data-reason': r.reason, 'data-look': look },
    el('div', { class: 'top' },
      el('span', { 'data-field': 'title' }, r.title),
      el('span', { class: 'pill', 'data-field': 'state' }, STATE_WORD[r.state])),
    r.stateText ? el('p', { 'data-field': 'meaning' }, r.stateText) : null,
    r.reasonText ? el('p', { 'data-field': 'reason' }, r.reasonText) : null,
    el('div', { class: 'bottom' },
      el('span', { 'data-field': 'seen' }, r.seenText ?? 'Never checked'),
      r.url ? show : null),
  );
}

async function render() {
  const raw = (await api.storage.local.get(STATE_KEY))[STATE_KEY];
  const { stored, resetReason } = core.loadState(raw);
  if (resetReason) console.warn('Opt-Out Lens:', resetReason);
  const summary = core.summary(stored, Date.now());
  document.getElementById('headline').textContent = summary.headline;
  document.getElementById('subline').textContent = summary.subline ?? '';
  document.getElementById('settings').replaceChildren(...summary.rows.map(row));
  document.getElementById('links').replaceChildren(
    ...summary.links.map((l) => el('li', {}, el('a', { href: l.url, target: '_blank', rel: 'noreferrer' }, l.title))),
  );
}

async function main() {
  // Opened as a tab (not the toolbar popup) the page may be wider; close() would shut the tab.
  if (location.search.includes('tab') || window.outerWidth > 700) document.body.classList.add('as-tab');
  await init({ module_or_path: new URL('./core/opt_out_lens_core_bg.wasm', import.meta.url) });
  await render();
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && STATE_KEY in changes) render();
  });
}

main().catch((e) => {
  document.getElementById('headline').textContent = `Opt-Out Lens could not start: ${e?.message ?? e}`;
});
