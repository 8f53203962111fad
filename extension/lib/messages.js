// Every message between the content scripts, the background and the extension pages,
// declared in one place with its reply, and the checks each must pass on receipt. A
// classic script (content scripts cannot be modules), shared through globalThis.
'use strict';

globalThis.OptOutMessages = (() => {
  // Largest message accepted: a page with thousands of switches fits; a flood does not.
  const MAX_CHARS = 8 * 1024 * 1024;

  // type -> who may send it, the type of each field ('?' marks an optional one), and the
  // fields of the reply (every reply may instead be `{error}`). Deeper shapes (page
  // facts, setting ids) are checked by the core, which refuses anything it cannot
  // deserialize. The background's handler table has exactly these keys (a test checks).
  const KINDS = {
    // LinkedIn content script: what is on this page. Reply: the marks to apply, a
    // setting to point at ("Show me"), the one click of a confirmed opt-out, and whether
    // the person asked for no marks on LinkedIn's pages.
    scan: {
      from: 'content',
      fields: { facts: 'object' },
      reply: { marks: 'array', reveal: 'string?', click: 'object?', quiet: 'boolean' },
    },
    // Popup: open a setting's page and point at its switch.
    show: { from: 'extension-page', fields: { setting: 'string' }, reply: { tabId: 'number' } },
    // Popup: "Check all" (kind 'sweep') or guided opt-out (kind 'opt-out', with the
    // settings the person confirmed).
    'job-start': {
      from: 'extension-page',
      fields: { kind: 'string', settings: 'array?' },
      // `refused`: why the core did not start it, as a text ({key, args}).
      reply: { started: 'boolean', refused: 'object?' },
    },
    'job-cancel': { from: 'extension-page', fields: {}, reply: { cancelled: 'boolean' } },
    // Popup, while showing progress: wakes a stopped service worker to check timeouts.
    'job-tick': { from: 'extension-page', fields: {}, reply: { ok: 'boolean' } },
    'alert-dismiss': { from: 'extension-page', fields: { setting: 'string' }, reply: { ok: 'boolean' } },
    // Options page: the person's choices, merged into the stored options by the background
    // (the only writer of storage.local).
    'options-set': { from: 'extension-page', fields: { options: 'object' }, reply: { ok: 'boolean' } },
    // Popup: erase everything stored.
    forget: { from: 'extension-page', fields: {}, reply: { ok: 'boolean' } },
    // Popup: what the person says about LinkedIn's objection form ("I sent it": sent true;
    // Undo: false); the background stores what the core returns.
    'objection-tell': { from: 'extension-page', fields: { sent: 'boolean' }, reply: { ok: 'boolean' } },
    // Entra content script (only once the person granted those hosts): what to look for,
    // what is there.
    'entra-plan': { from: 'content', fields: { url: 'string' }, reply: { scan: 'boolean' } },
    'entra-scan': { from: 'content', fields: { facts: 'object' }, reply: { marks: 'array' } },
    // Background to the LinkedIn page script (keyboard shortcut): point at the marked
    // switches. The only kind a page script answers; every other goes to the background.
    highlight: { from: 'extension-page', to: 'page', fields: {}, reply: { marked: 'number' } },
    // Background to the LinkedIn page script of a job's tab that finished loading: is a
    // content script there at all? (The browser's own error page runs none.)
    ping: { from: 'extension-page', to: 'page', fields: {}, reply: { alive: 'boolean' } },
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

  /** Returns null if `reply` is what a `type` request is declared to get back, else why not. */
  function replyReason(type, reply) {
    const kind = Object.hasOwn(KINDS, type) ? KINDS[type] : null;
    if (!kind) return `unknown type ${String(type).slice(0, 40)}`;
    if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) return 'no reply';
    if (typeof reply.error === 'string') return reply.error;
    for (const [k, spec] of Object.entries(kind.reply)) {
      const optional = spec.endsWith('?');
      const t = optional ? spec.slice(0, -1) : spec;
      if (optional && (reply[k] === undefined || reply[k] === null)) continue;
      if (!typeOk(reply[k], t)) return `reply field ${k} must be ${t}`;
    }
    return null;
  }

  return Object.freeze({ KINDS, MAX_CHARS, rejectReason, replyReason });
})();
