// The Rust core, started once per extension page or worker. Never imported by a content
// script: Chromium refuses WebAssembly on pages whose CSP lacks 'wasm-unsafe-eval'.
import './api.js';
import init, * as core from '../core/opt_out_lens_core.js';

let started = null;

/** Resolves once the wasm is compiled and instantiated; shared by every caller. */
export function coreReady() {
  // Lazily, behind one promise: Chrome's service worker must register its listeners
  // synchronously, before any await.
  started ??= init({ module_or_path: globalThis.OptOutApi.runtime.getURL('core/opt_out_lens_core_bg.wasm') });
  return started;
}

export { core };
