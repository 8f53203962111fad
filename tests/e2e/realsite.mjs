// The evidence review's variations of LinkedIn's pages, in a real browser under the strict
// CSP (shared by chromium.test.mjs and firefox.test.mjs): LinkedIn's wording in other
// punctuation, Italian and German pages, switches inside open (and closed) shadow roots, the
// cookie switch found by its element id, the promotions page's two switches, profile data
// pages known by their title, a checkbox list, the mobile tree, Partners and services, the
// coupled Data sharing switch during "Turn off all", and the popup's sections and GPC note.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue } from '../lib/server.mjs';
import { loadCatalogue } from '../lib/catalogue.mjs';
import { checkMarked, readPopup, waitPopup, noMarksOnPage, sleep } from '../lib/checks.mjs';
import { openBrowser, closeBrowser } from '../lib/session.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const byId = Object.fromEntries(catalogue().map((c) => [c.id, c]));
const MARK_TIMEOUT = Number(process.env.OPTOUT_MARK_TIMEOUT || 5000);
// The core's settle time (catalogue.json): a page without the switch is judged after it.
const SETTLE = loadCatalogue().site.settle_ms + 1500;

// Runs in the page: which of these switches (by aria-labelledby key) carry a mark, in the
// document or in the fixture's shadow roots (the closed one as the page itself keeps it).
function marksByKey(keys) {
  const roots = [document];
  const fx = window.__fixture || {};
  if (fx.shadowHost && fx.shadowHost.shadowRoot) roots.push(fx.shadowHost.shadowRoot);
  if (fx.closedRoot) roots.push(fx.closedRoot);
  const out = {};
  for (const key of keys) {
    for (const root of roots) {
      const sw = root.querySelector(`[aria-labelledby="${CSS.escape(key)}"]`);
      if (!sw) continue;
      const label = root.querySelector(`[data-optout-label]`) && [...root.querySelectorAll('[data-optout-label]')]
        .find((l) => l.previousElementSibling === sw || (sw.closest('label') && l.previousElementSibling === sw.closest('label')));
      const row = sw.closest('[data-optout-row]');
      out[key] = {
        setting: sw.getAttribute('data-optout-setting'),
        state: sw.getAttribute('data-optout-state'),
        inShadow: root !== document,
        label: label ? label.textContent : null,
        labelPositioned: label ? getComputedStyle(label).position : null,
        labelBackground: label ? getComputedStyle(label).backgroundColor : null,
        rowOutline: row ? getComputedStyle(row).outlineStyle : null,
        clicks: Number(sw.getAttribute('data-clicks')),
      };
    }
    if (!out[key]) out[key] = { missing: true };
  }
  return out;
}

/** Polls until `want` ({key: setting id or null}) holds for every key; returns the last reading. */
async function expectMarks(page, want, what, timeout = MARK_TIMEOUT) {
  const keys = Object.keys(want);
  const t0 = Date.now();
  let got;
  for (;;) {
    got = await page.eval(marksByKey, keys).catch((e) => ({ error: e.message }));
    const ok = !got.error && keys.every((k) => got[k] && !got[k].missing && got[k].setting === want[k] && (want[k] === null || (got[k].label && /\b(ON|OFF)\b/.test(got[k].label))));
    if (ok) return got;
    if (Date.now() - t0 > timeout) assert.fail(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    await sleep(100);
  }
}

/** Marks stay as they are for a while (a decoy must not be marked later either). */
async function stillMarks(page, want, what) {
  await sleep(800);
  return expectMarks(page, want, what, 200);
}

/**
 * Opens the popup and waits until `pred(row, state)` holds for setting `id`; with `since`, first
 * until a verdict on it taken at `since` or later is stored (e.g. the one after a page settled).
 */
async function popupRow(b, id, pred, what, timeout = 10000, since = null) {
  const popup = await b.openPopup();
  try {
    if (since !== null) {
      await popup.waitFor(async (sid, t) => {
        const api = globalThis.browser ?? globalThis.chrome;
        const e = (await api.storage.local.get('state')).state?.settings?.[sid];
        return !!e && e.checkedAt >= t;
      }, { timeout, args: [id, since], what: `a verdict on ${id} stored after the page settled (${what})` });
    }
    const st = await waitPopup(popup, (s) => s.rows[id] && pred(s.rows[id], s), { timeout, what });
    return st;
  } finally {
    await popup.close();
  }
}

export function defineRealSiteScenarios(name) {
  describe(`${name}: LinkedIn's variations (evidence review)`, { timeout: 600000 }, () => {
    let server;
    let b;
    before(async () => ({ server, b } = await openBrowser(name)));
    after(() => closeBrowser(b, server));

    it('LinkedIn\'s wording in other punctuation is recognised; longer sentences and other words are left alone', { timeout: 30000 }, async () => {
      await b.page.goto('/mypreferences/d/categories/privacy-variants?state.newKeyResearch=off');
      const got = await expectMarks(b.page, {
        newKeyResearch: 'research', newKeyMeasure: 'ads-measure-success', newKeyAds: 'ads-beyond-linkedin',
        learnMoreResearch: null, newKeyMeasureDecoy: null, showActiveStatus: null,
      }, 'punctuation variants');
      assert.equal(got.newKeyResearch.state, 'off');
      assert.match(got.newKeyResearch.label, /\bOFF\b/);
      await stillMarks(b.page, { learnMoreResearch: null, newKeyMeasureDecoy: null, showActiveStatus: null }, 'decoys stay unmarked');
      const popup = await b.openPopup();
      try {
        const st = await readPopup(popup, { until: (r) => r.research?.state === 'off' && r['ads-measure-success']?.state === 'on' });
        assert.equal(st.rows['ads-beyond-linkedin'].state, 'on');
      } finally {
        await popup.close();
      }
    });

    it('an Italian and a German page: the labels the evidence gives, nothing else', { timeout: 30000 }, async () => {
      await b.page.goto('/mypreferences/d/categories/privacy-variants?lang=it');
      assert.equal(await b.page.eval(() => document.documentElement.lang), 'it');
      await expectMarks(b.page, { newKeyResearch: 'ai-training', newKeyMeasure: null, newKeyAds: null, learnMoreResearch: null }, 'Italian page');
      await stillMarks(b.page, { newKeyMeasure: null, newKeyAds: null, learnMoreResearch: null, newKeyMeasureDecoy: null }, 'Italian decoys');
      await b.page.goto('/mypreferences/d/categories/privacy-variants?lang=de&state.newKeyResearch=off');
      const de = await expectMarks(b.page, { newKeyResearch: 'share-with-affiliates', newKeyMeasure: 'ai-training', newKeyAds: null, learnMoreResearch: null }, 'German page');
      assert.equal(de.newKeyResearch.state, 'off');
      // The on-page label speaks the browser's language, not the page's; it names the setting.
      assert.ok(de.newKeyResearch.label.length > 4, de.newKeyResearch.label);
    });

    it('switches inside an open shadow root are read, marked and styled there; a closed root is out of reach', { timeout: 30000 }, async () => {
      await b.page.goto('/mypreferences/d/categories/privacy-shadow?state.allowDataForGenerativeAI=off');
      const got = await expectMarks(b.page, {
        allowDataForGenerativeAI: 'ai-training', renamedResearchKey: 'research', showActiveStatus: null, allowConversionTrackings: null,
      }, 'shadow roots');
      for (const k of ['allowDataForGenerativeAI', 'renamedResearchKey']) {
        assert.ok(got[k].inShadow, `${k} is in the shadow root`);
        // content.css does not reach into the root: the label and outline are styled inline.
        assert.equal(got[k].labelPositioned, 'absolute', `${k}: label taken out of flow`);
        assert.notEqual(got[k].rowOutline, 'none', `${k}: its row is outlined`);
        assert.equal(got[k].clicks, 0);
      }
      assert.equal(got.allowDataForGenerativeAI.state, 'off');
      assert.match(got.allowDataForGenerativeAI.labelBackground, /rgb\(30, 125, 50\)/, 'off is shown as protective');
      assert.ok(got.allowConversionTrackings.inShadow && got.allowConversionTrackings.setting === null, 'the closed root is left alone');
      // A flip inside the shadow root is seen (the root is watched).
      await b.page.eval(() => window.__fixture.shadowHost.shadowRoot.querySelector('[aria-labelledby="renamedResearchKey"]').click());
      const after = await expectMarks(b.page, { renamedResearchKey: 'research' }, 'after the flip');
      for (let i = 0; i < 30 && after.renamedResearchKey.state !== 'off'; i++) {
        Object.assign(after, await b.page.eval(marksByKey, ['renamedResearchKey']));
        await sleep(100);
      }
      assert.equal(after.renamedResearchKey.state, 'off', 'the flip inside the shadow root was re-read');
    });

    it('the cookie switch is found by its element id, the essential one beside it is left alone', { timeout: 30000 }, async () => {
      const c = byId.cookies;
      assert.equal(c.key, 'nonEssentialCookieLabel', 'the fixture labels it by a key the core does not know');
      await b.page.goto(`${c.path}?state.${c.key}=off`);
      await checkMarked(b.page, { key: c.key, id: 'cookies', state: 'off', timeout: MARK_TIMEOUT });
      await stillMarks(b.page, { essentialCookiesLabel: null }, 'essential cookies');
    });

    it('the promotions page: two switches, each identified on its own', { timeout: 30000 }, async () => {
      await b.page.goto('/mypreferences/d/settings/linkedin-promotions?state.tipsForUsingLinkedinViaEmail=off');
      await checkMarked(b.page, { key: 'allowProfileAndActivityDataForMarketingAds', id: 'marketing-promotions', state: 'on', timeout: MARK_TIMEOUT });
      await checkMarked(b.page, { key: 'tipsForUsingLinkedinViaEmail', id: 'marketing-emails', state: 'off', timeout: MARK_TIMEOUT });
    });

    it('profile data pages are known by their title; the Employer checkbox list is reported as a list, never read', { timeout: 40000 }, async () => {
      await b.page.goto('/mypreferences/d/settings/ads-groups?state.profileData_ads_groups=off');
      await checkMarked(b.page, { key: 'profileData_ads_groups', id: 'ads-groups', state: 'off', timeout: MARK_TIMEOUT });
      await b.page.goto('/mypreferences/d/settings/microsoft-word');
      await checkMarked(b.page, { key: 'resumeAssistantToggle', id: 'microsoft-word', state: 'on', timeout: MARK_TIMEOUT });
      await b.page.goto('/mypreferences/d/settings/ads-employer');
      assert.equal(await b.page.eval(() => document.querySelectorAll('input[type=checkbox]').length), 3);
      await sleep(SETTLE);
      await noMarksOnPage(b.page);
      const st = await popupRow(b, 'ads-employer', (r) => r.reasonCode === 'list', 'Employer reported as a list');
      const r = st.rows['ads-employer'];
      assert.equal(r.state, 'unknown');
      assert.match(r.reason, /list of checkboxes/i);
      assert.ok(r.hasShow && !r.hasTurnOff, '"Show me", never "Turn off"');
      assert.equal(st.rows['ads-groups'].state, 'off');
    });

    it('the mobile-web tree and the old /psettings/ page map to the same settings', { timeout: 30000 }, async () => {
      await b.page.goto('/mypreferences/m/settings/ads-by-age?state.allowAdsByAge=off');
      await checkMarked(b.page, { key: 'allowAdsByAge', id: 'ads-inferred-age', state: 'off', timeout: MARK_TIMEOUT });
      await b.page.goto('/psettings/data-sharing?state.dataSharingToggle=on');
      await checkMarked(b.page, { key: 'dataSharingToggle', id: 'data-sharing', state: 'on', timeout: MARK_TIMEOUT });
    });

    it('Partners and services: connected only while the Microsoft entry is seen, never "not connected"', { timeout: 40000 }, async () => {
      await b.page.goto('/psettings/partners-and-services');
      let st = await popupRow(b, 'microsoft-connection', (r) => r.state === 'on', 'connected');
      assert.equal(st.rows['microsoft-connection'].stateText, 'CONNECTED');
      assert.ok(!st.rows['microsoft-connection'].hasTurnOff, 'a read-only row offers no "Turn off"');
      await noMarksOnPage(b.page);
      for (const variant of ['none', 'decoy']) {
        // The verdict the page gives once settled: stored after its settle time (no fixed sleep).
        const settled = Date.now() + loadCatalogue().site.settle_ms;
        await b.page.goto(`/psettings/partners-and-services?variant=${variant}`);
        st = await popupRow(b, 'microsoft-connection', (r) => r.reasonCode === 'not-seen', `not seen (${variant})`, SETTLE + 10000, settled);
        assert.equal(st.rows['microsoft-connection'].state, 'unknown', `${variant}: unknown, not "off"`);
        assert.match(st.rows['microsoft-connection'].reason, /Partners and services/);
      }
    });

    it('Turn off all: LinkedIn turns Data sharing off with Ads off LinkedIn; it is read fresh, never clicked, and recorded as LinkedIn\'s', { timeout: 120000 }, async () => {
      const ads = byId['ads-beyond-linkedin'];
      const sharing = byId['data-sharing'];
      const off = Object.fromEntries(catalogue().map((c) => [c.key, 'off']));
      server.setSwitches({ ...off, [ads.key]: 'on', [sharing.key]: 'on' });
      for (const c of catalogue()) {
        await b.page.goto(c.path);
        await checkMarked(b.page, { key: c.key, id: c.id, state: c.id === ads.id || c.id === sharing.id ? 'on' : 'off', timeout: MARK_TIMEOUT });
      }
      await b.page.goto('/');
      server.resetClicks();
      const popup = await b.openPopup();
      try {
        let st = await waitPopup(popup, (s) => !s.turnOffAll.hidden && /\b2\b/.test(s.turnOffAll.text), { what: '"Turn off all 2"' });
        await popup.click('#turn-off-all');
        st = await waitPopup(popup, (s) => s.confirm.open, { what: 'the confirmation' });
        assert.deepEqual([...st.confirm.list].sort(), [ads.id, sharing.id].sort());
        await popup.click('#confirm-yes');
        st = await waitPopup(popup, (s) => s.job.status === 'finished', { timeout: 90000, what: 'the opt-out to finish' });
        assert.equal(st.job.results[ads.id].outcome, 'turned-off', st.job.results[ads.id].text);
        assert.equal(st.job.results[sharing.id].outcome, 'already-off', `read fresh on its page: ${st.job.results[sharing.id].text}`);
        await sleep(600);
        assert.deepEqual(Object.fromEntries(Object.entries(server.counters().clicks).filter(([, v]) => v)), { [ads.key]: 1 }, 'one click, on Ads off LinkedIn only');
        const changed = await popup.eval((id) => document.querySelector(`[data-setting="${id}"] [data-field="changed"]`)?.textContent ?? '', sharing.id);
        assert.match(changed, /LinkedIn/, changed);
        assert.doesNotMatch(changed, /by you/, changed);
      } finally {
        await popup.close();
      }
    });

    it('the popup: LinkedIn\'s sections in order, the lead line, the GPC note in the US only, natural region sentences; screenshot', { timeout: 40000 }, async () => {
      server.setSwitches({ [byId['ai-training'].key]: 'on' });
      await b.page.goto(byId['ai-training'].path);
      await checkMarked(b.page, { key: byId['ai-training'].key, id: 'ai-training', state: 'on', timeout: MARK_TIMEOUT });
      await b.page.goto('/');
      const popup = await b.openPopup({ width: 420, height: 2600 });
      try {
        const setRegion = (region) => popup.eval(async (r) => {
          const api = globalThis.browser ?? globalThis.chrome;
          return api.runtime.sendMessage({ type: 'options-set', options: { region: r } });
        }, region);
        await setRegion('us');
        await waitPopup(popup, () => true);
        const us = await popup.waitFor(() => {
          const g = document.getElementById('gpc');
          return g && !g.hidden && g.textContent ? {
            gpc: g.textContent,
            lead: document.getElementById('lead').textContent,
            sections: [...document.querySelectorAll('#settings section')].map((s) => [s.dataset.section, s.querySelector('h2').textContent, s.querySelectorAll('[data-setting]').length]),
            registry: document.getElementById('registry').textContent,
          } : null;
        }, { timeout: 10000, what: 'the GPC note for the US' });
        assert.match(us.gpc, /Global Privacy Control/);
        assert.match(us.gpc, /Tell websites not to sell or share my data/);
        assert.match(us.lead, /AI training is on/);
        assert.deepEqual(us.sections.map((s) => s[0]), loadCatalogue().sections.map((s) => s.id));
        assert.equal(us.sections[0][1], 'Data privacy › How LinkedIn uses your data');
        assert.equal(us.sections.reduce((n, s) => n + s[2], 0), loadCatalogue().settings.length);
        assert.match(us.registry, /^HKCU\\SOFTWARE\\Policies\\Microsoft\\Office\\16\.0\\Common {2}LinkedIn \(DWORD\) = 0$/);
        fs.mkdirSync(path.join(ROOT, 'dist', 'demo'), { recursive: true });
        await popup.screenshot(path.join(ROOT, 'dist', 'demo', `popup-sections-${name}.png`));
        await setRegion('other');
        const other = await popup.waitFor(() => {
          const g = document.getElementById('gpc');
          const region = document.querySelector('[data-setting="ai-training"] [data-field="region"]');
          return g && g.hidden && region ? region.textContent : null;
        }, { timeout: 10000, what: 'no GPC note elsewhere' });
        assert.ok(other.startsWith('LinkedIn has done this in most countries since ') && other.endsWith('.'), other);
        assert.match(other, /2024/, 'the date of September 2024');
        assert.doesNotMatch(other, /another region|where you are|\(/);
      } finally {
        await popup.close();
      }
    });
  });
}
