// Every message between the content script, the background and the popup, declared in
// one place, with the checks each must pass on receipt. A classic script (content
// scripts cannot be modules), shared by all three through globalThis.
'use strict';

globalThis.OptOutMessages = (() => {
  // Largest message accepted: a page with thousands of switches fits; a flood does not.
  const MAX_CHARS = 8 * 1024 * 1024;

  // type -> who may send it and the type of each field ('?' marks an optional one).
  // Deeper shapes (page facts, setting ids) are checked by the core, which refuses
  // anything it cannot deserialize.
  const KINDS = {
    // Content script: what to look for here; what is here.
    plan: { from: 'content', fields: { url: 'string' } },
    scan: { from: 'content', fields: { facts: 'object' } },
    // Popup: open a setting's page and point at its switch.
    show: { from: 'extension-page', fields: { setting: 'string' } },
    // Popup: "Check all" (kind 'sweep') or guided opt-out (kind 'opt-out', with the
    // settings the person confirmed).
    'job-start': { from: 'extension-page', fields: { kind: 'string', settings: 'array?' } },
    'job-cancel': { from: 'extension-page', fields: {} },
    // Popup, while showing progress: wakes a stopped service worker to check timeouts.
    'job-tick': { from: 'extension-page', fields: {} },
    'alert-dismiss': { from: 'extension-page', fields: { setting: 'string' } },
    // Popup: erase everything stored.
    forget: { from: 'extension-page', fields: {} },
    // Entra content script (only once the person granted those hosts): what to look for,
    // what is there.
    'entra-plan': { from: 'content', fields: { url: 'string' } },
    'entra-scan': { from: 'content', fields: { facts: 'object' } },
    // Background to the content script (keyboard shortcut): point at the marked switches.
    highlight: { from: 'extension-page', fields: {} },
  };

  const typeOk = (v, t) =>
    t === 'array' ? Array.isArray(v) : t === 'object' ? v !== null && typeof v === 'object' && !Array.isArray(v) : typeof v === t;

  /** Returns null if `msg` from `sender` is acceptable, else the reason it is not. */
  function rejectReason(msg, sender, runtime) {
    if (!sender || sender.id !== runtime.id) return 'sender is not this extension';
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return 'not an object';
    const kind = Object.hasOwn(KINDS, msg.type) ? KINDS[msg.type] : null;
    if (!kind) return `unknown type ${JSON.stringify(String(msg.type)).slice(0, 40)}`;
    const extensionPage = typeof sender.url === 'string' && sender.url.startsWith(runtime.getURL(''));
    if (kind.from === 'content' && !(sender.tab && !extensionPage)) return `${msg.type} must come from a content script`;
    if (kind.from === 'extension-page' && !extensionPage) return `${msg.type} must come from an extension page`;
    const keys = Object.keys(msg).filter((k) => k !== 'type');
    for (const k of keys) {
      if (!Object.hasOwn(kind.fields, k)) return `unexpected field ${k}`;
    }
    for (const [k, spec] of Object.entries(kind.fields)) {
      const optional = spec.endsWith('?');
      const t = optional ? spec.slice(0, -1) : spec;
      if (optional && msg[k] === undefined) continue;
      if (!typeOk(msg[k], t)) return `field ${k} must be ${t}`;
    }
    let size;
    try {
      size = JSON.stringify(msg).length;
    } catch (e) {
      return `not serialisable: ${e.message}`;
    }
    if (size > MAX_CHARS) return `too large (${size} characters)`;
    return null;
  }

  return Object.freeze({ KINDS, MAX_CHARS, rejectReason });
})();
