// E2E: "Check all" reads LinkedIn's category pages first (each setting a link, its state a word
// beside it) and visits the own pages only of the settings they did not settle. In headless
// Chromium and Firefox, on the fixture's category pages with server-side behaviours
// (tests/fixtures/README.md): states in English and German, no states, an odd word, absolute
// and mobile-tree links, decoy links, a category page that does not load, and the helper tab
// closed mid-check. Every state the check reports must match what the fixture serves, and
// the test asserts which pages loaded and how many times. Run: node --test tests/e2e/categories.test.mjs
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue, loadRoutes } from '../lib/server.mjs';
import { loadCatalogue } from '../lib/catalogue.mjs';
import { openBrowser, closeBrowser, freshSlate, helperTab } from '../lib/session.mjs';
import { waitPopup, sleep } from '../lib/checks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CATALOGUE = catalogue();
const byId = Object.fromEntries(CATALOGUE.map((c) => [c.id, c]));
const SETTINGS = loadCatalogue().settings;
// Every setting "Check all" reads, with the page it would load for it.
const SWEPT = SETTINGS.filter((s) => s.paths.length > 0).map((s) => ({ id: s.id, path: s.paths[0] }));
const ADS = '/mypreferences/d/categories/ads';
const PRIVACY = '/mypreferences/d/categories/privacy';
const CATEGORY_PAGES = ['ads', 'privacy', 'visibility', 'account', 'notifications'].map((c) => `/mypreferences/d/categories/${c}`);

// What the fixture's category pages list: a link per setting (a page of one setting only);
// Data privacy also shows the AI switch itself.
const routes = loadRoutes();
const onlyOne = (p) => SETTINGS.filter((s) => s.paths.includes(p)).length === 1;
const linked = (page) => routes.pages[page].links.map((l) => l.href).filter(onlyOne)
  .map((p) => SETTINGS.find((s) => s.paths.includes(p) && s.kind === 'switch')?.id).filter(Boolean);
const ON_ADS = linked(ADS);
const ON_PRIVACY = [...new Set([...linked(PRIVACY), 'ai-training'])];

/** Mixed states, every third setting off. */
const MIXED = Object.fromEntries(CATALOGUE.map((c, i) => [c.id, i % 3 === 0 ? 'off' : 'on']));
const keysOf = (states) => Object.fromEntries(Object.entries(states).map(([id, st]) => [byId[id].key, st]));
const expectedState = (id) => MIXED[id] ?? 'on'; // the Microsoft connection is listed: on

for (const name of ['chromium', 'firefox']) {
  describe(`${name}: Check all from the category pages`, { timeout: 600000 }, () => {
    let server;
    let b;
    let popup;
    before(async () => ({ server, b } = await openBrowser(name)));
    after(() => closeBrowser(b, server));

    beforeEach(async () => {
      popup = await freshSlate(b, server);
      server.setSwitches(keysOf(MIXED));
    });

    /** Runs "Check all" and returns the popup once it ended, with the pages it loaded. */
    async function checkAll() {
      const paths = [...new Set([...SWEPT.map((s) => s.path), ...CATEGORY_PAGES])];
      const before = Object.fromEntries(paths.map((p) => [p, server.loads(p)]));
      const t0 = Date.now();
      await popup.click('#check-all');
      const st = await waitPopup(popup, (s) => s.job && !s.job.hidden && s.job.status !== 'running' && s.job.kind === 'sweep',
        { timeout: 90000, what: 'Check all to end' });
      const ms = Date.now() - t0;
      await sleep(300);
      const loads = Object.fromEntries(paths.map((p) => [p, server.loads(p) - before[p]]).filter(([, n]) => n > 0));
      return { st, loads, ms };
    }

    /** Every row shows what the fixture serves. */
    async function rowsMatch(what) {
      return waitPopup(popup, (s) => SWEPT.every(({ id }) => s.rows[id].state === expectedState(id)),
        { timeout: 5000, what: `${what}: every row as the fixture serves it` });
    }

    /** The expected loads: each category page read, and the page of each setting not settled once (one load reads both settings of a shared page). */
    function expectLoads(categories, settled) {
      const out = { ...categories };
      for (const { id, path: p } of SWEPT) if (!settled.includes(id)) out[p] = 1;
      return out;
    }

    it('1. States in English: two category pages read, only the rest visited; rows say where they were read', { timeout: 120000 }, async () => {
      server.setBehaviour(ADS, 'states');
      server.setBehaviour(PRIVACY, 'states');
      const { st, loads, ms } = await checkAll();
      console.log(`[${name}] Check all with states: ${ms} ms, loads ${JSON.stringify(loads)}`);
      assert.equal(st.job.status, 'finished', st.job.text);
      assert.match(st.job.text, new RegExp(`Checked all ${SWEPT.length} settings`));
      const rows = await rowsMatch('English states');
      assert.deepEqual(loads, expectLoads({ [ADS]: 1, [PRIVACY]: 1 }, [...ON_ADS, ...ON_PRIVACY]));
      assert.equal(rows.rows['ads-inferred-age'].seen, "Read on LinkedIn's Advertising data page, just now");
      assert.equal(rows.rows.research.seen, "Read on LinkedIn's Data privacy page, just now");
      assert.equal(rows.rows.cookies.seen, 'Checked just now', 'a setting read on its own page says so');
      assert.deepEqual(server.counters().clicks, {}, 'nothing clicked');
      if (name === 'chromium') {
        const dir = path.join(ROOT, 'dist', 'demo');
        fs.mkdirSync(dir, { recursive: true });
        await popup.setViewport?.(420, 1400);
        await popup.screenshot(path.join(dir, 'popup-categories.png'), { fullPage: true });
      }
    });

    it('2. No state words: the first category page costs one load, the rest go page by page', { timeout: 120000 }, async () => {
      const { st, loads } = await checkAll();
      assert.equal(st.job.status, 'finished', st.job.text);
      await rowsMatch('no states');
      assert.deepEqual(loads, expectLoads({ [ADS]: 1 }, []));
    });

    it('3. German page (lang de, "Ein"/"Aus"): read as in English', { timeout: 120000 }, async () => {
      server.setBehaviour(ADS, 'states-de');
      server.setBehaviour(PRIVACY, 'states-de');
      const { st, loads } = await checkAll();
      assert.equal(st.job.status, 'finished', st.job.text);
      await rowsMatch('German states');
      assert.deepEqual(loads, expectLoads({ [ADS]: 1, [PRIVACY]: 1 }, [...ON_ADS, ...ON_PRIVACY]));
    });

    it('4. Odd word on one row, absolute and mobile-tree links, decoy links with contrary words', { timeout: 120000 }, async () => {
      server.setBehaviour(ADS, 'states,odd,absolute,decoys');
      server.setBehaviour(PRIVACY, 'states,mobile');
      const { st, loads } = await checkAll();
      assert.equal(st.job.status, 'finished', st.job.text);
      await rowsMatch('odd word and decoys');
      // The first ads row ("3 selected") is visited on its own page; the decoys change nothing.
      const odd = ON_ADS[0];
      assert.deepEqual(loads, expectLoads({ [ADS]: 1, [PRIVACY]: 1 }, [...ON_ADS.filter((id) => id !== odd), ...ON_PRIVACY]));
    });

    it('5. A category page that does not load: tried once more, then its settings page by page', { timeout: 120000 }, async () => {
      server.setBehaviour(ADS, 'http500');
      server.setBehaviour(PRIVACY, 'states');
      const { st, loads } = await checkAll();
      assert.equal(st.job.status, 'finished', st.job.text);
      assert.match(st.job.text, new RegExp(`Checked all ${SWEPT.length} settings`), 'nothing left unread');
      await rowsMatch('failed category page');
      assert.deepEqual(loads, expectLoads({ [ADS]: 2, [PRIVACY]: 1 }, ON_PRIVACY));
    });

    it('6. The helper tab closed mid-check: the check goes on in its own tab and reads every setting', { timeout: 120000 }, async () => {
      server.setBehaviour(ADS, 'states');
      server.setBehaviour(PRIVACY, 'states');
      // The pages no category page lists are the helper's; slow, so it is still on its first one.
      const settled = [...ON_ADS, ...ON_PRIVACY];
      for (const { id, path: p } of SWEPT) if (!settled.includes(id)) server.setBehaviour(p, 'slow:2500');
      const paths = [...new Set([...SWEPT.map((x) => x.path), ...CATEGORY_PAGES])];
      const before = Object.fromEntries(paths.map((p) => [p, server.loads(p)]));
      const known = new Set(await b.tabUrls());
      await popup.click('#check-all');
      // Two new tabs: the job's and the helper's, on an own page (the tab that shows the page the
      // extension says its helper reads; tests/lib/session.mjs).
      const helper = await helperTab(b, popup, { timeout: 15000 });
      assert.ok(helper && !known.has(helper.url), `a helper tab: ${JSON.stringify(await b.tabUrls())}`);
      // Closed by hand (tests/lib/browsers.mjs absorbs a handle lost for a moment, bounded).
      const closed = await helper.page.close().then(() => true);
      assert.ok(closed, 'the helper tab was closed');
      const st = await waitPopup(popup, (s) => s.job && !s.job.hidden && s.job.status !== 'running' && s.job.kind === 'sweep',
        { timeout: 90000, what: 'Check all to end' });
      assert.equal(st.job.status, 'finished', st.job.text);
      assert.match(st.job.text, new RegExp(`Checked all ${SWEPT.length} settings`), 'nothing left unread');
      await rowsMatch('helper tab closed');
      await sleep(300);
      // Every page as often as with the helper, but for the one it was loading when closed.
      const loads = Object.fromEntries(paths.map((p) => [p, server.loads(p) - before[p]]).filter(([, n]) => n > 0));
      const expected = expectLoads({ [ADS]: 1, [PRIVACY]: 1 }, settled);
      const extra = Object.keys(loads).filter((p) => loads[p] !== expected[p]);
      assert.deepEqual(Object.keys(loads).sort(), Object.keys(expected).sort(), JSON.stringify(loads));
      // The helper was in fact interrupted: the page it was reading (its switch arrives only
      // 2.5 s after the load) is read again, in the check's own tab, and that is the only extra load.
      const interrupted = new URL(helper.url).pathname;
      assert.deepEqual(extra, [interrupted], `only the helper's page is loaded again: loads ${JSON.stringify(loads)}`);
      assert.equal(loads[interrupted], expected[interrupted] + 1, `loads ${JSON.stringify(loads)}`);
    });
  });
}
