// The e2e scenario list, shared by chromium.test.mjs and firefox.test.mjs.
// Each scenario drives a real browser with the built extension against the fixture server
// (tests/lib/server.mjs) and asserts what the user would see: marks on the page and the popup.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, catalogue } from '../lib/server.mjs';
import { loadCatalogue, settingCount } from '../lib/catalogue.mjs';
import { extDirFor, missingPrereq, openBrowser, closeBrowser, newBrowser } from '../lib/session.mjs';
import { checkMarked, readPopup, noMarksOnPage, coveredByLabel, sleep } from '../lib/checks.mjs';

const CATALOGUE = catalogue();
const AI = CATALOGUE.find((c) => c.id === 'ai-training');
const byId = Object.fromEntries(CATALOGUE.map((c) => [c.id, c]));
// How long a mark may take to appear (contract: ~1 s after render; generous for slow CI).
const MARK_TIMEOUT = Number(process.env.OPTOUT_MARK_TIMEOUT || 5000);

// Where the build is and whether this browser can run: tests/lib/session.mjs (kept importable from here).
export { extDirFor, missingPrereq };

export function defineScenarios(name) {
  describe(`${name}: one browser session`, { timeout: 600000 }, () => {
    let server;
    let b;
    before(async () => ({ server, b } = await openBrowser(name)));
    after(() => closeBrowser(b, server));

    const labels = {};
    for (const s of CATALOGUE) {
      for (const state of ['on', 'off']) {
        it(`marks ${s.id} (${s.path}) when ${state}`, { timeout: 30000 }, async () => {
          await b.page.goto(`${s.path}?state.${s.key}=${state}`);
          const info = await checkMarked(b.page, { key: s.key, id: s.id, state, timeout: MARK_TIMEOUT });
          labels[`${s.id}:${state}`] = info.label;
        });
      }
    }
    it('every on-page label is words for people: the state in capitals, no message name, on and off differ', () => {
      console.log(`[${name}] on-page labels:\n  ${Object.entries(labels).map(([k, v]) => `${k.padEnd(28)} ${JSON.stringify(v)}`).join('\n  ')}`);
      const seen = Object.keys(labels).length;
      assert.equal(seen, CATALOGUE.length * 2, 'a label for every setting in both states (the marks above passed)');
      for (const [k, v] of Object.entries(labels)) {
        const state = k.split(':').pop();
        assert.equal(typeof v, 'string', k);
        assert.match(v, state === 'on' ? /\bON\b/ : /\bOFF\b/, `${k}: ${v}`);
        assert.doesNotMatch(v, /__MSG|\b(markOn|markOff|markOnShort|pillOn|pillOff|setting_[a-z_]+)\b/, `${k}: ${v}`);
      }
      for (const s of CATALOGUE) assert.notEqual(labels[`${s.id}:on`], labels[`${s.id}:off`], s.id);
    });

    for (const lang of ['de', 'fr']) {
      it(`marks the AI switch on the ${lang} page`, { timeout: 30000 }, async () => {
        await b.page.goto(`${AI.path}?lang=${lang}`);
        assert.equal(await b.page.eval(() => document.documentElement.lang), lang);
        await checkMarked(b.page, { key: AI.key, id: 'ai-training', state: 'on', timeout: MARK_TIMEOUT });
      });
    }

    it('finds the AI switch by its label when the aria key is unknown (renamed key, unknown path)', { timeout: 30000 }, async () => {
      await b.page.goto('/mypreferences/d/categories/privacy-renamed?state=off');
      await checkMarked(b.page, { key: 'someNewKey123', id: 'ai-training', state: 'off', timeout: MARK_TIMEOUT });
    });

    it('decoy page: marks only the AI switch, not other AI-sounding switches', { timeout: 30000 }, async () => {
      await b.page.goto('/mypreferences/d/categories/privacy');
      await checkMarked(b.page, { key: AI.key, id: 'ai-training', state: 'on', timeout: MARK_TIMEOUT });
      await sleep(1500); // let any debounced re-scan finish before checking nothing else got marked
      const r = await b.page.eval(() => ({
        marked: [...document.querySelectorAll('[data-optout-setting]')].map((e) => e.getAttribute('aria-labelledby')),
        decoys: [...document.querySelectorAll('[role=switch]')].filter((e) => e.getAttribute('aria-labelledby') !== 'allowDataForGenerativeAI')
          .map((e) => ({ key: e.getAttribute('aria-labelledby'), setting: e.getAttribute('data-optout-setting'), state: e.getAttribute('data-optout-state') })),
        labels: document.querySelectorAll('[data-optout-label]').length,
      }));
      assert.deepEqual(r.marked, ['allowDataForGenerativeAI']);
      assert.equal(r.decoys.length, 3);
      for (const d of r.decoys) assert.equal(d.setting, null, `decoy ${d.key} must not be marked`);
      assert.equal(r.labels, 1, 'exactly one label on the page');
    });

    it('late render: switch inserted 1500 ms after load is marked quickly, without layout shift', { timeout: 30000 }, async () => {
      await b.page.goto(`${AI.path}?delayMs=1500`);
      assert.equal(await b.page.eval(() => document.querySelectorAll('[role=switch]').length), 0, 'switch not there yet');
      await b.page.waitFor((k) => window.__fixture.insertedAt[k] !== undefined, { timeout: 5000, args: [AI.key], what: 'the fixture to insert the switch' });
      await checkMarked(b.page, { key: AI.key, id: 'ai-training', state: 'on', timeout: MARK_TIMEOUT });
      const t = await b.page.eval((k) => ({ ins: window.__fixture.insertedAt[k], mark: window.__fixture.markedAt[k] }), AI.key);
      console.log(`[${name}] mark latency: ${Math.round(t.mark - t.ins)} ms (measured in ./build.sh bench, not asserted)`);
      // Marking moves nothing: the switch and its row stand where they stood when inserted.
      const r = await b.page.eval((k) => ({ before: window.__fixture.rectAtInsert[k], after: window.__fixture.rectAtMark[k] }), AI.key);
      assert.ok(r.before?.switch && r.after?.switch, 'the fixture measured the switch before and at the mark');
      for (const part of ['switch', 'row']) {
        for (const side of ['x', 'y', 'width', 'height']) {
          assert.ok(Math.abs(r.after[part][side] - r.before[part][side]) < 0.5, `${part}.${side}: ${r.before[part][side]} -> ${r.after[part][side]}`);
        }
      }
    });

    it('in-app navigation (pushState) marks the new switch without reload; history.back re-marks the old one', { timeout: 40000 }, async () => {
      const age = byId['ads-inferred-age'];
      const gender = byId['ads-inferred-gender'];
      await b.page.goto(age.path);
      await checkMarked(b.page, { key: age.key, id: age.id, state: 'on', timeout: MARK_TIMEOUT });
      const loadId = await b.page.eval(() => window.__fixture.loadId);
      const shellHits = () => server.requests.filter((r) => r.url.startsWith('/mypreferences/')).length;
      const hits = shellHits();
      await b.page.click('a[aria-label="Back"]');
      await b.page.waitFor(() => location.pathname === '/mypreferences/d/categories/ads', { timeout: 5000 });
      await b.page.click(`a[href="${gender.path}"]`);
      await b.page.waitFor((p) => location.pathname === p, { timeout: 5000, args: [gender.path] });
      await checkMarked(b.page, { key: gender.key, id: gender.id, state: 'on', timeout: MARK_TIMEOUT });
      await b.page.eval(() => history.back());
      await b.page.waitFor(() => location.pathname === '/mypreferences/d/categories/ads', { timeout: 5000 });
      await b.page.eval(() => history.back());
      await b.page.waitFor((p) => location.pathname === p, { timeout: 5000, args: [age.path] });
      await checkMarked(b.page, { key: age.key, id: age.id, state: 'on', timeout: MARK_TIMEOUT });
      assert.equal(await b.page.eval(() => window.__fixture.loadId), loadId, 'no page reload happened');
      assert.equal(shellHits(), hits, 'no document request to the server during in-app navigation');
    });

    it('non-input switch (div role=switch): state read from aria-checked, follows a click', { timeout: 30000 }, async () => {
      const age = byId['ads-inferred-age'];
      for (const state of ['off', 'on']) {
        await b.page.goto(`${age.path}?variant=div&state=${state}`);
        assert.equal(await b.page.eval(() => document.querySelector('[role=switch]').tagName), 'DIV');
        await checkMarked(b.page, { key: age.key, id: age.id, state, timeout: MARK_TIMEOUT });
      }
      await b.page.click('[role=switch]');
      await checkMarked(b.page, { key: age.key, id: age.id, state: 'off', timeout: MARK_TIMEOUT, clicks: 1 });
    });

    it('user flips the AI switch: mark goes on -> off, popup shows it off', { timeout: 40000 }, async () => {
      await b.page.goto(`${AI.path}?state=on`);
      await checkMarked(b.page, { key: AI.key, id: 'ai-training', state: 'on', timeout: MARK_TIMEOUT });
      await b.page.click(`[aria-labelledby="${AI.key}"]`); // a real click, as the user would
      assert.equal(await b.page.eval((k) => document.querySelector(`[aria-labelledby="${k}"]`).checked, AI.key), false, 'the click flipped the real checkbox');
      await checkMarked(b.page, { key: AI.key, id: 'ai-training', state: 'off', timeout: MARK_TIMEOUT, clicks: 1 });
      const popup = await b.openPopup();
      try {
        const rows = await readPopup(popup, { until: (r) => r['ai-training'] && r['ai-training'].state === 'off' });
        assert.equal(rows.rows['ai-training'].state, 'off');
      } finally {
        await popup.close();
      }
    });

    // Beyond the written contract: an absolutely positioned label must not hide LinkedIn's own
    // explanation text or any control the user may want to click.
    it('the on-page label hides no page text and no control', { timeout: 60000 }, async () => {
      const problems = [];
      const pages = [...CATALOGUE.map((c) => [c, c.path]), [AI, '/mypreferences/d/categories/privacy']];
      for (const [c, p] of pages) {
        await b.page.goto(p);
        await checkMarked(b.page, { key: c.key, id: c.id, state: 'on', timeout: MARK_TIMEOUT });
        for (const c of await coveredByLabel(b.page)) problems.push(`${p}: ${c}`);
      }
      assert.ok(problems.length === 0, `the on-page label hides page content:\n  ${problems.join('\n  ')}`);
    });

    it('"Show me" in the popup opens the setting\'s page on LinkedIn', { timeout: 40000 }, async () => {
      const gender = byId['ads-inferred-gender'];
      const popup = await b.openPopup();
      try {
        await readPopup(popup, { until: (r) => r[gender.id] && r[gender.id].hasShow });
        const before = await b.tabUrls();
        await popup.click(`[data-setting="${gender.id}"] [data-action="show"]`);
        const t0 = Date.now();
        let urls = before;
        while (Date.now() - t0 < 10000 && !urls.some((u) => new URL(u, 'https://x').pathname === gender.path)) {
          await sleep(200);
          urls = await b.tabUrls();
        }
        assert.ok(urls.some((u) => u.startsWith('https://www.linkedin.com') && new URL(u).pathname === gender.path),
          `a tab shows ${gender.path}; tabs: ${JSON.stringify(urls)}`);
      } finally {
        await popup.close().catch(() => {});
        await b.closeOtherTabs();
      }
    });

    it('page text stays text: markup in labels is not interpreted by the extension', { timeout: 40000 }, async () => {
      const pages = [[AI, 'ai-training'], [byId['ads-activity-data'], 'ads-activity-data']];
      for (const [s, id] of pages) {
        await b.page.goto(`${s.path}?variant=evil`);
        await checkMarked(b.page, { key: s.key, id, state: 'on', timeout: MARK_TIMEOUT });
        await sleep(500);
        const r = await b.page.eval(() => ({
          pwned: typeof window.__pwned,
          imgs: document.querySelectorAll('img[src="x"], img[onerror], [onerror]').length,
          bolds: [...document.querySelectorAll('b')].filter((e) => e.textContent === 'bold').length,
          labelEls: [...document.querySelectorAll('[data-optout-label]')].map((l) => l.querySelectorAll('*').length ? l.innerHTML : ''),
          labelText: document.getElementById(document.querySelector('[role=switch]').getAttribute('aria-labelledby')).textContent,
        }));
        assert.equal(r.pwned, 'undefined', 'onerror handler ran');
        assert.equal(r.imgs, 0, 'an <img> was created from page text');
        assert.equal(r.bolds, 0, 'a <b> was created from page text');
        assert.match(r.labelText, /<img src=x/, 'fixture label still holds the markup as text');
      }
      const popup = await b.openPopup();
      try {
        await readPopup(popup, { until: (r) => r['ai-training'] && r['ai-training'].state === 'on' });
        const r = await popup.eval(() => ({
          pwned: typeof window.__pwned,
          imgs: document.querySelectorAll('img[src="x"], [onerror]').length,
          bolds: [...document.querySelectorAll('b')].filter((e) => e.textContent === 'bold').length,
        }));
        assert.deepEqual(r, { pwned: 'undefined', imgs: 0, bolds: 0 });
      } finally {
        await popup.close();
      }
    });
  });

  // Scenarios that need a clean extension state get their own browser profile.
  describe(`${name}: fresh profile`, { timeout: 600000 }, () => {
    let server;
    before(async () => {
      const missing = missingPrereq(name);
      if (missing) throw new Error(missing);
      server = await startServer();
    });
    after(() => closeBrowser(null, server));

    it('popup lists every setting: seen ones on/off, the rest unknown; headline counts sharing ones', { timeout: 90000 }, async () => {
      const b = await newBrowser(name, server);
      try {
        const visit = { 'ai-training': 'on', research: 'on', 'ads-inferred-age': 'off', 'ads-profile-location': 'off', 'share-with-affiliates': 'off' };
        const pageLabels = {};
        for (const [id, state] of Object.entries(visit)) {
          const s = byId[id];
          await b.page.goto(`${s.path}?state=${state}`);
          pageLabels[id] = (await checkMarked(b.page, { key: s.key, id, state, timeout: MARK_TIMEOUT })).label;
        }
        const popup = await b.openPopup();
        const { rows, headline, order } = await readPopup(popup, {
          until: (r) => Object.entries(visit).every(([id, st]) => r[id] && r[id].state === st),
        });
        console.log(`[${name}] popup headline: ${JSON.stringify(headline)}`);
        console.log(`[${name}] popup rows:\n  ${order.map((id) => `${id.padEnd(22)} ${rows[id].state.padEnd(8)} ${JSON.stringify(rows[id].title)} ${rows[id].reasonCode || ''} ${JSON.stringify(rows[id].reason)}`).join('\n  ')}`);
        assert.deepEqual(order, loadCatalogue().settings.map((s) => s.id), 'one row per catalogued setting, in catalogue (section) order');
        for (const c of CATALOGUE) {
          const r = rows[c.id];
          assert.ok(r.title.trim().length > 0, `${c.id}: title`);
          assert.ok(r.hasShow, `${c.id}: "Show me" button`);
          assert.ok(r.hasSeen && r.hasStateField, `${c.id}: state and seen fields`);
          if (visit[c.id]) {
            assert.equal(r.state, visit[c.id], `${c.id}: state as seen on the page`);
          } else {
            assert.equal(r.state, 'unknown', `${c.id}: not visited -> unknown`);
            assert.equal(r.reasonCode, 'not-checked', `${c.id}: reason code`);
            assert.ok(r.hasReasonField, `${c.id}: reason field on an unknown row`);
            assert.ok(r.reason.trim().length > 0, `${c.id}: reason text`);
          }
        }
        assert.match(headline, new RegExp(`\\b2 of ${settingCount()}\\b`), 'headline counts the 2 sharing settings');
        // The on-page label starts with the setting's short name; show it next to the popup title.
        for (const id of Object.keys(visit)) {
          console.log(`[${name}] ${id}: page label ${JSON.stringify(pageLabels[id])} / popup title ${JSON.stringify(rows[id].title)}`);
        }
        await popup.close();
      } finally {
        await b.close();
      }
    });

    it('logged out: redirect to /login; popup says unknown because not signed in; nothing marked', { timeout: 90000 }, async () => {
      const b = await newBrowser(name, server);
      server.setLoggedIn(false);
      try {
        await b.page.goto(AI.path);
        const url = await b.page.url();
        assert.match(url, /\/login\?session_redirect=/, 'server redirected to the sign-in page');
        assert.ok(await b.page.eval(() => !!document.querySelector('input[type=password]')), 'sign-in form shown');
        await sleep(1500);
        await noMarksOnPage(b.page);
        const popup = await b.openPopup();
        const { rows } = await readPopup(popup, { until: (r) => r['ai-training'] && r['ai-training'].reasonCode === 'not-logged-in' });
        const ai = rows['ai-training'];
        assert.equal(ai.state, 'unknown');
        assert.equal(ai.reasonCode, 'not-logged-in');
        assert.match(ai.reason, /sign|log/i, 'reason text mentions signing/logging in');
        await popup.close();
      } finally {
        server.setLoggedIn(true);
        await b.close();
      }
    });
  });
}
