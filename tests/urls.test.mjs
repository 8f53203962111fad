// The page script's decision whether to scan an address (page/address.js, with the built
// page/plan.js) against the shared table that crate/tests/detect.rs runs through the
// core's should_scan: both sides must give the table's answer. Needs the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(ROOT, process.env.DIST || 'dist', 'chrome');

test('the page script scans exactly the addresses the core scans', () => {
  const plan = path.join(DIST, 'page/plan.js');
  assert.ok(fs.existsSync(plan), `${plan} is missing: run ./build.sh first`);
  const sandbox = { TextEncoder, TextDecoder };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(fs.readFileSync(plan, 'utf8'), sandbox);
  vm.runInNewContext(fs.readFileSync(path.join(DIST, 'page/address.js'), 'utf8'), sandbox);
  const { urls } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/scan-urls.json'), 'utf8'));
  assert.ok(urls.length > 20);
  const wrong = urls.filter(([url, want]) => sandbox.OptOutAddress.scans(sandbox.OptOutPlan, url) !== want);
  assert.deepEqual(wrong, []);
});
