// The receipt checks every message passes (extension/lib/messages.js): sender, type, fields,
// size. Runs in Node: the file is a classic script that defines globalThis.OptOutMessages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';

const sandbox = { globalThis: {}, JSON, Object, Array, String };
sandbox.globalThis = sandbox;
vm.runInNewContext(fs.readFileSync(new URL('../extension/lib/messages.js', import.meta.url), 'utf8'), sandbox);
const { rejectReason, KINDS, MAX_CHARS } = sandbox.OptOutMessages;

const runtime = { id: 'our-id', getURL: (p) => `chrome-extension://our-id/${p}` };
const content = { id: 'our-id', tab: { id: 3 }, url: 'https://www.linkedin.com/mypreferences/d/settings/x' };
const popup = { id: 'our-id', url: 'chrome-extension://our-id/popup.html' };

/** Each case: [message, sender, expected reason (RegExp) or null when accepted]. */
const cases = [
  [{ type: 'entra-plan', url: 'https://entra.microsoft.com/' }, content, null],
  [{ type: 'options-set', options: { showMarks: false } }, popup, null],
  [{ type: 'scan', facts: { url: 'x', candidates: [] } }, content, null],
  [{ type: 'show', setting: 'ai-training' }, popup, null],
  [{ type: 'job-start', kind: 'sweep' }, popup, null],
  [{ type: 'job-start', kind: 'opt-out', settings: ['ai-training'] }, popup, null],
  [{ type: 'forget' }, popup, null],
  // Another extension, or a web page (no externally_connectable: browsers don't even deliver those).
  [{ type: 'entra-plan', url: 'x' }, { ...content, id: 'other-extension' }, /sender is not this extension/],
  [{ type: 'entra-plan', url: 'x' }, undefined, /sender is not this extension/],
  // Shapes.
  [null, content, /not an object/],
  ['plan', content, /not an object/],
  [[{ type: 'entra-plan' }], content, /not an object/],
  [{ type: 'nope' }, content, /unknown type/],
  [{ type: 'constructor' }, content, /unknown type/],
  [{ type: '__proto__' }, content, /unknown type/],
  [{ type: 'entra-plan' }, content, /field url must be string/],
  [{ type: 'entra-plan', url: 5 }, content, /field url must be string/],
  [{ type: 'scan', facts: [] }, content, /field facts must be object/],
  [{ type: 'scan', facts: null }, content, /field facts must be object/],
  [{ type: 'entra-plan', url: 'x', extra: 1 }, content, /unexpected field extra/],
  [{ type: 'job-start', kind: 'opt-out', settings: 'ai-training' }, popup, /field settings must be array/],
  // Who may send what: a content script cannot start jobs or erase data; a page cannot scan.
  [{ type: 'job-start', kind: 'opt-out', settings: ['ai-training'] }, content, /must come from an extension page/],
  [{ type: 'forget' }, content, /must come from an extension page/],
  [{ type: 'options-set', options: { showMarks: true } }, content, /must come from an extension page/],
  [{ type: 'scan', facts: {} }, popup, /must come from a content script/],
  // Size.
  [{ type: 'entra-plan', url: 'x'.repeat(MAX_CHARS + 1) }, content, /too large/],
];

test('receipt checks accept what is declared and reject everything else with a reason', () => {
  for (const [msg, sender, want] of cases) {
    const reason = rejectReason(msg, sender, runtime);
    const label = JSON.stringify(msg)?.slice(0, 80);
    if (want === null) assert.equal(reason, null, `${label} should be accepted`);
    else assert.match(String(reason), want, `${label} from ${JSON.stringify(sender)?.slice(0, 60)}`);
  }
});

test('every declared kind says who may send it', () => {
  for (const [type, kind] of Object.entries(KINDS)) {
    assert.ok(['content', 'extension-page'].includes(kind.from), `${type}: from ${kind.from}`);
  }
});

test('the manifest declares no way for web pages or other extensions to message us', () => {
  const manifest = JSON.parse(fs.readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));
  assert.equal(manifest.externally_connectable, undefined);
  assert.equal(manifest.web_accessible_resources, undefined);
});
