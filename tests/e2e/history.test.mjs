// Beyond the switches (issue 27), in Chromium and Firefox, with the built extension:
//  1. LinkedIn's objection form as a row of its own beside the AI setting, per region:
//     it applies (EU, UK), it does not (US), the region is not known.
//  2. "I sent it": the date, the count apart from the switches, the JSON and Markdown
//     exports, a browser restart (Chromium; Firefox: the extension reloaded), Undo, and
//     "Forget everything".
//  3. The History view draws a seeded history right (a flip-back, a change through
//     Opt-Out Lens, a gap, a check that could not read the page), read from its SVG and
//     its table; it says what an empty and a one-entry history mean.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { startServer } from '../lib/server.mjs';
import { launchBrowser } from '../lib/browsers.mjs';
import { checkMarked, sleep } from '../lib/checks.mjs';
import { DAY, readHistory, seededState } from '../lib/history-seed.mjs';
import { extDirFor, missingPrereq } from './scenarios.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const AI = '/mypreferences/d/settings/data-for-ai-improvement';

// ---- Run in the extension's pages ----

function readObjection() {
  const li = document.querySelector('#settings li[data-objection]');
  if (!li) return null;
  const f = (n) => li.querySelector(`[data-field="${n}"]`)?.textContent ?? null;
  return {
    after: li.previousElementSibling?.dataset.setting ?? null,
    section: li.closest('section')?.dataset.section ?? null,
    applies: li.dataset.applies, sent: li.dataset.sent, look: li.dataset.look,
    title: f('title'), pill: f('state'), meaning: f('meaning'), region: f('region'), sentText: f('sent'),
    actions: [...li.querySelectorAll('button')].map((b) => b.dataset.action),
    note: document.getElementById('objection-note').textContent,
    headline: document.getElementById('headline').textContent,
  };
}

async function send(message) {
  const api = globalThis.browser ?? globalThis.chrome;
  return api.runtime.sendMessage(message);
}

async function seed(state) {
  const api = globalThis.browser ?? globalThis.chrome;
  await api.storage.local.set({ state });
  return true;
}

/** A date (YYYY-MM-DD, default today) as the extension's pages write it (lib/i18n.js). */
function longDate(iso) {
  const api = globalThis.browser ?? globalThis.chrome;
  const day = iso ? new Date(`${iso}T00:00:00Z`) : new Date();
  return new Intl.DateTimeFormat(api.i18n.getUILanguage(), { dateStyle: 'long', timeZone: 'UTC' }).format(day);
}

function captureBlobs() {
  window.__blobs = [];
  if (!window.__blobsPatched) {
    const orig = window.URL.createObjectURL;
    window.URL.createObjectURL = function (blob) { window.__blobs.push(blob); return orig.call(window.URL, blob); };
    window.__blobsPatched = true;
  }
  return true;
}

async function download(popup, selector) {
  await popup.eval(captureBlobs);
  await popup.click(selector);
  await popup.waitFor(() => window.__blobs.length > 0, { timeout: 5000, what: `a download from ${selector}` });
  return popup.eval(async () => window.__blobs[0].text());
}

// ---- The tests, per browser ----

for (const name of ['chromium', 'firefox']) {
  const missing = missingPrereq(name);
  describe(`${name}: the objection form and the History view`, { timeout: 300000 }, () => {
    let server;
    let b;
    let popup;
    const profile = name === 'chromium' ? fs.mkdtempSync(path.join(os.tmpdir(), 'optout-history-')) : undefined;
    const launch = () => launchBrowser(name, { extDir: extDirFor(name), server, profile });
    /** The objection row once `pred(row)` holds. */
    const objection = async (pred, what) => {
      let o = null;
      for (const t0 = Date.now(); Date.now() - t0 < 10000; await sleep(100)) {
        o = await popup.eval(readObjection).catch(() => null);
        if (o && pred(o)) return o;
      }
      return assert.fail(`timed out waiting for ${what}: ${JSON.stringify(o)}`);
    };
    // The popup follows storage once it has drawn everything (its organisation part last).
    const openPopup = async () => {
      const p = await b.openPopup({ width: 420, height: 1400 });
      await p.waitFor(() => document.getElementById('entra-status').textContent !== '', { timeout: 15000, what: 'the popup to load' });
      return p;
    };
    const region = async (r) => {
      await popup.eval(send, { type: 'options-set', options: { region: r } });
    };

    before(async () => {
      if (missing) throw new Error(missing);
      server = await startServer();
      b = await launch();
      popup = await openPopup();
    });
    after(async () => {
      await b?.close();
      await server?.close();
      if (profile) fs.rmSync(profile, { recursive: true, force: true });
    });

    it('1. the row per region: beside the AI setting where LinkedIn offers the form, why not elsewhere, and when the region is not known', async () => {
      await region('eu');
      const eu = await objection((o) => o.applies === 'yes', 'the row in the EU');
      assert.equal(eu.after, 'ai-training', 'right after the AI setting');
      assert.equal(eu.section, 'data-use');
      assert.equal(eu.title, 'Other AI training: LinkedIn’s objection form');
      assert.equal(eu.pill, 'NOT SENT', 'never "off"');
      assert.match(eu.meaning, /^The switch above covers only AI that creates content\./);
      const notice = await popup.eval(longDate, '2025-11-03');
      assert.equal(eu.region, `LinkedIn offers this form in the EU and EEA (privacy notice of ${notice}).`);
      assert.deepEqual(eu.actions, ['objection-open', 'objection-sent']);
      assert.equal(eu.note, 'Not counted above: LinkedIn’s objection form for its other AI training, not sent yet.');
      await region('uk');
      const uk = await objection((o) => o.region.includes('in the UK'), 'the row in the UK');
      assert.equal(uk.applies, 'yes');
      await region('us');
      const us = await objection((o) => o.applies === 'no', 'the row in the US');
      assert.equal(us.pill, 'NOT FOR YOUR REGION');
      assert.equal(us.region, 'LinkedIn offers this form only in the EU and EEA, the UK and Switzerland, so not for your region (United States).');
      assert.deepEqual(us.actions, [], 'nothing to open or tell where it does not apply');
      assert.equal(us.sentText, null);
      assert.equal(us.note, '');
      // The popup always has a region (chosen or guessed); not known is what the core says
      // for none: the shell draws that row the same way.
      const unknown = await popup.eval(async () => {
        const api = globalThis.browser ?? globalThis.chrome;
        const { core, coreReady } = await import(api.runtime.getURL('lib/core.js'));
        await coreReady();
        const { objectionRow } = await import(api.runtime.getURL('ui/objection.js'));
        const row = core.summary(core.loadState(undefined).stored, Date.now(), undefined, undefined).objection;
        const li = objectionRow(row);
        return { applies: li.dataset.applies, pill: li.querySelector('[data-field="state"]').textContent,
          region: li.querySelector('[data-field="region"]').textContent, actions: [...li.querySelectorAll('button')].map((x) => x.dataset.action) };
      });
      assert.deepEqual(unknown, {
        applies: 'unknown', pill: 'NOT SENT',
        region: 'LinkedIn offers this form only in the EU and EEA, the UK and Switzerland. Choose where you live in the options to see whether it is for you.',
        actions: ['objection-open', 'objection-sent'],
      });
    });

    it('2. "Open the form" opens LinkedIn\'s form in a tab; "I sent it" is said with its date, counted apart, exported, kept over a restart; Undo; "Forget everything"', { timeout: 120000 }, async () => {
      await region('eu');
      await objection((o) => o.applies === 'yes', 'the row in the EU');
      const tabsBefore = await b.tabCount();
      await popup.click('[data-action="objection-open"]');
      let form = null;
      for (let t0 = Date.now(); !form && Date.now() - t0 < 10000; await sleep(200)) {
        form = (await b.tabs()).find((t) => t.url.includes('/help/linkedin/ask/TS-DPRO'));
      }
      assert.ok(form, 'the form opened in a tab');
      assert.equal(await b.tabCount(), tabsBefore + 1);
      await form.page.close();
      const before = await popup.eval(readObjection);

      await popup.click('[data-action="objection-sent"]');
      const sent = await objection((o) => o.sent === 'true', 'the row to say it was sent');
      const today = await popup.eval(longDate, null);
      assert.equal(sent.sentText, `You sent it on ${today} (as you told Opt-Out Lens).`);
      assert.equal(sent.pill, 'SENT');
      assert.equal(sent.look, 'protective');
      assert.deepEqual(sent.actions, ['objection-open', 'objection-undo']);
      assert.equal(sent.note, `Not counted above: you sent LinkedIn’s objection to its other AI training on ${today} (as you told Opt-Out Lens).`);
      assert.equal(sent.headline, before.headline, 'the switches\' headline is not changed by it');

      const data = JSON.parse(await download(popup, '#export-json'));
      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/export.schema.json'), 'utf8')));
      assert.ok(validate(data), `the export is valid: ${JSON.stringify(validate.errors)}`);
      assert.equal(data.objection.sent, true);
      assert.equal(data.objection.sentAt.slice(0, 10), new Date().toISOString().slice(0, 10));
      assert.deepEqual(data.objection.history.map((h) => h.sent), [true]);
      assert.equal(data.objection.formUrl, 'https://www.linkedin.com/help/linkedin/ask/TS-DPRO');
      const md = await download(popup, '#export-md');
      assert.ok(md.includes(`You sent it on ${data.objection.sentAt.slice(0, 10)} (as you told Opt-Out Lens).`), md);
      assert.ok(md.includes('You sent LinkedIn’s objection form (as you told Opt-Out Lens)'), md);

      // A restart keeps it (Chromium: the same profile, started again; Firefox's driver
      // cannot restart into a temporary add-on's profile: the extension is reloaded).
      if (name === 'chromium') {
        await b.close();
        b = await launch();
      } else {
        await popup.eval(() => { setTimeout(() => (globalThis.browser ?? globalThis.chrome).runtime.reload(), 50); return true; });
        await sleep(2000);
        await b.closeOtherTabs();
      }
      popup = await openPopup();
      const kept = await objection((o) => o.sent === 'true', 'the row after a restart');
      assert.equal(kept.sentText, `You sent it on ${today} (as you told Opt-Out Lens).`);

      await popup.click('[data-action="objection-undo"]');
      const undone = await objection((o) => o.sent === 'false', 'the row after Undo');
      assert.equal(undone.pill, 'NOT SENT');
      assert.deepEqual(undone.actions, ['objection-open', 'objection-sent']);
      const told = JSON.parse(await download(popup, '#export-json')).objection;
      assert.deepEqual([told.sent, told.sentAt, told.history.map((h) => h.sent)], [false, null, [true, false]], 'Undo is kept in the history');

      await popup.click('[data-action="objection-sent"]');
      await objection((o) => o.sent === 'true', 'sent again');
      await popup.click('#forget');
      await popup.waitFor(() => document.getElementById('forget-confirm').open, { timeout: 3000, what: 'the forget dialog' });
      await popup.click('#forget-yes');
      const forgotten = await objection((o) => o.sent === 'false', 'the row after "Forget everything"');
      assert.notEqual(forgotten.pill, 'SENT', 'what the person told is erased');
      const erased = JSON.parse(await download(popup, '#export-json')).objection;
      assert.deepEqual([erased.sent, erased.history], [false, []]);
    });

    it('3. the History view: a seeded history drawn as segments and marks, the same facts in a table; the objection on the AI row; empty and one-entry histories', { timeout: 120000 }, async () => {
      const now = Date.now();
      const state = seededState(now);
      await popup.eval(seed, state);
      await region('eu');
      await objection(() => true, 'the popup');
      await popup.click('[data-action="objection-sent"]');
      await objection((o) => o.sent === 'true', 'sent');
      // The popup's "History" opens the view in a tab.
      await popup.click('#open-history');
      let tab = null;
      for (let t0 = Date.now(); !tab && Date.now() - t0 < 10000; await sleep(200)) tab = (await b.tabs()).find((t) => t.url.endsWith('/history.html'));
      assert.ok(tab, 'the History view opened');
      const view = tab.page;
      await view.waitFor(() => document.querySelectorAll('[data-timeline]').length >= 5, { timeout: 10000, what: 'the History view' });
      const h = await view.eval(readHistory);
      const at = (d) => now - (30 - d) * DAY;
      const ai = h.timelines['ai-training'];
      assert.ok(ai, `the AI timeline: ${JSON.stringify(h.order)}`);
      assert.equal(ai.role, 'img');
      assert.match(ai.label, /^Timeline of “Data for Generative AI Improvement” from /);
      // Segments: on, off (through Opt-Out Lens), on (LinkedIn turned it back on), then the
      // gap, off again, and not known since the last check could not read the page.
      const segs = ai.segments.map((s) => [s.state, s.look]);
      assert.deepEqual(segs, [['on', 'exposed'], ['off', 'protective'], ['unknown', 'unknown'], ['off', 'protective'], ['unknown', 'unknown']]);
      assert.deepEqual(ai.segments.map((s) => [s.from, s.to]), [[at(0), at(2)], [at(2), at(10)], [at(10), at(20)], [at(20), at(25)], [at(25), at(28)]]);
      for (let i = 1; i < ai.segments.length; i++) {
        const p = ai.segments[i - 1];
        assert.ok(Math.abs(p.x + p.width - ai.segments[i].x) < 0.01, `segment ${i} starts where ${i - 1} ends`);
      }
      assert.match(ai.segments[2].title, /^Not known from /);
      const kinds = ['first-seen', 'extension', 'flip-back', 'seen', 'check', 'unreadable', 'objection-sent'];
      assert.deepEqual(ai.marks.map((m) => m.kind), kinds);
      assert.deepEqual(ai.table.map((r) => r.kind), kinds, 'the table has the same entries as the picture');
      assert.deepEqual(ai.headers, ['When', 'State', 'What happened']);
      const row = Object.fromEntries(ai.table.map((r) => [r.kind, r.cells]));
      assert.equal(row['extension'][2], 'Turned off by Opt-Out Lens, on your confirmation');
      assert.equal(row['flip-back'][1], 'ON');
      assert.equal(row['flip-back'][2], 'Turned back on after it was off, not through Opt-Out Lens: by LinkedIn, or by someone on LinkedIn');
      assert.equal(row['seen'][2], 'Seen: off; the history does not say what came before');
      assert.equal(row['unreadable'][2], 'Checked: could not be read (the page did not load)');
      assert.equal(row['objection-sent'][1], '', 'what the person told is not a state');
      assert.match(row['first-seen'][0], /\(30 days ago\)$/, 'absolute and relative dates');
      assert.match(row['objection-sent'][0], /\((just now|1 min ago)\)$/);
      const mark = Object.fromEntries(ai.marks.map((m) => [m.kind, m]));
      assert.notEqual(mark['flip-back'].fill, mark['extension'].fill, 'the flip-back in its own (warning) colour');
      assert.match(ai.story, /^Could not be read on .+; last seen off on .+\.$/);
      // Who made each change elsewhere: the person on LinkedIn, LinkedIn's coupling, a flip-back.
      assert.deepEqual(h.timelines.research.marks.map((m) => m.kind), ['first-seen', 'person', 'check']);
      assert.deepEqual(h.timelines['data-sharing'].marks.map((m) => m.kind), ['first-seen', 'linkedin', 'check']);
      assert.match(h.timelines['share-with-affiliates'].story, /^Turned back on, not through Opt-Out Lens: off from .+, seen on again on .+\.$/);
      assert.equal(h.empty, '');
      assert.match(h.notRead, /^\d+ more settings have not been read yet\.$/);
      assert.equal(h.axis[2], 'Today');

      // "Forget everything": the view says what an empty history means; one reading is one entry.
      await popup.click('#forget');
      await popup.waitFor(() => document.getElementById('forget-confirm').open, { timeout: 3000, what: 'the forget dialog' });
      await popup.click('#forget-yes');
      const empty = await view.waitFor(() => document.getElementById('empty').textContent, { timeout: 10000, what: 'the empty history' });
      assert.match(empty, /^No history yet\. Opt-Out Lens starts a setting’s story the first time it reads it/);
      assert.equal(await view.eval(() => document.querySelectorAll('[data-timeline]').length), 0);
      await b.page.goto(`${AI}?state=on`);
      await checkMarked(b.page, { key: 'allowDataForGenerativeAI', id: 'ai-training', state: 'on', timeout: 8000 });
      const one = await view.waitFor(() => document.querySelector('[data-timeline="ai-training"] [data-field="story"]')?.textContent, { timeout: 10000, what: 'one entry' });
      assert.match(one, /^Seen on since it was first read on .+; no change seen\.$/);
      const single = (await view.eval(readHistory)).timelines['ai-training'];
      assert.deepEqual(single.marks.map((m) => m.kind), ['first-seen']);
      assert.deepEqual(single.segments.map((s) => s.state), ['on']);
      await view.close();
    });
  });
}
