// E2E scenario for "Report a problem", shared by chromium.test.mjs and firefox.test.mjs: the AI
// setting's page shows only switches no rule recognises ("LinkedIn may have changed this page")
// and, around it, a member's name, e-mail address, phone number, profile link and a message.
// The row says so with the count and offers the report; the report shows what was read and
// decided, whole, in the popup; none of the personal data reaches it, shown or saved.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue, PERSONAL } from '../lib/server.mjs';
import { waitPopup } from '../lib/checks.mjs';
import { openBrowser, closeBrowser } from '../lib/session.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = path.join(ROOT, 'dist', 'screens');
const AI = catalogue().find((c) => c.id === 'ai-training');
// Every piece of the member's data, and the parts a careless report might still carry.
const NEEDLES = [
  PERSONAL.name, 'Jane', 'Doe', PERSONAL.email, 'jane.doe', 'example.com', PERSONAL.phone, '7946', '0958',
  PERSONAL.profile, '/in/', 'jane-doe', PERSONAL.message, 'Thursday',
];

/** Keeps every Blob the popup offers for download. */
function captureBlobs() {
  window.__blobs = [];
  if (!window.__blobsPatched) {
    const orig = window.URL.createObjectURL;
    window.URL.createObjectURL = function (blob) { window.__blobs.push(blob); return orig.call(window.URL, blob); };
    window.__blobsPatched = true;
  }
  return true;
}

export function defineReportScenarios(name) {
  describe(`${name}: Report a problem`, { timeout: 300000 }, () => {
    let server;
    let b;
    before(async () => ({ server, b } = await openBrowser(name)));
    after(() => closeBrowser(b, server));

    it('a changed page full of personal data: the row counts the unknown switches; the report shows the page and the decision, and none of the personal data', { timeout: 120000 }, async () => {
      server.setBehaviour(AI.path, 'never,renamed,personal');
      await b.page.goto(AI.path);
      // The page really holds the member's data (else the test proves nothing).
      const text = await b.page.eval(() => document.body.innerText + [...document.querySelectorAll('a[href]')].map((a) => a.href).join(' '));
      for (const n of [PERSONAL.name, PERSONAL.email, PERSONAL.phone, PERSONAL.profile, PERSONAL.message]) assert.ok(text.includes(n), `the page shows ${n}`);
      // Decided at the settle time (5 s): a page without our switch is then "changed".
      const popup = await b.openPopup({ width: 460, height: 900 });
      try {
        const st = await waitPopup(popup, (s) => s.rows['ai-training']?.reasonCode === 'unrecognised', { timeout: 20000, what: 'the AI row: LinkedIn may have changed this page' });
        const row = st.rows['ai-training'];
        assert.equal(row.state, 'unknown');
        assert.equal(row.reason, 'LinkedIn may have changed this page: 2 switches on it are not ones Opt-Out Lens knows.');
        await popup.click('[data-setting="ai-training"] [data-action="report"]');
        await popup.waitFor(() => document.getElementById('report').open, { timeout: 5000, what: 'the report dialog' });
        const shown = await popup.eval(() => document.getElementById('report-text').textContent);
        assert.match(shown, /^# Opt-Out Lens: problem report\n/);
        assert.ok(shown.includes('`/mypreferences/d/settings/data-for-ai-improvement`'), `the page's path:\n${shown}`);
        assert.ok(shown.includes('prefNewA1') && shown.includes('prefNewB2'), 'the unknown switches\' keys');
        assert.ok(shown.includes('Use my data for new features'), 'a switch label');
        assert.ok(shown.includes('no catalogued key or label'), 'why no rule matched');
        assert.ok(shown.includes('`ai-training` → unknown (unrecognised)'), `the core's decision:\n${shown}`);
        for (const n of NEEDLES) assert.ok(!shown.includes(n), `the report shown contains ${JSON.stringify(n)}:\n${shown}`);
        if (name === 'chromium') await popup.screenshot(path.join(SHOTS, 'report-dialog.png'));
        // Saved as JSON: the same, and nothing more.
        await popup.eval(captureBlobs);
        await popup.click('#report-save-json');
        await popup.waitFor(() => window.__blobs.length > 0, { timeout: 5000, what: 'the JSON file' });
        const json = await popup.eval(async () => window.__blobs[0].text());
        for (const n of NEEDLES) assert.ok(!json.includes(n), `the saved report contains ${JSON.stringify(n)}`);
        const report = JSON.parse(json);
        assert.equal(report.format, 'opt-out-lens-diagnostic');
        assert.equal(report.setting, 'ai-training');
        const page = report.pages.find((p) => p.path === AI.path);
        assert.ok(page, `the AI page in the report: ${JSON.stringify(report.pages.map((p) => p.path))}`);
        assert.equal(page.httpStatus, 200);
        assert.equal(page.lang, 'en');
        assert.deepEqual(page.candidates.map((c) => c.ariaKeys[0]), ['prefNewA1', 'prefNewB2']);
        assert.ok(page.candidates.every((c) => c.matched === null && c.whyNot), 'neither matched, each says why');
        assert.ok(page.candidates[1].label.startsWith('Send a weekly summary to [removed]'), `the address in a label is removed: ${page.candidates[1].label}`);
        assert.match(report.browser, name === 'chromium' ? /^Chrome \d+$/ : /^Firefox \d+$/);
        // Saved as Markdown: the text shown.
        await popup.eval(captureBlobs);
        await popup.click('#report-save-md');
        await popup.waitFor(() => window.__blobs.length > 0, { timeout: 5000, what: 'the Markdown file' });
        assert.equal(await popup.eval(async () => window.__blobs[0].text()), shown, 'the file is what was shown');
        await popup.click('#report-close');
      } finally {
        await popup.close();
      }
    });
  });
}
