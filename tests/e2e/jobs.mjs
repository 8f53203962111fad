// E2E scenarios for the popup's two jobs, shared by chromium-jobs.test.mjs and firefox-jobs.test.mjs:
// "Check all" (a sweep over every catalogued page in one background tab) and guided opt-out
// (one click per switch after the popup's confirmation dialog).
//
// The jobs open the catalogue URLs without query parameters, so every state here is set
// server-side (server.setSwitches / setBehaviour, tests/lib/server.mjs), and every click on
// a switch is counted by the fixture server. One browser for the whole list; before each
// scenario the server is reset, extra tabs are closed and the extension's memory is erased
// with the popup's own "Forget everything".
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { catalogue } from '../lib/server.mjs';
import { loadCatalogue, settingCount } from '../lib/catalogue.mjs';
import { openBrowser, closeBrowser, freshSlate } from '../lib/session.mjs';
import { startTimeline, timeline } from '../lib/timeline.mjs';
import { checkMarked, waitPopup, sleep } from '../lib/checks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CATALOGUE = catalogue();
const byId = Object.fromEntries(CATALOGUE.map((c) => [c.id, c]));
const AI = byId['ai-training'];
const DECOY_KEY = 'allowAiReplySuggestions';
// The pages "Check all" visits: every setting with a page of its own (the switches above
// and the read-only Microsoft connection on Partners and services).
const N = loadCatalogue().settings.filter((s) => s.paths.length > 0).length;
// Rows the popup shows; the Partners and services fixture lists Microsoft, so a sweep reads
// the connection as on ("connected").
const ROWS = settingCount();
const SWEPT = new Set(loadCatalogue().settings.filter((s) => s.paths.length > 0).map((s) => s.id));
const CONNECTED = loadCatalogue().settings.filter((s) => s.kind === 'connection').length;
// A job's time limits (crate/rules/linkedin.toml): settle 5 s, click read-back 5 s, page 20 s.
const SWEEP_TIMEOUT = 60000;
const OPT_OUT_TIMEOUT = 45000;

/** On and off alternating in catalogue order (AI on). */
const MIXED = Object.fromEntries(CATALOGUE.map((c, i) => [c.id, i % 2 ? 'off' : 'on']));
const keysOf = (byIdStates) => Object.fromEntries(Object.entries(byIdStates).map(([id, st]) => [byId[id].key, st]));
const allStates = (st) => Object.fromEntries(CATALOGUE.map((c) => [c.id, st]));

// Runs in the popup: records every change of #job's kind/status with a timestamp, so a job that
// starts and ends between two polls is still seen, and the previous job's "finished" is not
// mistaken for the new one's.
function installJobLog() {
  const box = document.getElementById('job');
  const log = (window.__jobLog = []);
  let last = null;
  const note = () => {
    const now = box.hidden ? 'hidden' : `${box.getAttribute('data-kind')}:${box.getAttribute('data-status')}`;
    if (now !== last) { log.push({ what: now, t: performance.now() }); last = now; }
  };
  window.__jobLogT0 = performance.now();
  note();
  if (window.__jobObserver) window.__jobObserver.disconnect();
  window.__jobObserver = new MutationObserver(note);
  window.__jobObserver.observe(box, { attributes: true, attributeFilter: ['hidden', 'data-kind', 'data-status'] });
  return true;
}
const TERMINAL = ['finished', 'cancelled', 'stopped'];

/**
 * Starts a job with `start()` (a click in the popup) and waits until the popup shows it ended.
 * Returns {state (popup), ms (from the click to the end, measured in the popup), log}.
 */
async function runJob(popup, start, { kind, timeout = SWEEP_TIMEOUT, until = TERMINAL } = {}) {
  await popup.eval(installJobLog);
  await start();
  const t0 = Date.now();
  let log;
  for (;;) {
    log = await popup.eval(() => ({ entries: window.__jobLog, t0: window.__jobLogT0 }));
    const i = log.entries.findIndex((e) => e.what === `${kind}:running`);
    const end = i >= 0 && log.entries.slice(i + 1).find((e) => until.some((u) => e.what === `${kind}:${u}`));
    if (end) {
      const state = await waitPopup(popup, (s) => s.job && until.includes(s.job.status), { timeout: 5000, what: 'the job box to settle' });
      return { state, ms: Math.round(end.t - log.t0), log: log.entries.map((e) => e.what) };
    }
    if (Date.now() - t0 > timeout) assert.fail(`${kind} did not reach ${until.join('|')} within ${timeout} ms; #job went: ${JSON.stringify(log.entries.map((e) => e.what))}`);
    await sleep(100);
  }
}

/** "Check all" from the popup. */
const sweep = (popup, { start = () => popup.click('#check-all'), ...o } = {}) => runJob(popup, start, { kind: 'sweep', ...o });

/** Wait until only `n` tabs are open (the job closes its own tab when it ends). */
async function tabsBackTo(b, n, what) {
  const t0 = Date.now();
  let c;
  while ((c = await b.tabCount()) > n) {
    if (Date.now() - t0 > 5000) {
      assert.fail(`${what}: ${c} tabs open, expected ${n} (the job's tab was not closed): ${JSON.stringify(await b.tabUrls())}`);
    }
    await sleep(100);
  }
  assert.equal(c, n, `${what}: tab count`);
}

/** The click counters once the SPA's reports have arrived (they are sent with keepalive fetches). */
async function settledCounters(server, expectClicks) {
  const t0 = Date.now();
  const norm = (m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v));
  while (expectClicks && JSON.stringify(norm(server.counters().clicks)) !== JSON.stringify(norm(expectClicks)) && Date.now() - t0 < 3000) await sleep(100);
  await sleep(400); // anything late would show up now
  const c = server.counters();
  return { clicks: norm(c.clicks), confirmClicks: norm(c.confirmClicks), cancelClicks: norm(c.cancelClicks) };
}

const rowStates = (st) => Object.fromEntries(Object.entries(st.rows).map(([id, r]) => [id, r.state]));
const briefRows = (st) => Object.fromEntries(Object.entries(st.rows).map(([id, r]) => [id, `${r.state}${r.reasonCode ? `/${r.reasonCode}` : ''}`]));

/** Capture the popup's downloads: keep every Blob given to URL.createObjectURL. */
function captureBlobs() {
  window.__blobs = [];
  const orig = window.URL.createObjectURL;
  if (!window.__blobsPatched) {
    window.URL.createObjectURL = function (blob) { window.__blobs.push(blob); return orig.call(window.URL, blob); };
    window.__blobsPatched = true;
  }
  return true;
}
async function download(popup, selector) {
  await popup.eval(captureBlobs);
  await popup.click(selector);
  await popup.waitFor(() => window.__blobs.length > 0, { timeout: 5000, what: `a download from ${selector}` });
  return popup.eval(async () => {
    const b = window.__blobs[0];
    const a = [...document.querySelectorAll('a[download]')].map((x) => x.getAttribute('download'));
    return { type: b.type, text: await b.text(), names: a };
  });
}

export function defineJobScenarios(name) {
  describe(`${name}: jobs (Check all, guided opt-out)`, { timeout: 900000 }, () => {
    let server;
    let b;
    let popup;
    before(async () => ({ server, b } = await openBrowser(name)));
    after(() => closeBrowser(b, server));

    // Clean slate: server defaults, one tab, the extension's memory erased through the popup.
    // The popup records what was stored and drawn when (tests/lib/timeline.mjs), told on failure.
    beforeEach(async () => {
      popup = await freshSlate(b, server, { before: startTimeline });
    });
    afterEach(async (t) => {
      if (!t.passed || process.env.OPTOUT_TIMELINE) console.log(`[${name}] ${t.name}: timeline\n  ${(await timeline(popup, server)).join('\n  ')}`);
    });

    /** Visit a setting's page in the main tab (no ?state: the server's state), wait for its mark, leave. */
    async function visit(id, state) {
      const s = byId[id];
      await b.page.goto(s.path);
      await checkMarked(b.page, { key: s.key, id, state, timeout: 5000 });
      await b.page.goto('/'); // leave: a stale settings tab must not re-report later
    }

    it('1. Check all over every page with mixed server-side states: rows match exactly, job tab closed, nothing clicked', { timeout: 90000 }, async () => {
      server.setSwitches(keysOf(MIXED));
      const tabs = await b.tabCount();
      const { state, ms } = await sweep(popup);
      console.log(`[${name}] sweep of ${N} pages: ${ms} ms`);
      assert.equal(state.job.status, 'finished', `job status; text: ${state.job.text}`);
      assert.match(state.job.text, new RegExp(`Checked all ${N} settings`), 'status text');
      const st = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === MIXED[c.id]), { timeout: 5000, what: 'rows to show the states set server-side' });
      assert.deepEqual(Object.fromEntries(CATALOGUE.map((c) => [c.id, rowStates(st)[c.id]])), MIXED);
      for (const c of CATALOGUE) assert.equal(st.rows[c.id].reasonCode, null, `${c.id}: no reason on a known row`);
      await tabsBackTo(b, tabs, 'after the sweep');
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'a sweep clicks nothing');
      const ons = Object.values(MIXED).filter((v) => v === 'on').length + CONNECTED;
      assert.match(st.headline, new RegExp(`\\b${ons} of ${ROWS}\\b`), `headline counts the ${ons} settings on`);
    });

    it('1b. While Check all runs: its buttons stay disabled on every render; "Show me" opens a tab of its own, never one of the check\'s, and the check reads every page once', { timeout: 150000 }, async () => {
      server.setSwitches(keysOf(MIXED));
      // Slow pages (each switch shows 2 s after its load): each tab of the check stays on its
      // page a while, so "Show me" is pressed while both are open.
      for (const c of CATALOGUE) server.setBehaviour(c.path, 'slow:2000');
      const AI_PAGE = byId['ai-training'];
      const loads0 = Object.fromEntries(CATALOGUE.map((c) => [c.id, server.loadAttempts(c.path, 1)]));
      const tabs = await b.tabCount();
      let during = null;
      const { state } = await sweep(popup, {
        timeout: 140000,
        start: async () => {
          await popup.click('#check-all');
          await waitPopup(popup, (s) => s.job && s.job.status === 'running', { timeout: 10000, what: 'Check all to start' });
          // As soon as both tabs of the check read a page, "Show me": the message the popup's
          // button sends (the button also closes a toolbar popup, which would end this reading).
          during = await popup.waitFor(async (setting) => {
            const api = globalThis.browser ?? globalThis.chrome;
            // The job is the core's text; a test may read it (the extension never does).
            const { job } = await api.storage.session.get('job');
            const lanes = typeof job === 'string' ? JSON.parse(job).lanes : [];
            const jobTabs = lanes.filter((l) => l.tab !== null && l.visit?.open).map((l) => l.tab);
            if (jobTabs.length < 2) return null;
            const reply = await api.runtime.sendMessage({ type: 'show', setting });
            return { jobTabs, shown: reply?.tabId ?? null };
          }, { args: ['ai-training'], timeout: 20000, interval: 50, what: 'both tabs of the check reading a page' });
          // Every render while the job box says "running": no button that starts a job is enabled.
          const seen = [];
          for (let i = 0; i < 20; i++) {
            seen.push(await popup.eval(() => {
              const box = document.getElementById('job');
              const enabled = ['check-all', 'turn-off-all', 'job-retry'].filter((id) => !document.getElementById(id).disabled)
                .concat([...document.querySelectorAll('[data-action="turn-off"]')].filter((x) => !x.disabled).map(() => 'turn-off'));
              return { status: box.dataset.status, text: document.getElementById('job-status').textContent, enabled };
            }));
            await sleep(100);
          }
          const wrong = seen.filter((x) => x.status === 'running' && x.enabled.length > 0);
          assert.deepEqual(wrong, [], 'a button that starts a job is enabled while the check runs');
          assert.ok(seen.some((x) => x.status === 'running'), 'the check was running while the popup was read');
        },
      });
      assert.ok(during?.shown != null, `"Show me" answered with its tab: ${JSON.stringify(during)}`);
      assert.ok(!during.jobTabs.includes(during.shown), `"Show me" took a tab of its own, not one of the check's: ${JSON.stringify(during)}`);
      assert.equal(state.job.status, 'finished', `job status; text: ${state.job.text}`);
      const st = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === MIXED[c.id]), { timeout: 5000, what: 'rows as set server-side' });
      assert.deepEqual(Object.fromEntries(CATALOGUE.map((c) => [c.id, rowStates(st)[c.id]])), MIXED);
      // Every page read once by the check; the AI page once more, in the tab "Show me" opened.
      const loads = Object.fromEntries(CATALOGUE.map((c) => [c.id, server.loadAttempts(c.path, 1) - loads0[c.id]]));
      for (const c of CATALOGUE) assert.equal(loads[c.id], c.id === AI_PAGE.id ? 2 : 1, `${c.id}: ${JSON.stringify(loads)}`);
      // The check closed its own tabs only: the one "Show me" opened is still there.
      await tabsBackTo(b, tabs + 1, 'after the check');
      assert.ok((await b.tabUrls()).some((u) => u.includes(AI_PAGE.path)), '"Show me"\'s tab stays, on the AI page');
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'a sweep clicks nothing');
    });

    it('2. Check all where one page never shows its switch: that row unknown/not-found, the others right', { timeout: 90000 }, async () => {
      const never = byId.research;
      server.setSwitches(keysOf(MIXED));
      server.setBehaviour(never.path, 'never');
      const tabs = await b.tabCount();
      const { state, ms } = await sweep(popup);
      console.log(`[${name}] sweep with one page that never renders its switch: ${ms} ms`);
      assert.equal(state.job.status, 'finished', `job status; text: ${state.job.text}`);
      const st = await waitPopup(popup, (s) => CATALOGUE.every((c) => (c.id === never.id ? s.rows[c.id].reasonCode === 'not-found' : s.rows[c.id].state === MIXED[c.id])),
        { timeout: 5000, what: `${never.id} not-found and every other row as set` });
      assert.equal(st.rows[never.id].state, 'unknown');
      assert.ok(st.rows[never.id].reason.trim().length > 0, 'reason text on the unknown row');
      for (const c of CATALOGUE) if (c.id !== never.id) assert.equal(st.rows[c.id].state, MIXED[c.id], `${c.id}`);
      assert.ok(ms >= 4500, `the page without a switch was given its settle time (~5 s); sweep took ${ms} ms`);
      await tabsBackTo(b, tabs, 'after the sweep');
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'a sweep clicks nothing');
    });

    it('3. Check all while signed out: stopped, says not signed in, every stored state kept', { timeout: 90000 }, async () => {
      server.setSwitches(keysOf(MIXED));
      await sweep(popup);
      const before = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === MIXED[c.id]), { what: 'the first sweep to store the states' });
      server.setLoggedIn(false);
      server.setSwitches(keysOf(allStates('on'))); // would show if anything were read
      const tabs = await b.tabCount();
      const { state } = await sweep(popup);
      assert.equal(state.job.status, 'stopped', `job status; text: ${state.job.text}`);
      assert.match(state.job.text, /not signed in/i, 'status text says not signed in');
      await sleep(500);
      const after = await waitPopup(popup, () => true);
      assert.deepEqual(briefRows(after), briefRows(before), 'no stored state was overwritten');
      await tabsBackTo(b, tabs, 'after the stopped sweep');
      const logins = server.requests.filter((r) => r.url.startsWith('/login'));
      assert.ok(logins.length >= 1, 'the sweep did reach the sign-in page');
    });

    it('4. Cancel mid-sweep: cancelled, tab closed, rows already checked keep their new result, the rest their old one', { timeout: 90000 }, async () => {
      await sweep(popup); // every switch on (server default)
      await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === 'on'), { what: 'the first sweep' });
      server.setSwitches(keysOf(allStates('off')));
      for (const c of CATALOGUE) server.setBehaviour(c.path, 'slow:1500');
      const tabs = await b.tabCount();
      await popup.eval(installJobLog);
      await popup.click('#check-all');
      await waitPopup(popup, (s) => s.job.status === 'running' && s.job.value >= 2, { timeout: 30000, what: 'two pages checked' });
      await popup.click('#job-cancel');
      const st = await waitPopup(popup, (s) => s.job.status !== 'running', { timeout: 10000, what: 'the job to end after Cancel' });
      assert.equal(st.job.status, 'cancelled', `job status; text: ${st.job.text}`);
      const m = st.job.text.match(/Cancelled after (\d+) of (\d+)/);
      assert.ok(m, `status text: ${JSON.stringify(st.job.text)}`);
      const done = Number(m[1]);
      assert.equal(Number(m[2]), N);
      assert.ok(done >= 2 && done < N, `cancelled after ${done}`);
      await tabsBackTo(b, tabs, 'after Cancel');
      await sleep(800); // nothing may arrive later from the closed tab
      const fin = await waitPopup(popup, () => true);
      const offs = CATALOGUE.filter((c) => fin.rows[c.id].state === 'off').map((c) => c.id);
      const ons = CATALOGUE.filter((c) => fin.rows[c.id].state === 'on').map((c) => c.id);
      assert.equal(offs.length + ons.length, CATALOGUE.length, `every row keeps a known state: ${JSON.stringify(briefRows(fin))}`);
      // The connection's step (on Partners and services) reads it connected, not off.
      const connStep = loadCatalogue().settings.filter((s) => s.paths.length > 0).findIndex((s) => s.kind === 'connection');
      assert.equal(offs.length, done - (done > connStep ? 1 : 0), `rows checked before Cancel show the new state (off): ${JSON.stringify(offs)}; "Cancelled after ${done}"`);
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'a sweep clicks nothing');
    });

    it('5. Turned back on: AI off at the first Check all, on at the second -> warning names it, row flagged, Dismiss clears it', { timeout: 90000 }, async () => {
      server.setSwitches(keysOf({ ...MIXED, 'ai-training': 'off' }));
      await sweep(popup);
      let st = await waitPopup(popup, (s) => s.rows['ai-training'].state === 'off', { what: 'AI off after the first sweep' });
      assert.equal(st.warning.hidden, true, 'no warning after the first full check');
      server.setSwitches({ [AI.key]: 'on' });
      await sweep(popup);
      st = await waitPopup(popup, (s) => s.rows['ai-training'].state === 'on' && !s.warning.hidden, { what: 'the warning after AI came back on' });
      assert.ok(st.warning.text.includes(AI.title), `warning names the setting: ${JSON.stringify(st.warning.text)}`);
      const lead = await popup.eval(() => {
        const w = document.getElementById('warning');
        return { role: w.getAttribute('role'), beforeHeadline: !!(w.compareDocumentPosition(document.getElementById('headline')) & Node.DOCUMENT_POSITION_FOLLOWING) };
      });
      assert.equal(lead.role, 'alert');
      assert.ok(lead.beforeHeadline, 'the warning comes before the headline');
      const row = st.rows['ai-training'];
      assert.equal(row.alert, 'turned-back-on');
      assert.equal(row.changed, 'true');
      assert.ok(row.hasDismiss, 'Dismiss button on the flagged row');
      for (const c of CATALOGUE) if (c.id !== 'ai-training') assert.equal(st.rows[c.id].alert, null, `${c.id} not flagged`);
      await popup.click('[data-setting="ai-training"] [data-action="dismiss"]');
      st = await waitPopup(popup, (s) => s.rows['ai-training'].alert === null && s.warning.hidden, { what: 'Dismiss to clear the flag and the warning' });
      assert.equal(st.rows['ai-training'].hasDismiss, false);
      assert.equal(st.rows['ai-training'].state, 'on', 'Dismiss does not change the state');
    });

    it('6. Export after Check all: JSON validates against docs/export.schema.json and matches the rows; Markdown has the headline', { timeout: 90000 }, async () => {
      server.setSwitches(keysOf(MIXED));
      server.setBehaviour(byId['ads-interests'].path, 'never'); // one unknown row in the export too
      await sweep(popup);
      // The rows follow the job box by a few ms (two storage areas): wait for all of them.
      const st = await waitPopup(popup, (s) => CATALOGUE.every((c) => (c.id === 'ads-interests' ? s.rows[c.id].reasonCode === 'not-found' : s.rows[c.id].state === MIXED[c.id])),
        { what: 'the sweep results in every row' });
      const json = await download(popup, '#export-json');
      assert.match(json.type, /json/);
      const data = JSON.parse(json.text);
      const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/export.schema.json'), 'utf8'));
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      const validate = ajv.compile(schema);
      assert.ok(validate(data), `export is valid: ${ajv.errorsText(validate.errors)}`);
      assert.equal(data.settings.length, ROWS);
      for (const s of data.settings) {
        assert.equal(s.state, st.rows[s.id].state, `${s.id}: export state = popup row`);
        assert.equal(s.reason, st.rows[s.id].reasonCode, `${s.id}: export reason = popup row`);
      }
      assert.equal(data.summary.total, ROWS);
      assert.equal(data.summary.exposed, CATALOGUE.filter((c) => MIXED[c.id] === 'on' && c.id !== 'ads-interests').length + CONNECTED);
      // Every unknown row is counted, the one the check could not read and those no check can
      // reach (issue 20: a count matches the rows it speaks of).
      assert.equal(data.summary.unknown, data.settings.filter((s) => s.state === 'unknown').length);
      assert.equal(data.summary.unknown, 1 + ROWS - loadCatalogue().settings.filter((s) => s.paths.length > 0).length);
      assert.ok(data.lastFullCheckAt, 'lastFullCheckAt set by the completed sweep');
      const md = await download(popup, '#export-md');
      assert.ok(md.text.includes(st.headline), `Markdown contains the headline ${JSON.stringify(st.headline)}:\n${md.text.slice(0, 400)}`);
      for (const c of CATALOGUE) assert.ok(md.text.includes(st.rows[c.id].title), `Markdown lists ${c.id}`);
    });

    // ---- guided opt-out

    /** Row "Turn off" -> the popup's dialog lists exactly `ids`. */
    async function openConfirmFromRow(id) {
      await waitPopup(popup, (s) => s.rows[id].hasTurnOff, { what: `a Turn off button on ${id}` });
      await popup.click(`[data-setting="${id}"] [data-action="turn-off"]`);
      const st = await waitPopup(popup, (s) => s.confirm.open, { timeout: 3000, what: 'the confirmation dialog' });
      assert.deepEqual(st.confirm.list, [id], 'the dialog lists the one setting');
      return st;
    }
    const confirmYes = (o = {}) => runJob(popup, () => popup.click('#confirm-yes'), { kind: 'opt-out', timeout: OPT_OUT_TIMEOUT, ...o });

    it('7a. Turn off one setting from its row: turned-off, one click, row off, state persisted', { timeout: 90000 }, async () => {
      await visit('ai-training', 'on');
      await openConfirmFromRow('ai-training');
      const tabs = await b.tabCount();
      const { state, ms } = await confirmYes();
      console.log(`[${name}] opt-out of one setting: ${ms} ms`);
      assert.equal(state.job.status, 'finished', `job: ${state.job.text}`);
      assert.deepEqual(Object.keys(state.job.results), ['ai-training']);
      assert.equal(state.job.results['ai-training'].outcome, 'turned-off', state.job.results['ai-training'].text);
      const st = await waitPopup(popup, (s) => s.rows['ai-training'].state === 'off', { what: 'the AI row to show off' });
      assert.equal(st.rows['ai-training'].hasTurnOff, false, 'no Turn off on an off row');
      await tabsBackTo(b, tabs, 'after the opt-out');
      assert.deepEqual((await settledCounters(server, { [AI.key]: 1 })).clicks, { [AI.key]: 1 }, 'exactly one click, on the AI switch');
      assert.equal(server.switchState(AI.key), 'off', 'LinkedIn (the fixture server) has it off');
    });

    it('7b. Turn off all with mixed states: one click per switch that was on, none on the others; a fresh Check all finds all off', { timeout: 120000 }, async () => {
      // 4 on, 9 off (each opt-out waits for the change to hold, so fewer on keeps this short).
      const FEW = Object.fromEntries(CATALOGUE.map((c, i) => [c.id, i % 3 === 0 && i < 12 ? 'on' : 'off']));
      server.setSwitches(keysOf(FEW));
      await sweep(popup);
      let st = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === FEW[c.id]), { what: 'the first sweep' });
      const onIds = CATALOGUE.filter((c) => FEW[c.id] === 'on').map((c) => c.id);
      assert.equal(onIds.length, 4);
      assert.equal(st.turnOffAll.hidden, false);
      assert.match(st.turnOffAll.text, new RegExp(`\\b${onIds.length}\\b`), `button text ${JSON.stringify(st.turnOffAll.text)}`);
      server.resetClicks();
      await popup.click('#turn-off-all');
      st = await waitPopup(popup, (s) => s.confirm.open, { timeout: 3000, what: 'the confirmation dialog' });
      assert.deepEqual([...st.confirm.list].sort(), [...onIds].sort(), 'the dialog lists exactly the settings that are on');
      const tabs = await b.tabCount();
      const { state, ms } = await confirmYes({ timeout: 90000 });
      console.log(`[${name}] Turn off all ${onIds.length}: ${ms} ms`);
      assert.equal(state.job.status, 'finished', `job: ${state.job.text}`);
      assert.deepEqual(Object.keys(state.job.results).sort(), [...onIds].sort(), 'one result per confirmed setting');
      for (const id of onIds) assert.equal(state.job.results[id].outcome, 'turned-off', `${id}: ${state.job.results[id].text}`);
      await tabsBackTo(b, tabs, 'after Turn off all');
      const want = Object.fromEntries(onIds.map((id) => [byId[id].key, 1]));
      assert.deepEqual((await settledCounters(server, want)).clicks, want, 'one click per switch that was on, none on the off ones');
      st = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === 'off'), { what: 'every row off' });
      assert.equal(st.turnOffAll.hidden, true, '"Turn off all" hidden with nothing on');
      // Verify on "LinkedIn" itself with a fresh sweep.
      const again = await sweep(popup);
      assert.equal(again.state.job.status, 'finished');
      st = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === 'off'), { what: 'every row off after a fresh sweep' });
      assert.deepEqual((await settledCounters(server, want)).clicks, want, 'the verification sweep clicked nothing');
    });

    it('7c. Sticky switch (LinkedIn refuses the change): failed, says it did not change, exactly one click', { timeout: 90000 }, async () => {
      server.setBehaviour(AI.path, 'sticky');
      await visit('ai-training', 'on');
      await openConfirmFromRow('ai-training');
      const { state, ms } = await confirmYes();
      console.log(`[${name}] opt-out of a sticky switch: ${ms} ms`);
      const r = state.job.results['ai-training'];
      assert.ok(r, `a result for ai-training: ${JSON.stringify(state.job)}`);
      assert.equal(r.outcome, 'failed', r.text);
      assert.match(r.text, /did not change|not change|didn.t change|unchanged/i, `reason text: ${JSON.stringify(r.text)}`);
      assert.deepEqual((await settledCounters(server, { [AI.key]: 1 })).clicks, { [AI.key]: 1 }, 'exactly ONE click, no retry');
      const st = await waitPopup(popup, () => true);
      assert.equal(st.rows['ai-training'].state, 'on', 'the row still says on');
      assert.equal(server.switchState(AI.key), 'on');
    });

    it('7c+. Switch that flips on screen and snaps back 1 s later (optimistic UI, LinkedIn rejects): not reported turned-off; one click', { timeout: 90000 }, async () => {
      server.setBehaviour(AI.path, 'sticky-late');
      await visit('ai-training', 'on');
      await openConfirmFromRow('ai-training');
      const { state } = await confirmYes();
      const r = state.job.results['ai-training'];
      assert.ok(r, `a result for ai-training: ${JSON.stringify(state.job)}`);
      assert.deepEqual((await settledCounters(server, { [AI.key]: 1 })).clicks, { [AI.key]: 1 }, 'exactly ONE click');
      const st = await waitPopup(popup, () => true);
      console.log(`[${name}] reverted switch: ${r.outcome}: ${JSON.stringify(r.text)}; row ${st.rows['ai-training'].state}`);
      assert.equal(server.switchState(AI.key), 'on', 'LinkedIn kept it on');
      assert.notEqual(r.outcome, 'turned-off', `the extension reported "turned off" for a change LinkedIn reverted 1 s later (row now ${st.rows['ai-training'].state}): ${r.text}`);
      assert.equal(r.outcome, 'failed', r.text);
      assert.match(r.text, /back on|revert|undid|undo|did not (change|hold)/i, `the reason says the change did not hold: ${JSON.stringify(r.text)}`);
      assert.equal(st.rows['ai-training'].state, 'on', 'the row says on, as LinkedIn has it');
    });

    // LinkedIn's answer decided by the server, whatever the delay (tests/fixtures/README.md,
    // behaviours refuse / save / ghost): "turned off" only when a fresh load of the page shows
    // what LinkedIn stored; the tab that clicked is never the proof.
    for (const [behaviour, what] of [
      ['refuse:1000', 'LinkedIn refused after 1 s'],
      ['refuse:4000', 'LinkedIn refused after 4 s'],
      ['refuse:10000', 'LinkedIn refused after 10 s'],
      ['ghost', 'that looks done on screen while LinkedIn keeps the old state'],
    ]) {
      it(`7i. A change ${what}: failed, never turned off; one click; the row says on, as LinkedIn has it`, { timeout: 120000 }, async () => {
        server.setBehaviour(AI.path, behaviour);
        await visit('ai-training', 'on');
        await openConfirmFromRow('ai-training');
        const { state, ms } = await confirmYes({ timeout: 90000 });
        const r = state.job.results['ai-training'];
        assert.ok(r, `a result for ai-training: ${JSON.stringify(state.job)}`);
        console.log(`[${name}] ${behaviour}: ${r.outcome} in ${ms} ms: ${JSON.stringify(r.text)}`);
        assert.equal(server.switchState(AI.key), 'on', 'LinkedIn kept it on');
        assert.equal(r.outcome, 'failed', `reported ${r.outcome} for a change LinkedIn did not keep: ${r.text}`);
        assert.match(r.text, /did not keep|back on|has not confirmed/, `the reason says LinkedIn did not keep it: ${JSON.stringify(r.text)}`);
        assert.deepEqual((await settledCounters(server, { [AI.key]: 1 })).clicks, { [AI.key]: 1 }, 'exactly ONE click');
        const st = await waitPopup(popup, (s) => s.rows['ai-training'].state !== 'off', { timeout: 3000, what: 'the AI row not off' });
        assert.equal(st.rows['ai-training'].state, 'on', 'the row says on, as LinkedIn has it');
        if (name === 'chromium' && behaviour === 'ghost') {
          const shots = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../dist/screens');
          fs.mkdirSync(shots, { recursive: true });
          await popup.screenshot(path.join(shots, 'change-not-kept.png'));
        }
      });
    }

    it('7j. A save that takes 6 s and then holds: turned off once a fresh load shows it; row off', { timeout: 120000 }, async () => {
      server.setBehaviour(AI.path, 'save:6000');
      await visit('ai-training', 'on');
      await openConfirmFromRow('ai-training');
      const { state, ms } = await confirmYes({ timeout: 90000 });
      const r = state.job.results['ai-training'];
      console.log(`[${name}] save:6000: ${r?.outcome} in ${ms} ms`);
      assert.equal(r?.outcome, 'turned-off', r?.text);
      assert.ok(ms >= 6000, `not before LinkedIn stored it (${ms} ms)`);
      assert.equal(server.switchState(AI.key), 'off', 'LinkedIn has it off');
      await waitPopup(popup, (s) => s.rows['ai-training'].state === 'off', { what: 'the AI row to show off' });
      assert.deepEqual((await settledCounters(server, { [AI.key]: 1 })).clicks, { [AI.key]: 1 }, 'exactly ONE click');
    });

    it('7d. Decoy switch ("Use AI to suggest replies") before the real one: decoy never clicked, real one once', { timeout: 90000 }, async () => {
      server.setBehaviour(AI.path, 'decoy');
      await b.page.goto(AI.path);
      assert.equal(await b.page.eval(() => document.querySelectorAll('[role=switch]').length), 2, 'fixture shows the decoy and the real switch');
      assert.equal(await b.page.eval(() => document.querySelector('[role=switch]').getAttribute('aria-labelledby')), DECOY_KEY, 'decoy comes first');
      await checkMarked(b.page, { key: AI.key, id: 'ai-training', state: 'on', timeout: 5000 });
      await b.page.goto('/');
      await openConfirmFromRow('ai-training');
      const { state } = await confirmYes();
      assert.equal(state.job.results['ai-training']?.outcome, 'turned-off', JSON.stringify(state.job));
      const c = await settledCounters(server, { [AI.key]: 1 });
      assert.equal(c.clicks[DECOY_KEY] || 0, 0, 'the decoy was never clicked');
      assert.deepEqual(c.clicks, { [AI.key]: 1 });
      assert.equal(server.switchState(DECOY_KEY), 'on', 'decoy untouched');
    });

    it('7e. Cancel in the confirmation dialog: no job, no tab, no click', { timeout: 60000 }, async () => {
      await visit('ai-training', 'on');
      const tabs = await b.tabCount();
      const reqs = server.requests.length;
      await openConfirmFromRow('ai-training');
      await popup.click('#confirm-no');
      await waitPopup(popup, (s) => !s.confirm.open, { timeout: 3000, what: 'the dialog to close' });
      await sleep(1500);
      const st = await waitPopup(popup, () => true);
      assert.equal(st.job.hidden, true, `no job: ${JSON.stringify(st.job)}`);
      assert.equal(await b.tabCount(), tabs, 'no tab opened');
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'nothing clicked');
      assert.equal(st.rows['ai-training'].state, 'on');
      assert.deepEqual(server.requests.slice(reqs).filter((r) => r.url.startsWith('/mypreferences/')).map((r) => r.url), [], 'no settings page was loaded');
    });

    it('7f. A setting turned off elsewhere between the dialog and Confirm: already-off, no click', { timeout: 60000 }, async () => {
      await visit('ai-training', 'on');
      await openConfirmFromRow('ai-training');
      server.setSwitches({ [AI.key]: 'off' }); // e.g. the person turned it off on another device
      const { state } = await confirmYes();
      assert.equal(state.job.results['ai-training']?.outcome, 'already-off', JSON.stringify(state.job));
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'nothing clicked');
      await waitPopup(popup, (s) => s.rows['ai-training'].state === 'off', { what: 'the row to show off' });
    });

    it('7g. LinkedIn asks "Are you sure?": the popup says so, the extension never confirms; after the person confirms: turned-off', { timeout: 120000 }, async () => {
      server.setBehaviour(AI.path, 'confirm');
      await visit('ai-training', 'on');
      await openConfirmFromRow('ai-training');
      await popup.eval(installJobLog);
      await popup.click('#confirm-yes');
      let st = await waitPopup(popup, (s) => s.job.kind === 'opt-out' && s.job.status === 'running' && /confirm/i.test(s.job.text),
        { timeout: 20000, what: 'the popup to say LinkedIn asks for a confirmation' });
      assert.match(st.job.text, /confirm on (its|LinkedIn.s) page|confirm/i, `status text: ${JSON.stringify(st.job.text)}`);
      console.log(`[${name}] pending confirmation text: ${JSON.stringify(st.job.text)}`);
      await sleep(1500); // time for a wrong extension to press Confirm (it would at the scan that sees the dialog)
      let c = await settledCounters(server, { [AI.key]: 1 });
      assert.deepEqual(c.clicks, { [AI.key]: 1 }, 'the switch was clicked once');
      assert.deepEqual(c.confirmClicks, {}, 'the extension never presses LinkedIn\'s Confirm');
      assert.deepEqual(c.cancelClicks, {}, 'nor Cancel');
      st = await waitPopup(popup, () => true);
      assert.equal(st.job.status, 'running', 'still waiting for the person');
      // The person confirms on LinkedIn's page, in the job's tab.
      const tab = (await b.tabs()).find((t) => { try { return new URL(t.url).pathname === AI.path; } catch { return false; } });
      assert.ok(tab, `the job's tab shows the AI page: ${JSON.stringify(await b.tabUrls())}`);
      assert.ok(await tab.page.eval(() => !!document.querySelector('[role=dialog] [data-fixture-confirm=yes]')), 'LinkedIn\'s dialog is open in the job tab');
      // The job ends on this click and closes the tab, which a driver may report as an error.
      await tab.page.click('[data-fixture-confirm="yes"]').catch((e) => {
        if (!/closed|no such window|discarded|target/i.test(e.message)) throw e;
      });
      const t0 = Date.now();
      while (Date.now() - t0 < 20000) {
        st = await waitPopup(popup, () => true);
        if (st.job.status !== 'running') break;
        await sleep(200);
      }
      assert.equal(st.job.status, 'finished', `job: ${st.job.text}`);
      assert.equal(st.job.results['ai-training']?.outcome, 'turned-off', JSON.stringify(st.job.results));
      c = await settledCounters(server, { [AI.key]: 1 });
      assert.deepEqual(c.confirmClicks, { [AI.key]: 1 }, 'only the person\'s press on Confirm');
      assert.deepEqual(c.clicks, { [AI.key]: 1 });
      await waitPopup(popup, (s) => s.rows['ai-training'].state === 'off', { what: 'the row to show off' });
    });

    it('7h. Turn off while signed out: stopped, says not signed in, nothing clicked, the row keeps its state', { timeout: 60000 }, async () => {
      await visit('ai-training', 'on');
      await openConfirmFromRow('ai-training');
      server.setLoggedIn(false);
      const tabs = await b.tabCount();
      const { state } = await confirmYes();
      assert.equal(state.job.status, 'stopped', `job: ${state.job.text}`);
      assert.match(state.job.text, /not signed in/i);
      assert.notEqual(state.job.results['ai-training']?.outcome, 'turned-off', JSON.stringify(state.job.results));
      await tabsBackTo(b, tabs, 'after the stopped opt-out');
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'nothing clicked');
      const st = await waitPopup(popup, () => true);
      assert.equal(st.rows['ai-training'].state, 'on', 'the stored state is kept');
    });

    if (name === 'chromium') {
      it('8. Service worker stopped mid-sweep: the sweep still finishes with the right states, history not duplicated', { timeout: 120000 }, async () => {
        server.setSwitches(keysOf(MIXED));
        for (const c of CATALOGUE) server.setBehaviour(c.path, 'slow:500');
        const tabs = await b.tabCount();
        await popup.eval(installJobLog);
        await popup.click('#check-all');
        await waitPopup(popup, (s) => s.job.status === 'running' && s.job.value >= 3, { timeout: 30000, what: 'three pages checked' });
        const sw = await b.stopServiceWorker(popup);
        const mid = await waitPopup(popup, () => true);
        console.log(`[${name}] service worker stopped at ${mid.job.value} of ${mid.job.max}: ${sw.statuses.join(' -> ')}`);
        assert.ok(sw.stopped, `the service worker reported "stopped": ${JSON.stringify(sw.statuses)}`);
        assert.equal(mid.job.status, 'running', 'stopped mid-sweep, not after it');
        const t0 = Date.now();
        let st;
        for (;;) {
          st = await waitPopup(popup, () => true);
          if (st.job.status !== 'running') break;
          if (Date.now() - t0 > 60000) assert.fail(`the sweep did not finish after the worker was stopped: ${JSON.stringify(st.job)}`);
          await sleep(200);
        }
        assert.equal(st.job.status, 'finished', `job: ${st.job.text}`);
        const after = sw.statuses.slice(sw.statuses.indexOf('stopped'));
        await sw.detach();
        assert.ok(after.includes('running'), `the worker started again: ${JSON.stringify(sw.statuses)}`);
        st = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === MIXED[c.id]), { timeout: 5000, what: 'rows right after the restart' });
        await tabsBackTo(b, tabs, 'after the sweep');
        const data = JSON.parse((await download(popup, '#export-json')).text);
        for (const s of data.settings.filter((x) => SWEPT.has(x.id))) assert.equal(s.history.length, 1, `${s.id}: one history entry, got ${JSON.stringify(s.history)}`);
        assert.deepEqual((await settledCounters(server)).clicks, {}, 'a sweep clicks nothing');
      });
    }

    if (name === 'chromium') {
      // The same, harder: the worker is stopped once on every page, each time a little later
      // after the page's script arrives (10, 25, ... 190 ms), so some stop lands while the
      // worker is answering that page's content script.
      it('8b. Service worker stopped on every page of one sweep, at staggered moments: still the right states, nothing duplicated', { timeout: 180000 }, async () => {
        server.setSwitches(keysOf(MIXED));
        const tabs = await b.tabCount();
        const delays = Array.from({ length: N }, (_, i) => 10 + i * 15);
        const stops = [];
        let page = -1;
        const unhook = server.onRequest((r) => {
          if (r.url.startsWith('/mypreferences/') || r.url.startsWith('/psettings/')) page++;
          else if (r.url === '/static/app.js' && page >= 0 && page < N && !stops[page]) {
            const d = delays[page];
            stops[page] = new Promise((resolve) => setTimeout(() => b.stopServiceWorker(popup)
              .then((x) => resolve({ ...x, page: page + 1, delay: d }), (e) => resolve({ stopped: false, statuses: [], error: e.message, delay: d })), d));
          }
        });
        const t0 = Date.now();
        let done = [];
        try {
          // Without stops this sweep takes ~2 s, each restart adds a fraction of a second; a page
          // left unread waits for the job's 20 s page timeout: fail at 30 s, saying where it hangs.
          let st;
          try {
            ({ state: st } = await runJob(popup, () => popup.click('#check-all'), { kind: 'sweep', timeout: 30000 }));
          } catch (e) {
            const now = await waitPopup(popup, () => true);
            assert.fail(`the sweep did not finish within 30 s after worker stops; it hangs at ${JSON.stringify(now.job.text)}; rows: ${JSON.stringify(briefRows(now))} (${e.message.slice(0, 200)})`);
          }
          const took = Date.now() - t0;
          done = await Promise.all(stops.filter(Boolean));
          console.log(`[${name}] sweep with ${done.filter((s) => s.stopped).length} worker stops took ${took} ms`);
          assert.equal(st.job.status, 'finished', `job: ${st.job.text}`);
          assert.ok(done.filter((s) => s.stopped).length >= 3, `the worker was stopped several times: ${JSON.stringify(done.map((s) => [s.delay, s.stopped]))}`);
          st = await waitPopup(popup, (s) => CATALOGUE.every((c) => s.rows[c.id].state === MIXED[c.id]), { timeout: 5000, what: 'every row as set server-side (a page whose answer was lost must still be read)' });
          await tabsBackTo(b, tabs, 'after the sweep');
          const data = JSON.parse((await download(popup, '#export-json')).text);
          for (const s of data.settings.filter((x) => SWEPT.has(x.id))) assert.equal(s.history.length, 1, `${s.id}: one history entry, got ${JSON.stringify(s.history)}`);
          assert.deepEqual((await settledCounters(server)).clicks, {}, 'a sweep clicks nothing');
        } finally {
          unhook();
          // Leave nothing running for the next scenario, even when this one failed.
          done = await Promise.all(stops.filter(Boolean));
          for (const s of done) await s.detach?.();
          if ((await waitPopup(popup, () => true)).job.status === 'running') await popup.click('#job-cancel').catch(() => {});
        }
      });
    }

    it('10. Forget everything while Check all runs: the job ends, its tab closes, nothing is stored afterwards', { timeout: 90000 }, async () => {
      server.setSwitches(keysOf(MIXED));
      for (const c of CATALOGUE) server.setBehaviour(c.path, 'slow:400');
      const tabs = await b.tabCount();
      await popup.eval(installJobLog);
      await popup.click('#check-all');
      await waitPopup(popup, (s) => s.job.status === 'running' && s.job.value >= 2, { timeout: 20000, what: 'two pages checked' });
      await popup.click('#forget');
      await popup.waitFor(() => document.getElementById('forget-confirm').open, { timeout: 3000, what: 'the forget dialog' });
      await popup.click('#forget-yes');
      const erased = (s) => s.job.hidden && CATALOGUE.every((c) => s.rows[c.id].state === 'unknown' && s.rows[c.id].reasonCode === 'not-checked');
      await waitPopup(popup, erased, { timeout: 10000, what: 'everything erased' });
      await tabsBackTo(b, tabs, 'after Forget');
      const reqs = server.requests.length;
      await sleep(2000); // a late scan or tick would land now
      const st = await waitPopup(popup, () => true);
      assert.ok(erased(st), `still erased 2 s later: ${JSON.stringify({ job: st.job, rows: briefRows(st) })}`);
      assert.deepEqual(server.requests.slice(reqs).filter((r) => r.url.startsWith('/mypreferences/')).map((r) => r.url), [], 'no page loaded after Forget');
      assert.deepEqual((await settledCounters(server)).clicks, {}, 'nothing clicked');
    });

    it('10b. Check all at once after Forget everything: the job starts after the erasing, runs to its end and shows', { timeout: 90000 }, async () => {
      server.setSwitches(keysOf(MIXED));
      await popup.click('#forget');
      await popup.waitFor(() => document.getElementById('forget-confirm').open, { timeout: 3000, what: 'the forget dialog' });
      // "Yes", then "Check all" as soon as the forget request is on its way (the dialog's
      // close handler sends it), as a quick person would: no wait for the erasing.
      const { state } = await runJob(popup, () => popup.eval(() => {
        document.getElementById('forget-confirm').addEventListener('close', () => document.getElementById('check-all').click(), { once: true });
        document.getElementById('forget-yes').click();
      }), { kind: 'sweep' });
      assert.equal(state.job.status, 'finished', state.job.text);
      for (const c of CATALOGUE) {
        assert.equal(state.rows[c.id].state, MIXED[c.id] ?? 'on',
          `${c.id} read after the erasing: row ${JSON.stringify(state.rows[c.id])}; job: ${state.job.text} ${JSON.stringify(state.job.results)}`);
      }
    });
  });
}
