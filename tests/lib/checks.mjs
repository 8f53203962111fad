// Assertions shared by the scenarios: "is this switch marked correctly?", "what does the popup say?".
// The in-page functions are serialized and run in the page, so they must be self-contained.
import assert from 'node:assert/strict';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs in the page: the switch, its mark, the nearest extension label, and layout rects.
function inspectSwitch(key) {
  const sw = document.querySelector(`[aria-labelledby="${CSS.escape(key)}"]`);
  if (!sw) return { found: false };
  const rect = (e) => {
    if (!e) return null;
    const b = e.getBoundingClientRect();
    return { x: b.x + window.scrollX, y: b.y + window.scrollY, width: b.width, height: b.height };
  };
  const row = sw.closest('[data-optout-row]');
  // Our label: a [data-optout-label] near the switch (in its row, or within 3 ancestors), nearest first.
  const scopes = [row];
  for (let e = sw.parentElement, i = 0; e && i < 3; e = e.parentElement, i++) scopes.push(e);
  const cands = new Set();
  for (const s of scopes) if (s) for (const l of s.querySelectorAll('[data-optout-label]')) cands.add(l);
  const sr = sw.getBoundingClientRect();
  let label = null;
  let best = Infinity;
  for (const l of cands) {
    const r = l.getBoundingClientRect();
    const d = Math.hypot(r.x + r.width / 2 - (sr.x + sr.width / 2), r.y + r.height / 2 - (sr.y + sr.height / 2));
    if (d < best) { best = d; label = l; }
  }
  // The extension puts a switch's own label right after it (or after the <label> wrapping
  // it): that one wins over a neighbouring row's label that happens to be nearer.
  const anchor = sw.closest('label') || sw;
  const own = anchor.nextElementSibling;
  if (own && own.hasAttribute('data-optout-label')) {
    const r = own.getBoundingClientRect();
    label = own;
    best = Math.hypot(r.x + r.width / 2 - (sr.x + sr.width / 2), r.y + r.height / 2 - (sr.y + sr.height / 2));
  }
  const fxRow = sw.closest('._settingRow_9fk2'); // the fixture's row (test-side knowledge only)
  return {
    found: true,
    tag: sw.tagName,
    setting: sw.getAttribute('data-optout-setting'),
    state: sw.getAttribute('data-optout-state'),
    real: sw.tagName === 'INPUT' ? (sw.checked ? 'on' : 'off') : (sw.getAttribute('aria-checked') === 'true' ? 'on' : 'off'),
    clicks: Number(sw.getAttribute('data-clicks')),
    hasRow: !!row,
    label: label ? label.textContent : null,
    labelElements: label ? label.querySelectorAll('*').length : 0,
    labelRect: label ? rect(label) : null,
    labelDistance: label ? Math.round(best) : null,
    switchRect: rect(sw),
    rowRect: rect(fxRow),
    atInsert: (window.__fixture && window.__fixture.rectAtInsert[key]) || null,
    atMark: (window.__fixture && window.__fixture.rectAtMark[key]) || null,
  };
}

const TOKEN = { on: /\bON\b/, off: /\bOFF\b/ };
const sameRect = (a, b) => a && b && ['x', 'y', 'width', 'height'].every((k) => Math.abs(a[k] - b[k]) < 0.5);

/**
 * Wait until the switch with aria-labelledby=key is marked as {id, state} with a matching label,
 * then assert the details. Returns the inspection (label text etc.).
 */
export async function checkMarked(page, { key, id, state, timeout = 5000, clicks = 0 }) {
  const want = state === 'on' ? TOKEN.on : TOKEN.off;
  let info;
  const t0 = Date.now();
  for (;;) {
    info = await page.eval(inspectSwitch, key).catch((e) => ({ error: e.message }));
    if (info.found && info.setting === id && info.state === state && info.label && want.test(info.label)) break;
    if (Date.now() - t0 > timeout) {
      assert.fail(`switch ${key}: expected data-optout-setting=${id}, data-optout-state=${state} and a label with ${state.toUpperCase()} within ${timeout} ms; got ${JSON.stringify(info)}`);
    }
    await sleep(50);
  }
  assert.equal(info.real, state, `${key}: the switch's real state (fixture) is ${info.real}`);
  assert.equal(info.clicks, clicks, `${key}: the switch was clicked ${info.clicks} time(s); the extension must never click`);
  assert.ok(info.hasRow, `${key}: an ancestor row carries data-optout-row`);
  const other = state === 'on' ? TOKEN.off : TOKEN.on;
  assert.ok(!other.test(info.label), `${key}: label ${JSON.stringify(info.label)} contains both ON and OFF`);
  // The label starts with the setting's short name, unless the row leaves room only for
  // the bare state word (the extension never covers the page's own text to say more).
  const name = info.label.split(/\b(?:ON|OFF)\b/)[0].replace(/[\s:\u2013\u2014\-·|]+$/, '').trim();
  const bare = info.label.trim() === (state === 'on' ? 'ON' : 'OFF');
  assert.ok(name.length >= 2 || bare, `${key}: label ${JSON.stringify(info.label)} should start with the setting's short name or be the bare state word`);
  assert.equal(info.labelElements, 0, `${key}: label should be plain text`);
  assert.ok(info.labelRect.width > 0 && info.labelRect.height > 0, `${key}: label is visible (${JSON.stringify(info.labelRect)})`);
  assert.ok(info.labelDistance < 400, `${key}: label is near the switch (${info.labelDistance} px)`);
  // Marking must not move the switch or its row: compare with the rects measured at insertion.
  if (info.atInsert) {
    assert.ok(sameRect(info.atInsert.switch, info.switchRect), `${key}: switch moved: ${JSON.stringify(info.atInsert.switch)} -> ${JSON.stringify(info.switchRect)}`);
    assert.ok(sameRect(info.atInsert.row, info.rowRect), `${key}: row moved/resized: ${JSON.stringify(info.atInsert.row)} -> ${JSON.stringify(info.rowRect)}`);
  }
  return info;
}

/** Nothing of ours on the page. */
export async function noMarksOnPage(page) {
  const n = await page.eval(() => ({
    setting: document.querySelectorAll('[data-optout-setting]').length,
    label: document.querySelectorAll('[data-optout-label]').length,
    row: document.querySelectorAll('[data-optout-row]').length,
  }));
  assert.deepEqual(n, { setting: 0, label: 0, row: 0 }, 'the extension marked something on a page without settings');
}

// Runs in the popup.
function popupState() {
  const rows = {};
  const order = [];
  for (const el of document.querySelectorAll('#settings [data-setting]')) {
    const id = el.getAttribute('data-setting');
    const f = (n) => el.querySelector(`[data-field="${n}"]`);
    order.push(id);
    rows[id] = {
      state: el.getAttribute('data-state'),
      reasonCode: el.getAttribute('data-reason'),
      title: f('title') ? f('title').textContent : '',
      stateText: f('state') ? f('state').textContent : '',
      reason: f('reason') ? f('reason').textContent : '',
      seen: f('seen') ? f('seen').textContent : '',
      hasStateField: !!f('state'),
      hasReasonField: !!f('reason'),
      hasSeen: !!f('seen'),
      hasShow: !!el.querySelector('[data-action="show"]'),
      alert: el.getAttribute('data-alert'),
      changed: el.getAttribute('data-changed'),
      hasTurnOff: !!el.querySelector('[data-action="turn-off"]'),
      hasDismiss: !!el.querySelector('[data-action="dismiss"]'),
    };
  }
  const h = document.querySelector('#headline');
  const $ = (id) => document.getElementById(id);
  const warning = $('warning');
  const all = $('turn-off-all');
  const jobBox = $('job');
  const results = {};
  for (const li of document.querySelectorAll('#job-results li[data-result]')) {
    results[li.getAttribute('data-result')] = { outcome: li.getAttribute('data-outcome'), text: li.textContent };
  }
  const progress = $('job-progress');
  const confirm = $('confirm');
  return {
    headline: h ? h.textContent.trim() : null,
    rows,
    order,
    warning: warning ? { hidden: warning.hidden, text: warning.textContent } : null,
    turnOffAll: all ? { hidden: all.hidden, disabled: all.disabled, text: all.textContent } : null,
    checkAllDisabled: $('check-all') ? $('check-all').disabled : null,
    job: jobBox ? {
      hidden: jobBox.hidden,
      kind: jobBox.getAttribute('data-kind'),
      status: jobBox.getAttribute('data-status'),
      text: $('job-status') ? $('job-status').textContent : '',
      value: progress ? progress.value : null,
      max: progress ? progress.max : null,
      cancelHidden: $('job-cancel') ? $('job-cancel').hidden : null,
      results,
    } : null,
    confirm: confirm ? {
      open: confirm.open,
      list: [...document.querySelectorAll('#confirm-list li[data-confirm]')].map((li) => li.getAttribute('data-confirm')),
    } : null,
  };
}

/**
 * Poll the popup until `pred(state)` holds (state as from readPopup, with warning, turnOffAll,
 * job and confirm); fails after `timeout` ms with the last state and `what`.
 */
export async function waitPopup(popup, pred, { timeout = 10000, what = 'the popup state' } = {}) {
  const t0 = Date.now();
  let st;
  for (;;) {
    st = await popup.eval(popupState).catch((e) => ({ error: e.message, rows: {} }));
    let ok = false;
    try { ok = !st.error && st.order && st.order.length && pred(st); } catch { ok = false; }
    if (ok) return st;
    if (Date.now() - t0 > timeout) {
      const brief = { ...st, rows: Object.fromEntries(Object.entries(st.rows || {}).map(([k, r]) => [k, `${r.state}/${r.reasonCode || ''}${r.alert ? `/${r.alert}` : ''}${r.changed ? '/changed' : ''}`])) };
      assert.fail(`timed out after ${timeout} ms waiting for ${what}; popup: ${JSON.stringify(brief)}`);
    }
    await sleep(100);
  }
}

/** Read the popup, polling until `until(rows)` holds (the popup may load its state asynchronously). */
export async function readPopup(popup, { until = () => true, timeout = 5000 } = {}) {
  const t0 = Date.now();
  let st;
  for (;;) {
    st = await popup.eval(popupState).catch((e) => ({ error: e.message, rows: {} }));
    if (st.headline && st.order && st.order.length && until(st.rows)) return st;
    if (Date.now() - t0 > timeout) assert.fail(`popup did not reach the expected state within ${timeout} ms: ${JSON.stringify(st)}`);
    await sleep(100);
  }
}

// Runs in the page: what page text or controls does our label cover? (Text = rects of text ranges.)
function labelCoverage() {
  const out = [];
  const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const label of document.querySelectorAll('[data-optout-label]')) {
    const L = label.getBoundingClientRect();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || label.contains(n)) continue;
      const p = n.parentElement;
      if (p && p.closest('[data-optout-label]')) continue;
      const st = p && getComputedStyle(p);
      if (st && (st.visibility === 'hidden' || st.display === 'none')) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (hit(L, r)) { out.push({ label: label.textContent.slice(0, 40), covers: 'text', what: n.textContent.trim().slice(0, 60) }); break; }
      }
    }
    for (const c of document.querySelectorAll('[role=switch], a[href], button, input')) {
      if (label.contains(c)) continue;
      if (hit(L, c.getBoundingClientRect())) out.push({ label: label.textContent.slice(0, 40), covers: 'control', what: c.outerHTML.slice(0, 80) });
    }
  }
  return out;
}

/** What our labels hide on the current page: ["covers text \"...\"", "covers control <a ...>"]. */
export async function coveredByLabel(page) {
  const covered = await page.eval(labelCoverage);
  return covered.map((c) => `covers ${c.covers} ${JSON.stringify(c.what)}`);
}
