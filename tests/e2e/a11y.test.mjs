// Accessibility: axe-core finds no violations on the popup, the options page, a
// highlighted settings page, the popup's objection row and the History view, in light and dark mode (Chromium, the built extension).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { seededState } from '../lib/history-seed.mjs';
import { openBrowser, closeBrowser } from '../lib/session.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AI = '/mypreferences/d/settings/data-for-ai-improvement';

/** Runs axe in `page` (CDP evaluate, so the page's CSP does not apply) and returns its violations. */
async function violations(page) {
  return page.eval(`async function () {
    if (!window.axe) { ${AXE}\n }
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 200)) }));
  }`);
}

function assertNone(list, where) {
  assert.deepEqual(list, [], `axe-core violations on ${where}:\n${JSON.stringify(list, null, 2)}`);
}

describe('accessibility (axe-core, Chromium)', { timeout: 180000 }, () => {
  let server;
  let b;
  before(async () => {
    ({ server, b } = await openBrowser('chromium'));
    // Give the popup something to show: one setting on, one off.
    await b.page.goto(`${AI}?state=on`);
    await b.page.waitFor(() => document.querySelector('[data-optout-state]'), { timeout: 8000, what: 'the mark' });
    await b.page.goto('/mypreferences/d/settings/ads-by-age?state=off');
    await b.page.waitFor(() => document.querySelector('[data-optout-state]'), { timeout: 8000, what: 'the mark' });
  });
  after(() => closeBrowser(b, server));

  for (const scheme of ['light', 'dark']) {
    it(`popup, ${scheme}`, async () => {
      const popup = await b.openPopup();
      try {
        await popup.raw.emulateMedia({ colorScheme: scheme });
        await popup.waitFor(() => document.querySelectorAll('#settings li').length > 0, { timeout: 8000, what: 'popup rows' });
        assertNone(await violations(popup), `the popup (${scheme})`);
        // Keyboard: every control is reachable and shows a focus outline.
        const unfocusable = await popup.eval(() => [...document.querySelectorAll('button:not([hidden]), a[href]')]
          .filter((el) => el.offsetParent !== null && el.tabIndex < 0).map((el) => el.outerHTML.slice(0, 80)));
        assert.deepEqual(unfocusable, [], 'controls out of the tab order');
        await popup.raw.keyboard.press('Tab');
        const outline = await popup.eval(() => getComputedStyle(document.activeElement).outlineStyle);
        assert.notEqual(outline, 'none', 'the focused control shows an outline');
      } finally {
        await popup.close();
      }
    });

    it(`options page, ${scheme}`, async () => {
      const options = await b.newPage();
      try {
        await options.raw.emulateMedia({ colorScheme: scheme });
        await options.raw.goto(b.popupUrl.replace('popup.html', 'options.html'));
        await options.waitFor(() => document.querySelectorAll('#region option').length > 0, { timeout: 8000, what: 'options to load' });
        assertNone(await violations(options), `the options page (${scheme})`);
      } finally {
        await options.close();
      }
    });

    it(`the objection row and the History view (a seeded history), ${scheme}`, async () => {
      const page = await b.openPopup({ width: 800, height: 1200 });
      try {
        await page.raw.emulateMedia({ colorScheme: scheme });
        await page.waitFor(() => document.getElementById('entra-status').textContent !== '', { timeout: 15000, what: 'the popup to load' });
        await page.eval(async (state) => {
          await chrome.storage.local.set({ state });
          await chrome.runtime.sendMessage({ type: 'options-set', options: { region: 'eu' } });
          return true;
        }, seededState(Date.now()));
        await page.waitFor(() => document.querySelector('li[data-objection][data-applies="yes"]'), { timeout: 8000, what: 'the objection row' });
        if (await page.eval(() => document.querySelector('[data-action="objection-sent"]') !== null)) await page.click('[data-action="objection-sent"]');
        await page.waitFor(() => document.querySelector('li[data-objection][data-sent="true"]'), { timeout: 8000, what: 'sent' });
        assertNone(await violations(page), `the popup with the objection row (${scheme})`);
        await page.raw.goto(b.popupUrl.replace('popup.html', 'history.html'));
        await page.waitFor(() => document.querySelectorAll('[data-timeline]').length >= 5, { timeout: 8000, what: 'the History view' });
        assertNone(await violations(page), `the History view (${scheme})`);
      } finally {
        await page.close();
      }
    });

    it(`highlighted settings page, ${scheme}`, async () => {
      await b.page.raw.emulateMedia({ colorScheme: scheme });
      await b.page.goto(`${AI}?state=on`);
      await b.page.waitFor(() => document.querySelector('[data-optout-label]'), { timeout: 8000, what: 'the label' });
      assertNone(await violations(b.page), `the highlighted AI page (${scheme})`);
    });
  }
});
