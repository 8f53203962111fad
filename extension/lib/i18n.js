// Words for people: the core hands out i18n message names with substitutions
// ({key, args}); this turns them into text in the browser's language. A classic script,
// shared by the content script, the background and the extension pages.
'use strict';

globalThis.OptOutText = (() => {
  const api = globalThis.OptOutApi;

  /** A calendar date (YYYY-MM-DD) as the person's language writes it. */
  function date(iso) {
    const day = new Date(`${iso}T00:00:00Z`);
    if (Number.isNaN(day.getTime())) return iso;
    return new Intl.DateTimeFormat(api.i18n.getUILanguage(), { dateStyle: 'long', timeZone: 'UTC' }).format(day);
  }

  /** A core text ({key, args}) or a plain string, in the person's language. */
  function say(text) {
    if (text === null || text === undefined) return '';
    if (typeof text === 'string') return text;
    const args = (text.args ?? []).map((a) => (typeof a === 'string' ? a : a.date ? date(a.date) : say(a)));
    // A missing message shows its name, so a gap is visible (and caught by the tests).
    return api.i18n.getMessage(text.key, args) || text.key;
  }

  /** The message `key` with plain substitutions. */
  function msg(key, ...args) {
    return say({ key, args: args.map(String) });
  }

  /** Fills [data-i18n] (text) and [data-i18n-label] (aria-label) under `root`. */
  function translate(root) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = msg(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', msg(el.dataset.i18nLabel));
    if (root.documentElement) root.documentElement.lang = api.i18n.getUILanguage();
  }

  return Object.freeze({ say, msg, translate });
})();
