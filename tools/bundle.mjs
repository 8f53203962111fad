// Bundles the background's modules (background/, lib/ and the wasm-bindgen glue) into one
// file of a built extension, `background.js`, and points its manifest at it. A stopped
// service worker starting again fetched 13 module files one import after another before
// any ran (11-17 ms of a mark after a worker stop, BENCHMARKS.md); one file is one fetch.
// Rollup joins the modules as they are written: comments kept, nothing minified or
// renamed, so what runs can still be read. The extension pages (popup, options) keep
// their own module files. Usage: node tools/bundle.mjs <built extension dir>
import fs from 'node:fs';
import path from 'node:path';
import { rollup } from 'rollup';

const out = process.argv[2];
const manifestFile = path.join(out, 'manifest.json');
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
const entry = manifest.background.service_worker ?? manifest.background.scripts[0];

const bundle = await rollup({ input: path.join(out, entry), onwarn: (w) => { throw new Error(`bundling the background: ${w.message}`); } });
await bundle.write({
  file: path.join(out, 'background.js'),
  format: 'es',
  banner: '// The background: the modules of extension/background/ and extension/lib/ and the\n' +
    '// core\'s wasm-bindgen glue joined into one file at build time (tools/bundle.mjs),\n' +
    '// each as written in the repository.',
});
await bundle.close();

// Only the background imports from background/: the folder is not shipped.
fs.rmSync(path.join(out, path.dirname(entry)), { recursive: true, force: true });
if (manifest.background.service_worker) manifest.background.service_worker = 'background.js';
if (manifest.background.scripts) manifest.background.scripts = ['background.js'];
fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
