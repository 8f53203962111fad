// Issue 20 end to end, in both browsers: rendered copies decide (hidden/rendered pairs in both
// orders, display:none, visibility:hidden, the hidden attribute, inside an open shadow root; a
// collapsed section is still read; aria-hidden alone hides nothing); issue 25: what nobody can
// see never decides (stale copies left at opacity 0, aria-hidden and inert as exit animations
// leave them, on the switch or its section, under visibility:hidden or content-visibility:
// hidden, before or after the live copy, or fading out after the page showed both; a switch
// behind an open modal, its page aria-hidden and inert, is still read and marked), the member's identity
// never reaches a report (nor what is kept for it), a signed-in page with a changed layout
// says "LinkedIn may have changed this page", and /settings/member-cookies/ is scanned.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue, IDENTITY } from '../lib/server.mjs';
import { checkMarked, waitPopup, sleep } from '../lib/checks.mjs';
import { openBrowser, closeBrowser } from '../lib/session.mjs';

const AI = catalogue().find((c) => c.id === 'ai-training');
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/screens');
const KEY = 'allowDataForGenerativeAI';
const MARK_TIMEOUT = Number(process.env.OPTOUT_MARK_TIMEOUT || 5000);
// A page without its switch is decided at the rules' settle time (5 s): the popup is waited on
// for that verdict, up to this long (no fixed sleep).
const VERDICT_TIMEOUT = 20000;

/** Runs in the page: every copy of the switch labelled by `key` (document and open shadow roots). */
function copies(key) {
  const roots = [document];
  for (const el of document.querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  // The fixture's switches draw themselves: a copy is seen when its switch is.
  const seen = (e) => !!e && e.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  return roots.flatMap((r) => [...r.querySelectorAll(`[aria-labelledby="${key}"]`)]).map((sw) => {
    const row = sw.closest('._settingRow_9fk2');
    const part = sw.closest('._mobileOnly_r7, ._invisible_r9, [hidden], details, ._desktopOnly_r8, ._wrap_r6, ._fadedOut_r10, ._fading_r11') || row;
    return {
      rendered: seen(sw),
      leftover: !!sw.closest('[aria-hidden="true"][inert]'),
      checked: sw.checked,
      setting: sw.getAttribute('data-optout-setting'),
      state: sw.getAttribute('data-optout-state'),
      rowMarked: !!row && row.hasAttribute('data-optout-row'),
      labels: part.querySelectorAll('[data-optout-label]').length,
    };
  });
}

/** Waits until the page's copies satisfy `pred`; fails with what was seen. */
async function waitCopies(page, pred, what, timeout = MARK_TIMEOUT) {
  const t0 = Date.now();
  let got;
  for (;;) {
    got = await page.eval(copies, KEY).catch((e) => ({ error: e.message }));
    if (Array.isArray(got) && pred(got)) return got;
    if (Date.now() - t0 > timeout) assert.fail(`${what}: ${JSON.stringify(got)}`);
    await sleep(100);
  }
}

// The member's identity as the fixture shows it, and the parts a careless report might keep.
const NEEDLES = [IDENTITY.name, 'quillon', 'vartabedian', 'nakamura', IDENTITY.slug, 'vnakamura', IDENTITY.headline, 'cartographer', 'saltmarsh'];
const leaks = (text) => NEEDLES.filter((n) => text.toLowerCase().includes(n.toLowerCase()));

for (const name of ['chromium', 'firefox']) {
  describe(`${name}: rendered copies, the member's identity, a signed-in changed page`, { timeout: 600000 }, () => {
    let server;
    let b;
    before(async () => ({ server, b } = await openBrowser(name)));
    after(() => closeBrowser(b, server));

    /** Opens the popup, waits for the AI row to satisfy `pred`, closes it; returns the row. */
    async function aiRow(pred, what) {
      const popup = await b.openPopup({ width: 460, height: 900 });
      try {
        const st = await waitPopup(popup, (s) => pred(s.rows['ai-training']), { timeout: VERDICT_TIMEOUT, what });
        return st.rows['ai-training'];
      } finally {
        await popup.close();
      }
    }

    /** The plain AI page in `state`, until the popup says so: the next page must change it. */
    async function baseline(state) {
      await b.page.goto(`${AI.path}?state=${state}`);
      await checkMarked(b.page, { key: KEY, id: 'ai-training', state, timeout: MARK_TIMEOUT });
      await aiRow((r) => r?.state === state, `the AI row ${state} (baseline)`);
    }

    const STALE = ['stale-opacity-first', 'stale-opacity-after', 'stale-switch-opacity', 'stale-visibility', 'stale-content-visibility'];
    for (const variant of ['pair-hidden-first', 'pair-rendered-first', 'pair-visibility', 'pair-attr', 'pair-shadow', ...STALE]) {
      it(`${variant}: the rendered copy (on) is marked and decides; the hidden stale copy (off) is never marked`, { timeout: 60000 }, async () => {
        await baseline('off');
        await b.page.goto(`${AI.path}?variant=${variant}&state.${KEY}=on`);
        const got = await waitCopies(b.page, (c) => c.some((x) => x.rendered && x.setting === 'ai-training' && x.state === 'on'), 'the rendered copy marked on');
        assert.equal(got.length, 2, 'the page holds both copies (else the test proves nothing)');
        const hidden = got.find((x) => !x.rendered);
        const shown = got.find((x) => x.rendered);
        assert.ok(hidden && shown, `one hidden, one rendered: ${JSON.stringify(got)}`);
        assert.equal(hidden.checked, false, 'the hidden copy is stale (off)');
        assert.equal(shown.checked, true);
        if (STALE.includes(variant)) {
          assert.deepEqual([hidden.leftover, shown.leftover], [true, false], 'the stale copy is under aria-hidden and inert, as an exit animation leaves it');
          const order = got.indexOf(hidden) < got.indexOf(shown) ? 'first' : 'after';
          assert.equal(order, variant === 'stale-opacity-after' || variant === 'stale-visibility' ? 'after' : 'first', 'the stale copy where the variant puts it');
        }
        const marked = Date.now();
        // The scan that marked the rendered copy is stored ...
        const row = await aiRow((r) => r?.state === 'on', 'the AI row on, from the rendered copy');
        assert.notEqual(row.reasonCode, 'conflicting');
        // ... and a late mark on the hidden copy would show by now (1.5 s after the mark).
        await sleep(1500 - (Date.now() - marked));
        const after = await b.page.eval(copies, KEY);
        const h = after.find((x) => !x.rendered);
        assert.deepEqual([h.setting, h.state, h.rowMarked, h.labels], [null, null, false, 0], 'the hidden copy carries no mark, row mark or label');
      });
    }

    it('a collapsed section: its only switch is still read, and not marked until the section is opened', { timeout: 60000 }, async () => {
      await baseline('on');
      await b.page.goto(`${AI.path}?variant=collapsed&state=off`);
      await aiRow((r) => r?.state === 'off', 'the AI row off, read from the collapsed switch');
      const [c] = await b.page.eval(copies, KEY);
      assert.equal(c.rendered, false, 'the switch is in a closed <details> (else the test proves nothing)');
      assert.deepEqual([c.setting, c.labels], [null, 0], 'not marked');
      // The person opens the section: the switch is rendered now, and marked.
      await b.page.eval(() => { document.querySelector('details').open = true; });
      await waitCopies(b.page, ([x]) => x.rendered && x.setting === 'ai-training' && x.state === 'off' && x.labels === 1, 'the opened section\'s switch marked');
    });

    it('aria-hidden alone hides nothing from the eye: the switch is marked', { timeout: 60000 }, async () => {
      await b.page.goto(`${AI.path}?variant=aria-hidden&state=off`);
      await checkMarked(b.page, { key: KEY, id: 'ai-training', state: 'off', timeout: MARK_TIMEOUT });
    });

    it('a switch behind an open modal, its page aria-hidden and inert, is still read and marked', { timeout: 60000 }, async () => {
      await baseline('on');
      await b.page.goto(`${AI.path}?variant=behind-modal&state=off`);
      await checkMarked(b.page, { key: KEY, id: 'ai-training', state: 'off', timeout: MARK_TIMEOUT });
      const [c] = await b.page.eval(copies, KEY);
      const modal = await b.page.eval(() => !!document.querySelector('[role=dialog][aria-modal=true]'));
      assert.ok(c.leftover && modal, 'the page is aria-hidden and inert behind an open modal (else the test proves nothing)');
      assert.deepEqual([c.rendered, c.setting, c.state, c.rowMarked, c.labels], [true, 'ai-training', 'off', true, 1]);
      await aiRow((r) => r?.state === 'off', 'the AI row off, read behind the modal');
    });

    it('a stale copy that fades out after the page showed both: once it is transparent, only the live copy is marked and decides', { timeout: 60000 }, async () => {
      await baseline('off');
      await b.page.goto(`${AI.path}?variant=stale-fade&state.${KEY}=on`);
      // Both seen at first: they disagree (unknown), and both are marked as they show now.
      await waitCopies(b.page, (c) => c.length === 2 && c.every((x) => x.rendered && x.setting === 'ai-training'), 'both copies marked before the fade');
      assert.equal(await b.page.eval(() => window.__fixture.fadedAt ?? null), null, 'both were marked before the fade ended (else the test proves nothing)');
      // Then the stale one fades out with no DOM change but its class and attributes, which no
      // scan watches: the transition's end does, well before the page's settle re-scan.
      await b.page.waitFor(() => window.__fixture.fadedAt, { timeout: MARK_TIMEOUT, what: 'the stale copy faded out' });
      const got = await waitCopies(b.page, (c) => c.length === 2 && c.some((x) => x.rendered && x.setting === 'ai-training' && x.state === 'on' && x.labels === 1)
        && c.some((x) => !x.rendered && x.setting === null && !x.rowMarked && x.labels === 0), 'within 2 s of the fade, only the live copy marked', 2000);
      const stale = got.find((x) => !x.rendered);
      assert.deepEqual([stale.checked, stale.leftover], [false, true], 'the faded copy is the stale one (off), left aria-hidden and inert');
      const row = await aiRow((r) => r?.state === 'on', 'the AI row on, from the live copy');
      assert.notEqual(row.reasonCode, 'conflicting');
      if (name === 'chromium') {
        // The stale-copy page for people to look at: a transparent stale row, the live one marked.
        await b.page.goto(`${AI.path}?variant=stale-opacity-first&state.${KEY}=on`);
        await waitCopies(b.page, (c) => c.some((x) => x.rendered && x.setting === 'ai-training'), 'the live copy marked');
        await b.page.screenshot(path.join(SHOTS, 'stale-copy.png'));
      }
    });

    it("a report page full of the member's identity: the report and what is kept for it hold none of it", { timeout: 120000 }, async () => {
      server.setBehaviour(AI.path, 'never,identity');
      try {
        await b.page.goto(`${AI.path}?variant=identity`);
        const text = await b.page.eval(() => document.body.innerText + ' ' + [...document.querySelectorAll('a[href], [id], img[alt]')].map((e) => `${e.getAttribute('href')} ${e.id} ${e.getAttribute('alt')}`).join(' '));
        for (const n of [IDENTITY.name, IDENTITY.slug, IDENTITY.headline, IDENTITY.name.toUpperCase()]) assert.ok(text.includes(n), `the page shows ${n}`);
        const popup = await b.openPopup({ width: 460, height: 900 });
        try {
          await waitPopup(popup, (s) => s.rows['ai-training']?.reasonCode === 'unrecognised', { timeout: VERDICT_TIMEOUT, what: 'the AI row: LinkedIn may have changed this page' });
          await popup.click('[data-setting="ai-training"] [data-action="report"]');
          await popup.waitFor(() => document.getElementById('report').open, { timeout: 5000, what: 'the report dialog' });
          const shown = await popup.eval(() => document.getElementById('report-text').textContent);
          assert.deepEqual(leaks(shown), [], `the report shows the member's identity:\n${shown}`);
          // Still useful: keys, roles, states and the rest of each label.
          for (const kept of ['prefActivityFollowers', 'prefDigest', 'role=switch', '[member]’s activity to followers', 'Email [member] a weekly digest', 'Let [member]’s followers see new posts', '[member]-firstName', 'digest-[member]']) {
            assert.ok(shown.includes(kept), `the report keeps ${JSON.stringify(kept)}:\n${shown}`);
          }
          assert.ok(shown.includes('[member]’s data for Generative AI'), `the heading, scrubbed:\n${shown}`);
          // What the extension keeps for reports, and everything else it stores.
          const kept = await popup.eval(async () => {
            const api = globalThis.browser ?? globalThis.chrome;
            return JSON.stringify([await api.storage.session.get(null), await api.storage.local.get(null)]);
          });
          assert.ok(kept.includes('prefActivityFollowers'), 'the remembered page is there (else the test proves nothing)');
          assert.deepEqual(leaks(kept), [], `stored: ${kept.slice(0, 2000)}`);
          await popup.click('#report-close');
        } finally {
          await popup.close();
        }
      } finally {
        server.setBehaviour(AI.path, null);
      }
    });

    it('a signed-in page with a changed layout: "LinkedIn may have changed this page", not a sign-in guess', { timeout: 90000 }, async () => {
      // Without the sign: both are possible, and the row says so.
      server.setBehaviour(AI.path, 'never');
      try {
        await b.page.goto(AI.path);
        let row = await aiRow((r) => r?.reasonCode === 'not-found', 'the AI row: not found');
        assert.match(row.reason, /may not be signed in.*may have changed/);
        server.setBehaviour(AI.path, 'never,signedin');
        await b.page.goto(AI.path);
        assert.ok(await b.page.eval(() => Object.keys(localStorage).some((k) => k.startsWith('voyager'))), 'the page has the sign');
        row = await aiRow((r) => r?.reasonCode === 'changed', 'the AI row: changed');
        assert.equal(row.state, 'unknown');
        assert.equal(row.reason, 'LinkedIn may have changed this page: you are signed in, but it shows no switch Opt-Out Lens knows.');
      } finally {
        server.setBehaviour(AI.path, null);
        await b.page.eval(() => { for (const k of Object.keys(localStorage)) if (k.startsWith('voyager')) localStorage.removeItem(k); return true; });
      }
    });

    it('after Check all with one page unread, every sentence counts the UNKNOWN rows it speaks of', { timeout: 180000 }, async () => {
      const research = catalogue().find((c) => c.id === 'research');
      server.setBehaviour(research.path, 'never');
      const popup = await b.openPopup({ width: 420, height: 900 });
      try {
        await waitPopup(popup, (s) => s.headline && !s.headline.startsWith('Reading'), { what: 'the popup to load' });
        await popup.click('#check-all');
        await waitPopup(popup, (s) => s.job && s.job.status === 'finished', { timeout: 150000, what: 'Check all to finish' });
        // The rows follow the job box by a few ms (two storage areas): read the rows and the
        // sentence together once the rows have settled (the unread row is the last to change).
        let st;
        let subline;
        for (const t0 = Date.now(); ; await sleep(200)) {
          st = await waitPopup(popup, (s) => s.rows.research?.reasonCode === 'not-found', { timeout: 10000, what: 'the unread row' });
          subline = await popup.eval(() => document.getElementById('subline').textContent);
          const again = await waitPopup(popup, () => true);
          const same = JSON.stringify(again.rows) === JSON.stringify(st.rows);
          if (same && subline.startsWith(`${st.order.filter((id) => st.rows[id].state === 'unknown').length} settings`)) break;
          if (Date.now() - t0 > 10000) break; // the assertions below say what differs
        }
        const unknown = st.order.filter((id) => st.rows[id].state === 'unknown');
        const checkable = unknown.filter((id) => st.rows[id].reasonCode === 'not-found');
        assert.deepEqual(checkable, ['research'], `the one page a check could not read: ${JSON.stringify(unknown.map((id) => [id, st.rows[id].reasonCode]))}`);
        assert.ok(unknown.length > 2, 'rows no check can reach are UNKNOWN too (else the test proves nothing)');
        assert.equal(subline, `${unknown.length} settings are not known yet: “Check all settings” can read 1 of them; the other ${unknown.length - 1} only you can review, on LinkedIn’s pages (see their rows).`);
        assert.equal(st.job.text, `Checked ${st.order.length - unknown.length} of ${st.order.length - unknown.length + 1} settings. 1 could not be read: Social, economic, and workplace research (its switch was not found). ${unknown.length - 1} more settings are out of any check’s reach: see their rows.`);
        const on = st.order.filter((id) => st.rows[id].state === 'on').length;
        assert.equal(st.headline, `${on} of ${st.order.length} settings are known to share your data`);
        assert.equal(st.turnOffAll.hidden ? 0 : Number(st.turnOffAll.text.match(/\d+/)?.[0]), st.order.filter((id) => st.rows[id].state === 'on' && st.rows[id].hasTurnOff).length, 'Turn off all N counts the rows it would turn off');
        if (name === 'chromium') await popup.screenshot(path.join(SHOTS, 'popup-counts.png'), { fullPage: true });
      } finally {
        server.setBehaviour(research.path, null);
        await popup.close();
      }
    });

    it('/settings/member-cookies/, the path LinkedIn\'s cookie banner links, is scanned', { timeout: 60000 }, async () => {
      await b.page.goto('/settings/member-cookies/');
      await checkMarked(b.page, { key: 'nonEssentialCookieLabel', id: 'cookies', state: 'on', timeout: MARK_TIMEOUT });
    });
  });
}
