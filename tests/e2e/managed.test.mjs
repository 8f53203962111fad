// Managed deployment: an administrator's policy (Chromium reads /etc/chromium/policies/
// managed/*.json on Linux) changes what the extension does. Needs root to write the
// policy file; the file is removed again afterwards. The policy names the extension by its
// id, which Chromium derives from the unpacked extension's path: this test loads its own
// copy of the build, so the policy applies to no other Chromium (the other end-to-end
// files, or another checkout's tests, running at the same time).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBrowser, closeBrowser, extDirFor } from '../lib/session.mjs';

// fs.realpathSync: Chromium hashes the path as it resolves it (no symlink in /tmp's path).
const EXT_DIR = path.join(fs.realpathSync(os.tmpdir()), `optout-managed-${process.pid}-${Date.now()}`);
const POLICY_DIR = '/etc/chromium/policies/managed';
const AI = '/mypreferences/d/settings/data-for-ai-improvement';

/** The id Chromium gives an unpacked extension: from the SHA-256 of its path, in letters a-p. */
function unpackedId(dir) {
  const hex = crypto.createHash('sha256').update(dir).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

const root = process.getuid?.() === 0;
// One file per copy of the build: two runs at once never remove each other's policy.
const policyFile = () => path.join(POLICY_DIR, `opt-out-lens-test-${unpackedId(EXT_DIR)}.json`);

describe('managed options through Chromium policy', { timeout: 120000 }, () => {
  let server;
  let b;
  before(async () => {
    // Never skipped: without root the policy cannot be written, and the test says so.
    assert.ok(root, 'needs root to write /etc/chromium/policies (run ./build.sh test as root)');
    fs.cpSync(extDirFor('chromium'), EXT_DIR, { recursive: true });
    const policy = {
      '3rdparty': {
        extensions: {
          [unpackedId(EXT_DIR)]: { watchSettings: ['ai-training', 'research'], allowOptOut: false, region: 'eu' },
        },
      },
    };
    fs.mkdirSync(POLICY_DIR, { recursive: true });
    fs.writeFileSync(policyFile(), JSON.stringify(policy));
    ({ server, b } = await openBrowser('chromium', { extDir: EXT_DIR }));
  });
  after(async () => {
    fs.rmSync(policyFile(), { force: true });
    await closeBrowser(b, server);
    fs.rmSync(EXT_DIR, { recursive: true, force: true });
  });

  it('the extension id we wrote the policy for is the one Chromium uses', () => {
    assert.equal(b.extensionId, unpackedId(EXT_DIR));
  });

  it('only the watched settings are shown, "Turn off" is not offered, the region is the organisation\'s', async () => {
    await b.page.goto(`${AI}?state=on`);
    await b.page.waitFor(() => document.querySelector('[data-optout-state="on"]'), { timeout: 8000, what: 'the AI mark' });
    const popup = await b.openPopup();
    try {
      const seen = await popup.waitFor(() => {
        const rows = [...document.querySelectorAll('#settings li[data-setting]')];
        if (rows.length === 0 || document.getElementById('managed-note').hidden) return null;
        return {
          rows: rows.map((li) => `${li.dataset.setting}=${li.dataset.state}`),
          turnOff: document.querySelectorAll('[data-action="turn-off"]').length,
          turnOffAllHidden: document.getElementById('turn-off-all').hidden,
          region: rows[0].querySelector('[data-field="region"]')?.textContent ?? '',
        };
      }, { timeout: 8000, what: 'the popup under the policy' });
      assert.deepEqual(seen.rows, ['ai-training=on', 'research=unknown']);
      assert.equal(seen.turnOff, 0, 'no "Turn off" buttons');
      assert.equal(seen.turnOffAllHidden, true, 'no "Turn off all"');
      assert.match(seen.region, /in the EU and EEA since/, 'the organisation\'s region explains the AI setting');
    } finally {
      await popup.close();
    }
  });

  it('an opt-out request is refused by the background even if asked for directly', async () => {
    const popup = await b.openPopup();
    try {
      const reply = await popup.eval(() => chrome.runtime.sendMessage({ type: 'job-start', kind: 'opt-out', settings: ['ai-training'] }));
      // A typed refusal the popup says in the person's language, and no job.
      assert.equal(reply?.started, false, JSON.stringify(reply));
      assert.equal(reply?.refused?.key, 'refusalNotAllowed', JSON.stringify(reply));
      const job = await popup.eval(async () => (await chrome.storage.session.get('job')).job ?? null);
      assert.equal(job, null, 'no job was started');
    } finally {
      await popup.close();
    }
  });

  it('the options page shows the region as set by the organisation', async () => {
    const options = await b.newPage();
    try {
      await options.raw.goto(b.popupUrl.replace('popup.html', 'options.html'));
      const state = await options.waitFor(() => {
        const s = document.getElementById('region');
        return s.options.length > 0 && { value: s.value, disabled: s.disabled, note: !document.getElementById('managed').hidden };
      }, { timeout: 8000, what: 'the options page' });
      assert.deepEqual(state, { value: 'eu', disabled: true, note: true });
    } finally {
      await options.close();
    }
  });
});
