// Bench pages, served by the front (tests/lib/extra-server.mjs) as www.linkedin.com with
// the fixture's strict CSP. Chosen by the query parameter `x` on any /mypreferences/ path:
//   ?x=latency[&auto=1]   an empty settings card; __xInsert() adds the AI switch (auto: at DOMContentLoaded)
//   ?x=cost               a LinkedIn-sized settings page: ~5,000 elements, 40 switches
//   ?x=stress             5,000 switches, deeply nested, duplicate ids; each carries data-x-expect
import { page, escHtml } from '../lib/extra-server.mjs';
import { catalogue } from '../lib/server.mjs';
import { loadCatalogue } from '../lib/catalogue.mjs';

const CAT = catalogue();
// Settings with a language-independent aria key in the catalogue (catalogue.json): their
// switches are identified on any page, so the stress page knows what must be marked.
const KEYED = loadCatalogue().settings.filter((s) => s.keys.length > 0).map((s) => {
  const fx = CAT.find((c) => c.id === s.id);
  return { id: s.id, key: s.keys[0], label: fx && fx.key === s.keys[0] ? fx.label : `Setting ${s.id}` };
});

// Deterministic pseudo-random numbers (so every run serves the same pages).
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

const WORDS = 'member data profile activity privacy visibility advertising partners research messages network connections jobs company content posts comments reactions feed search history location device browser cookies email phone account'.split(' ');
const words = (r, n) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');

function chrome(body, navLinks) {
  return `<header class="_globalNav_x1a2"><div class="_globalNavInner_b7c1"><a class="_logo_9qw2" href="/feed/" aria-label="LinkedIn"><span>in</span></a><span class="_navTitle_2kd8">Settings</span></div></header>
<div class="_layout_w2e3"><nav class="_leftNav_h4j1" aria-label="Settings"><ul>${navLinks}</ul></nav>
<main class="_main_g7h8" id="main">${body}</main></div>`;
}

function latencyPage(url) {
  const body = chrome(`<section class="_card_1k2j"><header class="_cardHeader_v6b1"><h1 class="_cardTitle_a9s2">Data for Generative AI Improvement</h1></header>
<p class="_question_q7w1">Can LinkedIn use your personal data and content you create on LinkedIn to train generative AI models that create content?</p>
<div class="_rows_f5g6" id="rows"></div></section>`, '<li><a href="/mypreferences/d/categories/privacy">Data privacy</a></li>');
  return page({ mode: 'latency', attrs: url.searchParams.get('auto') ? 'data-x-auto' : '', body });
}

function switchHtml(key, on, { div = false, expect = null } = {}) {
  const ex = expect ? ` data-x-expect="${expect}"` : '';
  return div
    ? `<div role="switch" tabindex="0" aria-checked="${on}" aria-labelledby="${escHtml(key)}" class="_divSwitch_7y1k"${ex}></div>`
    : `<input type="checkbox" role="switch" aria-labelledby="${escHtml(key)}" class="_switchCheckbox_12ycew"${on ? ' checked' : ''}${ex}>`;
}

/** ~5,000 elements and 40 switches (the keyed catalogued ones + others), like a long settings page. */
function costPage() {
  const r = rng(42);
  const nav = Array.from({ length: 120 }, (_, i) => `<li><a class="_navItem_u8y3" href="/mypreferences/d/categories/c${i}"><span>${words(r, 2)}</span></a></li>`).join('');
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const c = i < CAT.length ? CAT[i] : null;
    const key = c ? c.key : `otherSetting${i}`;
    const label = c ? c.label : `Allow ${words(r, 4)}`;
    const help = Array.from({ length: 16 }, () => `<li><span class="_h_a1"><b>${words(r, 1)}</b> ${words(r, 6)}</span> <a href="/help/${i}">more</a></li>`).join('');
    rows.push(`<div class="_settingRow_9fk2"><div class="_rowText_d3s1"><p class="_rowQuestion_k2l1">${words(r, 14)}</p>
<span id="${key}" class="_rowLabel_x8m2">${escHtml(label)}</span><ul class="_rowHelp_z1">${help}</ul>
<div class="_meta_q1"><div><div><span>${words(r, 3)}</span><span>${words(r, 3)}</span></div></div></div></div>
<div class="_switchWrap_8d2f"><span class="_stateText_r5t1" aria-hidden="true">${r() < 0.5 ? 'On' : 'Off'}</span>${switchHtml(key, r() < 0.6)}</div></div>`);
  }
  const footer = Array.from({ length: 400 }, () => `<li><a href="/legal/x"><span>${words(r, 2)}</span></a></li>`).join('');
  const body = chrome(`<section class="_card_1k2j"><header class="_cardHeader_v6b1"><h1 class="_cardTitle_a9s2">Data privacy</h1></header>
<div class="_rows_f5g6" id="rows">${rows.join('\n')}</div></section><footer><ul>${footer}</ul></footer>`, nav);
  return page({ mode: 'cost', body });
}

/**
 * 5,000 switches: 40 per catalogued aria key (all sharing the key's id, so duplicate ids), the
 * rest decoys with their own ids and ordinary labels. Each nested 5–25 levels deep. A
 * switch's data-x-expect is the state it must be marked with, or "none".
 */
function stressPage() {
  const r = rng(7);
  const parts = [];
  const keyed = [];
  for (const c of KEYED) for (let j = 0; j < 40; j++) keyed.push(c);
  const total = 5000;
  const slots = new Set();
  while (slots.size < keyed.length) slots.add(Math.floor(r() * total));
  const order = [...slots].sort((a, b) => a - b);
  let k = 0;
  const labelled = new Set();
  for (let i = 0; i < total; i++) {
    const depth = 5 + Math.floor(r() * 21);
    const on = r() < 0.5;
    const div = r() < 0.3;
    let inner;
    if (k < order.length && order[k] === i) {
      const c = keyed[k++];
      // The first row of a key holds its label element; later ones point at the same id.
      const label = labelled.has(c.key) ? '' : `<span id="${c.key}">${escHtml(c.label)}</span>`;
      labelled.add(c.key);
      inner = `${label}<span>${words(r, 3)}</span>${switchHtml(c.key, on, { div, expect: on ? 'on' : 'off' })}`;
    } else {
      inner = `<span id="decoy${i}">Show ${words(r, 3)} ${i}</span>${switchHtml(`decoy${i}`, on, { div, expect: 'none' })}`;
    }
    parts.push('<div class="_n_1">'.repeat(depth) + inner + '</div>'.repeat(depth));
  }
  const body = chrome(`<section class="_card_1k2j"><h1 class="_cardTitle_a9s2">Everything</h1><div id="rows">${parts.join('\n')}</div></section>`, '');
  return page({ mode: 'stress', body });
}

let cache = {};
/** Front handler for the bench pages. */
export function benchHandler(url) {
  const kind = url.searchParams.get('x');
  if (!kind || !url.pathname.startsWith('/mypreferences/')) return null;
  if (kind === 'latency') return { body: latencyPage(url) };
  if (kind === 'cost') return { body: (cache.cost ??= costPage()) };
  if (kind === 'stress') return { body: (cache.stress ??= stressPage()) };
  return null;
}

export const STRESS_EXPECTED_MARKS = KEYED.length * 40;
