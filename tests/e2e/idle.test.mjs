// The background sleeps through LinkedIn pages with nothing to do, in Chromium (node --test
// tests/). Firefox is left out: its background is an event page, which WebDriver cannot
// suspend on demand; quiet.test.mjs checks in both browsers that the same feed sends no
// message and opens no port.
//  1. With the service worker stopped, a busy /feed/ (a load, in-app URL changes, new
//     posts) leaves it stopped; a settings page reached in-app from there starts it and
//     its switch is marked (which also shows the check would see a start).
//  2. A worker stopped while "Check all" runs, with nothing else to wake it (the popup
//     closed), is woken by the job's tab even where that tab shows the browser's error
//     page (no page script to send a scan): the job ends, the failed page unknown.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { catalogue } from '../lib/server.mjs';
import { checkMarked, waitPopup, sleep } from '../lib/checks.mjs';
import { openBrowser, closeBrowser } from '../lib/session.mjs';

const CATALOGUE = catalogue();
const AI = CATALOGUE.find((c) => c.id === 'ai-training');
const MARK_TIMEOUT = Number(process.env.OPTOUT_MARK_TIMEOUT || 5000);
const RUNNING = new Set(['starting', 'running']);

describe('chromium: the background sleeps through pages with nothing to do', { timeout: 240000 }, () => {
  let server;
  let b;
  before(async () => {
    ({ server, b } = await openBrowser('chromium'));
    await b.page.goto('/');
    // The worker's start-up (it drops the tab listeners nothing needs) is over.
    await sleep(1500);
  });
  after(() => closeBrowser(b, server));

  it('a busy /feed/ never starts the stopped worker; in-app navigation to a settings page does, and marks the switch', { timeout: 60000 }, async () => {
    const watcher = await b.newPage();
    await watcher.goto('/');
    const sw = await b.stopServiceWorker(watcher);
    try {
      assert.ok(sw.stopped, `the worker stopped: ${JSON.stringify(sw.statuses)}`);
      const stoppedAt = sw.statuses.lastIndexOf('stopped');
      await b.page.goto('/feed/?ticks=60');
      await b.page.waitFor(() => window.__feed && window.__feed.done, { timeout: 20000, what: 'the feed to finish its 60 ticks' });
      const feed = await b.page.eval(() => ({ pushes: window.__feed.pushes, path: location.pathname }));
      assert.ok(feed.pushes >= 5 && feed.path.startsWith('/feed'), `the feed changed its URL in-app: ${JSON.stringify(feed)}`);
      await sleep(1000); // events the browser would dispatch late
      const during = sw.statuses.slice(stoppedAt + 1);
      assert.ok(!during.some((s) => RUNNING.has(s)), `the worker was started by the feed: ${JSON.stringify(sw.statuses)}`);
      await b.page.click('#feed-settings');
      await b.page.waitFor((p) => location.pathname === p, { timeout: 5000, args: [AI.path], what: 'the in-app navigation' });
      await checkMarked(b.page, { key: AI.key, id: AI.id, state: 'on', timeout: MARK_TIMEOUT });
      assert.ok(sw.statuses.slice(stoppedAt + 1).some((s) => RUNNING.has(s)), `the settings page started the worker: ${JSON.stringify(sw.statuses)}`);
    } finally {
      await sw.detach();
      await watcher.close();
    }
  });

  it('a worker stopped during "Check all" is woken by the job tab\'s error page: the job ends, that page unknown', { timeout: 120000 }, async () => {
    server.reset();
    server.setBehaviour(AI.path, 'reset');
    try {
      const popup = await b.openPopup();
      await waitPopup(popup, (s) => s.headline && !s.headline.startsWith('Reading'), { what: 'the popup to load' });
      await popup.click('#check-all');
      await waitPopup(popup, (s) => s.job && !s.job.hidden && s.job.status === 'running', { what: 'Check all to start' });
      // Nothing but the job's tab may wake the worker now: no popup sending its clock ticks.
      const watcher = await b.newPage();
      await watcher.goto('/');
      await popup.close();
      const sw = await b.stopServiceWorker(watcher);
      assert.ok(sw.stopped, `the worker stopped: ${JSON.stringify(sw.statuses)}`);
      await sw.detach();
      // The job ends on its own (each page reads in well under a second; the failed one is
      // retried once), then the popup shows the result.
      const t0 = Date.now();
      while (Date.now() - t0 < 60000 && (await b.tabCount()) > 2) await sleep(500);
      const again = await b.openPopup();
      // The job box is drawn after the rows: wait for it, not only for the rows.
      const st = await waitPopup(again, (s) => s.job && !s.job.hidden && s.job.status !== 'running' && s.rows[AI.id].reasonCode === 'not-loaded',
        { timeout: 60000, what: 'the job to end with the AI page not loaded' });
      assert.equal(st.job.status, 'finished', st.job.text);
      assert.equal(st.rows[AI.id].state, 'unknown', 'a page that did not load is unknown, never off');
      const read = CATALOGUE.filter((c) => c.id !== AI.id && st.rows[c.id].state === 'on').length;
      assert.equal(read, CATALOGUE.length - 1, 'every other page was read');
      await again.close();
      await watcher.close();
    } finally {
      server.setBehaviour(AI.path, null);
    }
  });
});
