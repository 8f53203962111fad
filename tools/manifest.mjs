// Writes the manifest for one browser from the single manifest.json: each browser gets
// only the keys it uses, so neither warns about the other's.
import { readFileSync, writeFileSync } from 'node:fs';

const [browser, out] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));
manifest.version = version();
if (browser === 'chrome') {
  delete manifest.background.scripts; // Chrome runs the service worker.
  delete manifest.browser_specific_settings;
} else if (browser === 'firefox') {
  delete manifest.background.service_worker; // Firefox runs an event page.
  delete manifest.storage; // Firefox takes managed options from policies.json, no schema.
  // Firefox cannot make "alarms" optional; it asks nothing for it and it does nothing
  // until reminders are turned on.
  manifest.optional_permissions = manifest.optional_permissions.filter((p) => p !== 'alarms');
  manifest.permissions = [...manifest.permissions, 'alarms'];
} else {
  throw new Error(`unknown browser ${browser}`);
}
writeFileSync(out, JSON.stringify(manifest, null, 2) + '\n');

/** The version, from its one source: [workspace.package] in the top Cargo.toml. */
export function version() {
  const toml = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
  const found = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(toml);
  if (!found) throw new Error('Cargo.toml has no [workspace.package] version');
  return found[1];
}
