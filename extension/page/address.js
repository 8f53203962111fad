// Whether the core scans an address, decided before the page script may send anything:
// the plan's hosts and paths (page/plan.js, from the core's rules) applied with exactly
// the core's reading of an address (crate/src/url.rs `Location::parse`, detect.rs
// `should_scan`): `https://` only, no credentials, any port, the path percent-decoded,
// a sign-in path matched with its trailing slashes ignored. tests/urls.test.mjs runs one
// table of addresses through both. A pure function, no DOM.
'use strict';

globalThis.OptOutAddress ??= (() => {
  /** `%XX` escapes decoded as bytes, read as UTF-8; invalid escapes stay as they are. */
  function percentDecode(text) {
    const bytes = [];
    const raw = new TextEncoder().encode(text);
    for (let i = 0; i < raw.length; i++) {
      const hex = raw[i] === 0x25 && i + 2 < raw.length ? String.fromCharCode(raw[i + 1], raw[i + 2]) : '';
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(raw[i]);
      }
    }
    return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
  }

  /** `{host, path}` of an absolute `https://` address, or null (as `Location::parse`). */
  function parse(href) {
    const rest = String(href).trim();
    if (!rest.startsWith('https://')) return null;
    const after = rest.slice('https://'.length);
    const end = after.search(/[/?#]/);
    const authority = end < 0 ? after : after.slice(0, end);
    if (authority.includes('@')) return null; // credentials: a spoofing trick
    const path = (end < 0 ? '' : after.slice(end)).split('#')[0].split('?')[0];
    return { host: authority.split(':')[0].toLowerCase(), path: path === '' ? '/' : percentDecode(path) };
  }

  const trimmed = (path) => path.replace(/\/+$/, '');

  /** Whether the core scans `href`, by the plan's `rules` (`should_scan`). */
  function scans(rules, href) {
    const at = parse(href);
    if (!at || !rules.hosts.includes(at.host)) return false;
    return rules.scanPrefixes.some((p) => at.path.startsWith(p)) || rules.exactPaths.some((p) => trimmed(p) === trimmed(at.path));
  }

  return Object.freeze({ scans });
})();
