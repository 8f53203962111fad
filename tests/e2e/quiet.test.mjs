// Quiet mode and the pages with nothing to do, in Chromium and Firefox (node --test tests/):
//  1. Marks off in the options: on a settings page a page-world MutationObserver (installed
//     by the fixture page itself, tests/fixtures/static/observe.js) sees no change at all by
//     the extension, while the popup shows what the page showed, "Check all" still reads
//     every page, and "Show me" scrolls to the switch without marking it. Marks on again:
//     the same observer sees our marks (which also shows it would see a change).
//  2. On a non-settings LinkedIn page (a busy /feed/, tests/fixtures/static/feed.js) the
//     extension sends no message and opens no port to the background and changes nothing;
//     in-app navigation from there to a settings page marks its switch (and that scan is
//     heard by the same listener).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { catalogue } from '../lib/server.mjs';
import { checkMarked, readPopup, waitPopup, sleep } from '../lib/checks.mjs';
import { openBrowser, closeBrowser } from '../lib/session.mjs';

const CATALOGUE = catalogue();
const AI = CATALOGUE.find((c) => c.id === 'ai-training');
const MARK_TIMEOUT = Number(process.env.OPTOUT_MARK_TIMEOUT || 5000);

/** What the page's own observer saw that the page did not do. Runs in the page. */
function observed() {
  const o = window.__observed;
  if (!o) return null;
  return {
    foreign: o.foreignCount,
    optout: o.optoutSeen,
    first: o.foreign.slice(0, 5),
    traces: document.querySelectorAll('[data-optout-setting], [data-optout-state], [data-optout-row], [data-optout-label], [data-optout-flash]').length,
  };
}

/**
 * Runs in an extension page: hears every message and port a content script sends, counted
 * in an attribute of the page (Firefox's WebDriver scripts do not share globals).
 */
function listen() {
  const api = globalThis.browser ?? globalThis.chrome;
  const root = document.documentElement;
  if (root.hasAttribute('data-heard')) return true;
  const heard = { messages: 0, ports: 0, types: {} };
  const save = () => root.setAttribute('data-heard', JSON.stringify(heard));
  save();
  api.runtime.onMessage.addListener((msg) => {
    heard.messages++;
    heard.types[msg && msg.type] = (heard.types[msg && msg.type] || 0) + 1;
    save();
    return false; // the background answers
  });
  api.runtime.onConnect.addListener(() => { heard.ports++; save(); });
  return true;
}
const heard = () => JSON.parse(document.documentElement.getAttribute('data-heard'));
/** What the options page's listener heard; waits for the record (a WebDriver window switch under load can read too early). */
const heardBy = (page) => page.waitFor(heard, { timeout: 10000, what: "the options page's record of what it heard" });

for (const name of ['chromium', 'firefox']) {
  describe(`${name}: quiet mode and pages with nothing to do`, { timeout: 300000 }, () => {
    let server;
    let b;
    let options; // the options page, kept open: it also listens to what content scripts send
    before(async () => {
      ({ server, b } = await openBrowser(name));
      server.setObserve(true); // every fixture page gets its page-world observer
      // The options page, opened from the popup (WebDriver may not open it directly).
      options = await b.openPopup({ width: 900, height: 700 });
      await options.eval(() => { location.href = 'options.html'; });
      await options.waitFor(() => location.pathname.endsWith('/options.html') && document.querySelectorAll('#region option').length > 0, { timeout: 10000, what: 'the options page' });
      assert.equal(await options.eval(listen), true);
    });
    after(async () => {
      await options?.close().catch(() => {});
      await closeBrowser(b, server);
    });

    const setShowMarks = async (on) => {
      await options.eval((want) => {
        const box = document.getElementById('show-marks');
        if (box.checked !== want) box.click();
        return box.checked;
      }, on);
      // Stored by the background (waited for, not guessed); the options page reads it back on a reload.
      await options.waitFor(async (want) => {
        const api = globalThis.browser ?? globalThis.chrome;
        const o = (await api.storage.local.get('options')).options;
        return (o?.showMarks !== false) === want;
      }, { timeout: 10000, args: [on], what: `the background to store show-marks = ${on}` });
      await options.eval(() => { location.reload(); });
      await options.waitFor((want) => document.querySelectorAll('#region option').length > 0 && document.getElementById('show-marks').checked === want,
        { timeout: 10000, args: [on], what: `show-marks stored as ${on}` });
      // Polled: the reload may still be replacing the page's context.
      await options.waitFor(listen, { timeout: 10000, what: 'the listener on the reloaded options page' });
    };

    it('marks on (default): the page-world observer sees our marks', { timeout: 30000 }, async () => {
      await b.page.goto(`${AI.path}?state=on`);
      await checkMarked(b.page, { key: AI.key, id: AI.id, state: 'on', timeout: MARK_TIMEOUT });
      const o = await b.page.eval(observed);
      assert.ok(o, 'the fixture page has its observer');
      assert.ok(o.optout > 0 && o.foreign > 0, `the observer saw the marks: ${JSON.stringify(o)}`);
    });

    it('marks off: no change at all on the settings page, the popup still shows what it showed', { timeout: 40000 }, async () => {
      await setShowMarks(false);
      await b.page.goto(`${AI.path}?state=off`);
      const popup = await b.openPopup();
      try {
        // The scan happened (the popup learnt the new state from it) ...
        await readPopup(popup, { until: (r) => r[AI.id] && r[AI.id].state === 'off', timeout: 10000 });
      } finally {
        await popup.close();
      }
      await sleep(1000); // ... and anything late would show up by now
      const o = await b.page.eval(observed);
      assert.equal(o.foreign, 0, `changes by the extension: ${JSON.stringify(o.first)}`);
      assert.equal(o.traces, 0, 'no data-optout-* attribute or element on the page');
    });

    it('marks off: "Check all" reads every page', { timeout: 120000 }, async () => {
      const off = CATALOGUE.filter((_, i) => i % 3 === 0);
      server.setSwitches(Object.fromEntries(off.map((c) => [c.key, 'off'])));
      const popup = await b.openPopup();
      try {
        await readPopup(popup, { until: (r) => r[AI.id] });
        await popup.click('#check-all');
        const st = await waitPopup(popup, (s) => s.job && s.job.kind === 'sweep' && ['finished', 'cancelled', 'stopped'].includes(s.job.status)
          && CATALOGUE.every((c) => s.rows[c.id].state === (off.includes(c) ? 'off' : 'on')), { timeout: 100000, what: 'Check all to read every page' });
        assert.equal(st.job.status, 'finished');
      } finally {
        await popup.close();
        server.setSwitches(Object.fromEntries(off.map((c) => [c.key, null])));
      }
      const o = await b.page.eval(observed);
      assert.equal(o.foreign, 0, `changes by the extension on the open page: ${JSON.stringify(o.first)}`);
    });

    it('marks off: "Show me" scrolls to the switch without marking it', { timeout: 40000 }, async () => {
      await b.page.goto(AI.path);
      const top = await b.page.waitFor((k) => document.querySelector(`[aria-labelledby="${k}"]`)?.getBoundingClientRect().top, { timeout: 5000, args: [AI.key], what: 'the switch' });
      // A window just too low to show the switch.
      const low = Math.max(150, Math.floor(top) - 40);
      await b.page.setViewport(1280, low);
      try {
        await b.page.goto(AI.path);
        await b.page.waitFor((k) => document.querySelector(`[aria-labelledby="${k}"]`), { timeout: 5000, args: [AI.key], what: 'the switch' });
        const below = await b.page.eval((k) => document.querySelector(`[aria-labelledby="${k}"]`).getBoundingClientRect().top > innerHeight && scrollY === 0, AI.key);
        assert.ok(below, 'the switch starts below the fold (else scrolling proves nothing)');
        // The popup at the same size: in Firefox its tab shares the window, and a bigger
        // popup would let the page show the switch without scrolling while it is open.
        const popup = await b.openPopup({ width: 1280, height: low });
        try {
          await readPopup(popup, { until: (r) => r[AI.id] && r[AI.id].hasShow });
          await b.page.eval(() => { window.__beforeShow = true; });
          await popup.click(`[data-setting="${AI.id}"] [data-action="show"]`);
          // Closed only once "Show me" has reloaded the page: Firefox may drop the message
          // of a page closed right after sending it.
          await b.page.waitFor(() => !window.__beforeShow && document.readyState === 'complete', { timeout: 10000, what: '"Show me" to reload the settings page' });
        } finally {
          await popup.close();
        }
        // "Show me" reloads the settings tab on the setting's page and points at the switch.
        await b.page.waitFor((k) => {
          const sw = document.querySelector(`[aria-labelledby="${k}"]`);
          const r = sw && sw.getBoundingClientRect();
          return r && scrollY > 0 && r.top >= 0 && r.bottom <= innerHeight;
        }, { timeout: 15000, args: [AI.key], what: 'the page to scroll to the switch' });
        await sleep(1000);
        const o = await b.page.eval(observed);
        assert.equal(o.foreign, 0, `changes by the extension: ${JSON.stringify(o.first)}`);
        assert.equal(o.traces, 0, 'no data-optout-* attribute or element on the page');
      } finally {
        await b.page.setViewport(1280, 900);
      }
    });

    it('marks on again: the switch is marked', { timeout: 30000 }, async () => {
      await setShowMarks(true);
      await b.page.goto(`${AI.path}?state=on`);
      await checkMarked(b.page, { key: AI.key, id: AI.id, state: 'on', timeout: MARK_TIMEOUT });
      assert.ok((await b.page.eval(observed)).optout > 0);
    });

    it('a busy /feed/ page: no message, no port, no change; in-app navigation to a settings page marks it', { timeout: 40000 }, async () => {
      await sleep(500);
      const h0 = await heardBy(options);
      await b.page.goto('/feed/?ticks=60');
      await b.page.waitFor(() => window.__feed && window.__feed.done, { timeout: 20000, what: 'the feed to finish its 60 ticks' });
      const feed = await b.page.eval(() => ({ ticks: window.__feed.ticks, pushes: window.__feed.pushes, path: location.pathname }));
      assert.equal(feed.ticks, 60);
      assert.ok(feed.pushes >= 5 && feed.path.startsWith('/feed'), `the feed changed its URL in-app: ${JSON.stringify(feed)}`);
      const h1 = await heardBy(options);
      assert.equal(h1.messages - h0.messages, 0, `messages from the feed page: ${JSON.stringify(h1.types)}`);
      assert.equal(h1.ports - h0.ports, 0, 'ports opened by the feed page');
      const o = await b.page.eval(observed);
      assert.equal(o.foreign, 0, `changes by the extension on the feed: ${JSON.stringify(o.first)}`);
      // In-app navigation (the fixture SPA routes the link with pushState) into a settings page.
      await b.page.click('#feed-settings');
      await b.page.waitFor((p) => location.pathname === p, { timeout: 5000, args: [AI.path], what: 'the in-app navigation' });
      await checkMarked(b.page, { key: AI.key, id: AI.id, state: 'on', timeout: MARK_TIMEOUT });
      const h2 = await heardBy(options);
      assert.ok(h2.types.scan > (h1.types.scan || 0), `the settings page's scan was heard: ${JSON.stringify(h2)}`);
    });
  });
}
