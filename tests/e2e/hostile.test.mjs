// Hostile and broken input, in Chromium and Firefox (node --test tests/):
//  - page text with markup, script, RTL overrides, zero-width characters, 100 KB strings:
//    nothing runs, nothing is injected but our text-only labels, later marks still work;
//  - thousands of switches, duplicate ids, a missing label id, a switch that names two
//    settings, aria-checked disagreeing with checked: never a wrong "off", never a crash;
//  - stored data corrupted, from an older or a newer schema: the popup opens with a fresh
//    summary and the background says why (Chromium: its console is captured);
//  - Chromium: the service worker stopped mid-scan: the next change is still marked.
// Pages: tests/fixtures/hostile/pages.mjs, served as www.linkedin.com with the strict CSP.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFront } from '../lib/extra-server.mjs';
import { sleep } from '../lib/extra-browsers.mjs';
import { openBrowser, closeBrowser } from '../lib/session.mjs';
import { readPopup } from '../lib/checks.mjs';
import { settingCount } from '../lib/catalogue.mjs';
import { hostileHandler, AI_PATH, AI_KEY, RLO, ZW } from '../fixtures/hostile/pages.mjs';

const MARK_TIMEOUT = Number(process.env.OPTOUT_MARK_TIMEOUT || 8000);

// Runs in the page: every switch, its mark, our labels, and signs of injected content.
function inspect() {
  const labels = [...document.querySelectorAll('[data-optout-label]')];
  const marked = [...document.querySelectorAll('[data-optout-state]')];
  const all = document.getElementsByTagName('*').length;
  return {
    switches: document.querySelectorAll('[role=switch]').length,
    marked: marked.map((e) => ({ id: e.id, key: e.getAttribute('aria-labelledby'), setting: e.getAttribute('data-optout-setting'), state: e.getAttribute('data-optout-state'), real: e instanceof HTMLInputElement ? (e.checked ? 'on' : 'off') : e.getAttribute('aria-checked') === 'true' ? 'on' : 'off' })),
    labels: labels.map((l) => ({ text: l.textContent, children: l.children.length, html: l.innerHTML.length === l.textContent.length ? null : l.innerHTML.slice(0, 200) })),
    pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
    imgs: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length,
    bolds: document.querySelectorAll('b').length,
    onerror: document.querySelectorAll('[onerror]').length,
    injected: window.__x && window.__x.elementsAtDcl !== undefined ? all - window.__x.elementsAtDcl - labels.length : null,
    errors: window.__x ? window.__x.errors : ['no instrumentation'],
  };
}

async function waitMarks(page, n, what) {
  return page.waitFor((k) => document.querySelectorAll('[data-optout-state]').length >= k && document.querySelectorAll('[data-optout-label]').length >= k, { timeout: MARK_TIMEOUT, args: [n], what });
}

export function defineHostile(name) {
  describe(`${name}: hostile and broken input`, { timeout: 600000 }, () => {
    let front;
    let b;
    const swLog = [];
    before(async () => {
      ({ server: front, b } = await openBrowser(name, { server: () => startFront({ handlers: [hostileHandler] }) }));
      if (name === 'chromium') {
        b.context.on('console', (m) => {
          if (m.worker?.() || String(m.location()?.url).includes('background.js')) swLog.push(m.text());
        });
      }
    });
    after(() => closeBrowser(b, front));

    async function popupAi(until = () => true) {
      const popup = await b.openPopup();
      try {
        const st = await readPopup(popup, { until: (r) => r['ai-training'] && until(r['ai-training']), timeout: 8000 });
        return st;
      } finally {
        await popup.close();
      }
    }

    it('markup, script, RTL override, zero-width and 100 KB strings stay text; nothing runs; marks keep working', { timeout: 60000 }, async () => {
      await b.page.goto(`${AI_PATH}?h=markup`);
      await waitMarks(b.page, 1, 'the AI switch marked');
      await sleep(800); // any re-scan
      const r = await b.page.eval(inspect);
      assert.equal(r.pwned, null, 'page markup ran as script');
      assert.equal(r.imgs, 0, 'an <img> was created from text');
      assert.equal(r.bolds, 0, 'a <b> was created from text');
      assert.equal(r.onerror, 0);
      assert.equal(r.scripts, 1, 'only the page\'s own script element');
      assert.deepEqual(r.errors, [], 'errors on the page');
      assert.deepEqual(r.marked.map((m) => [m.key, m.setting, m.state]), [[AI_KEY, 'ai-training', 'on']], 'only the AI switch is marked (not the 100 KB one)');
      assert.equal(r.labels.length, 1);
      assert.equal(r.labels[0].children, 0, 'label is plain text');
      assert.match(r.labels[0].text, /\bON\b/);
      assert.ok(r.labels[0].text.length < 200, 'label is the extension\'s own short text');
      assert.ok(![RLO, ...ZW].some((c) => r.labels[0].text.includes(c)), 'no bidi override or zero-width character in our label');
      assert.equal(r.injected, 0, `elements injected besides our labels: ${r.injected}`);
      // Still alive: the user flips the switch, the mark follows.
      await b.page.click(`[aria-labelledby="${AI_KEY}"]`);
      await b.page.waitFor((k) => document.querySelector(`[aria-labelledby="${k}"]`).getAttribute('data-optout-state') === 'off', { timeout: MARK_TIMEOUT, args: [AI_KEY], what: 'mark follows the flip' });
      // And the popup shows nothing from the page.
      const popup = await b.openPopup();
      try {
        await readPopup(popup, { until: (rows) => rows['ai-training']?.state === 'off' });
        const p = await popup.eval(() => ({ pwned: typeof window.__pwned, imgs: document.querySelectorAll('img').length, bolds: document.querySelectorAll('b').length, text: document.body.textContent }));
        assert.deepEqual([p.pwned, p.imgs, p.bolds], ['undefined', 0, 0]);
        assert.ok(!p.text.includes('onerror') && !p.text.includes(RLO), 'page text shows up in the popup');
      } finally {
        await popup.close();
      }
    });

    it('duplicate ids: each switch marked with its own state; the setting is "unknown (conflicting)", never off', { timeout: 60000 }, async () => {
      await b.page.goto(`${AI_PATH}?h=dup-ids`);
      await waitMarks(b.page, 2, 'both switches marked');
      const r = await b.page.eval(inspect);
      for (const m of r.marked) assert.equal(m.state, m.real, `switch ${m.id}: marked ${m.state}, shows ${m.real}`);
      const st = await popupAi((row) => row.state !== 'off' && row.reasonCode === 'conflicting');
      assert.equal(st.rows['ai-training'].state, 'unknown');
    });

    it('a switch labelled by a missing id, beside an unrelated one: nothing marked, never off', { timeout: 60000 }, async () => {
      await b.page.goto(`${AI_PATH}?h=missing-id`);
      await sleep(1500);
      const r = await b.page.eval(inspect);
      assert.deepEqual(r.marked, [], 'marked a switch it cannot identify');
      assert.deepEqual(r.errors, []);
      const st = await popupAi();
      assert.notEqual(st.rows['ai-training'].state, 'off', 'AI setting reported off without an AI switch showing off');
    });

    it('a switch that names two settings (two keys, or key and label disagree): left alone, never off', { timeout: 60000 }, async () => {
      for (const h of ['two-settings', 'key-vs-label']) {
        await b.page.goto(`${AI_PATH}?h=${h}`);
        await sleep(1500);
        const r = await b.page.eval(inspect);
        assert.deepEqual(r.marked, [], `${h}: marked an ambiguous switch: ${JSON.stringify(r.marked)}`);
      }
      const st = await popupAi();
      assert.notEqual(st.rows['ai-training'].state, 'off');
      assert.notEqual(st.rows['share-with-affiliates'].state, 'off');
    });

    for (const [variant, want] of [['aria-on', 'on'], ['aria-off', 'off']]) {
      it(`aria-checked disagrees with checked (${variant}): checked wins, mark ${want}`, { timeout: 60000 }, async () => {
        await b.page.goto(`${AI_PATH}?h=${variant}`);
        await waitMarks(b.page, 1, 'the switch marked');
        await sleep(300);
        const r = await b.page.eval(inspect);
        assert.deepEqual(r.marked.map((m) => [m.state, m.real]), [[want, want]]);
        const st = await popupAi((row) => row.state === want);
        assert.equal(st.rows['ai-training'].state, want);
      });
    }

    it('3,000 switches with duplicate ids: only the real one marked, correctly; the page survives', { timeout: 120000 }, async () => {
      await b.page.goto(`${AI_PATH}?h=thousands`);
      await waitMarks(b.page, 1, 'the real switch marked');
      await sleep(1500);
      const r = await b.page.eval(inspect);
      assert.ok(r.switches > 3000);
      assert.deepEqual(r.marked.map((m) => [m.id, m.setting, m.state]), [['real', 'ai-training', 'on']]);
      assert.deepEqual(r.errors, []);
      // Later marks still work: flip it.
      await b.page.click('#real');
      await b.page.waitFor(() => document.getElementById('real').getAttribute('data-optout-state') === 'off', { timeout: MARK_TIMEOUT * 2, what: 'mark follows the flip on a 3,000-switch page' });
    });

    // ---- stored data ------------------------------------------------------------------

    // One extension page (the popup, at the main tab's size) kept open to write and read
    // storage.local directly; each summary is read from a popup opened after the write.
    let storePage = null;
    const store = async () => { storePage ??= await b.openPopup({ width: 1280, height: 900 }); return storePage; };
    after(async () => { await storePage?.close().catch(() => {}); });

    // Writes `value` as the stored state from an extension page, the way a corrupted
    // profile or another version of the extension would leave it.
    async function writeStored(value) {
      await (await store()).eval(async (v) => {
        const api = globalThis.browser ?? globalThis.chrome;
        if (v && v.__deep) {
          // Built here: too deep for the drivers to pass as an argument.
          let o = 1;
          for (let i = 0; i < v.__deep; i++) o = { a: o };
          v = { schema: 1, settings: { 'ai-training': o } };
        }
        await api.storage.local.set({ state: v });
        return true;
      }, value);
    }
    async function readStored() {
      return (await store()).eval(async () => {
        const v = (await (globalThis.browser ?? globalThis.chrome).storage.local.get('state')).state ?? null;
        // Depth-limited copy: a corrupted value may be too deep for the drivers to return.
        const cut = (x, d) => (x === null || typeof x !== 'object' ? x : d > 8 ? '…'
          : Array.isArray(x) ? x.map((y) => cut(y, d + 1)) : Object.fromEntries(Object.entries(x).map(([k, y]) => [k, cut(y, d + 1)])));
        return cut(v, 0);
      });
    }

    const GARBAGE = [
      ['a string', 'garbage'],
      ['a number', 42],
      ['an array', [1, 2, 3]],
      ['an older schema (0)', { schema: 0, settings: {} }],
      ['no schema at all', { settings: { 'ai-training': { state: 'off', checkedAt: 1 } } }],
      ['a newer schema (999)', { schema: 999, settings: { 'ai-training': { state: 'off', checkedAt: 1, future: true } } }],
      ['settings of the wrong type', { schema: 1, settings: 'nope' }],
      ['an entry with nonsense fields', { schema: 1, settings: { 'ai-training': { state: 'sideways', checkedAt: 'yesterday' } } }],
      ['deep nesting (500 levels)', { __deep: 500 }],
    ];

    for (const [what, value] of GARBAGE) {
      it(`stored data is ${what}: the popup opens with a fresh summary; the next scan stores a clean state`, { timeout: 60000 }, async () => {
        await b.page.goto('/feed/'); // no scan in flight that could write the state back first
        await sleep(300);
        await writeStored(value);
        const before = swLog.length;
        const popup = await b.openPopup();
        try {
          const st = await readPopup(popup, { until: (rows) => Object.keys(rows).length === settingCount() });
          assert.match(st.headline, new RegExp(`\\b0 of ${settingCount()}\\b`), `headline of a fresh summary: ${st.headline}`);
          const seen = Object.entries(st.rows).filter(([, r]) => r.state !== 'unknown').map(([id, r]) => `${id}=${r.state}`);
          assert.deepEqual(seen, [], `rows not fresh after the reset; stored: ${JSON.stringify(await readStored()).slice(0, 300)}`);
        } finally {
          await popup.close();
        }
        // The background reads the state on the next scan, says why it reset, writes a clean one.
        await b.page.goto(`${AI_PATH}?h=aria-on`);
        await waitMarks(b.page, 1, 'the switch marked after the reset');
        let stored = null;
        for (let i = 0; i < 40; i++) {
          stored = await readStored();
          if (stored?.schema === 1 && stored.settings?.['ai-training']?.state === 'on') break;
          await sleep(250);
        }
        assert.equal(stored?.schema, 1, `stored state after the scan: ${JSON.stringify(stored).slice(0, 300)}`);
        assert.equal(stored.settings['ai-training'].state, 'on');
        if (name === 'chromium') {
          const said = swLog.slice(before).filter((t) => /Opt-Out Lens/.test(t));
          assert.ok(said.some((t) => /reset|unreadable|newer|schema/i.test(t)), `the service worker logged no reason; it said: ${JSON.stringify(said)}`);
        }
      });
    }

    it('a 5,000-entry history is cut to 50 when read', { timeout: 60000 }, async () => {
      const stored = await readStored();
      const entry = stored.settings['ai-training'];
      entry.history = Array.from({ length: 5000 }, (_, i) => ({ at: i, from: i % 2 ? 'on' : 'off', to: i % 2 ? 'off' : 'on' }));
      await writeStored(stored);
      const popup = await b.openPopup();
      try {
        await readPopup(popup, { until: (rows) => rows['ai-training']?.state === 'on' });
      } finally {
        await popup.close();
      }
      await b.page.goto(`${AI_PATH}?h=aria-off`); // a change: the state is written again
      await waitMarks(b.page, 1, 'marked');
      let after = null;
      for (let i = 0; i < 40; i++) {
        after = await readStored();
        if (after.settings['ai-training'].state === 'off') break;
        await sleep(250);
      }
      assert.equal(after.settings['ai-training'].state, 'off');
      assert.ok(after.settings['ai-training'].history.length <= 50, `history kept ${after.settings['ai-training'].history.length} entries`);
    });

    // ---- Chromium: the service worker stops in the middle of a scan ------------------------

    // Chromium only: Firefox runs an event page, not a service worker (no stopAllWorkers).
    if (name === 'chromium') it('service worker stopped mid-scan: the next change is still marked', { timeout: 90000 }, async () => {
      const raw = b.page.raw;
      const cdp = await b.context.newCDPSession(raw);
      await cdp.send('ServiceWorker.enable');
      const notes = [];
      for (let round = 0; round < 3; round++) {
        await b.page.goto(`${AI_PATH}?state=on`); // the fixture SPA page
        await b.page.waitFor((k) => document.querySelector(`[aria-labelledby="${k}"]`)?.getAttribute('data-optout-state') === 'on', { timeout: MARK_TIMEOUT, args: [AI_KEY], what: 'marked on' });
        await sleep(300);
        // A change, and the worker stopped while its scan is in flight.
        await b.page.click(`[aria-labelledby="${AI_KEY}"]`);
        await cdp.send('ServiceWorker.stopAllWorkers');
        await sleep(1500);
        const interrupted = await b.page.eval((k) => document.querySelector(`[aria-labelledby="${k}"]`).getAttribute('data-optout-state'), AI_KEY);
        notes.push(`round ${round}: mark after the interrupted scan = ${interrupted} (switch is off)`);
        // The next change must be marked.
        await b.page.click(`[aria-labelledby="${AI_KEY}"]`);
        await b.page.waitFor((k) => document.querySelector(`[aria-labelledby="${k}"]`).getAttribute('data-optout-state') === 'on', { timeout: MARK_TIMEOUT, args: [AI_KEY], what: 'the next change marked after the worker stopped' });
      }
      console.log(`[${name}] ${notes.join('; ')}`);
      await cdp.detach().catch(() => {});
    });
  });
}

defineHostile('chromium');
defineHostile('firefox');
