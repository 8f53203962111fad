// The LinkedIn page script: plain JavaScript with no knowledge of LinkedIn. What it looks
// for and on which pages comes from the core (page/plan.js, generated from the rules at
// build time, so no message is needed to decide that a page needs nothing). It reports
// plain facts about the candidate elements and applies the marks the core returns, or
// none when the person asked for no marks. Page text is only read; our own text only
// ever goes into text nodes.
'use strict';

(() => {
  if (globalThis.__optOutLens) return; // Injected twice (e.g. on update): keep one.
  globalThis.__optOutLens = true;

  const { textOf, yieldToPage, nextOutside, isOurs } = globalThis.OptOutPage;
  const RULES = globalThis.OptOutPlan;
  const MARKS = globalThis.OptOutMarks;
  const { scans } = globalThis.OptOutAddress;

  // Switch element -> the core's mark for it ({setting, state, ...}), also in quiet mode,
  // for "Show me", the shortcut and the one click; and the row found for it.
  let located = new Map();

  // ---- collecting facts -------------------------------------------------------------

  /**
   * For each switch, two ancestors among those (within the plan's number of levels)
   * that hold no other candidate: the highest, whose text helps identify the switch,
   * and the lowest that has any text, which is outlined as its row. Counted bottom-up
   * once for all switches, so thousands of switches cost switches x levels. The row
   * is the lowest such ancestor holding the switch's label elements, if any, so the
   * outline takes in the label; else the lowest with any text.
   */
  async function rowsOf(elements, levels) {
    const counts = new Map();
    for (const el of elements) {
      let node = el.parentElement;
      for (let i = 0; node && i < levels; i++, node = node.parentElement) {
        counts.set(node, (counts.get(node) ?? 0) + 1);
      }
    }
    const rows = [];
    for (const el of elements) {
      // Slices, as for the facts: thousands of switches never hold the main thread long.
      if (rows.length % 250 === 249) await yieldToPage();
      const labels = labelElements(el);
      let context = null;
      let row = null;
      let texty = null;
      let node = el.parentElement;
      for (let i = 0; node && i < levels && node !== document.body; i++, node = node.parentElement) {
        if (counts.get(node) !== 1) break;
        context = node;
        if (!row && labels.length > 0 && labels.every((l) => node.contains(l))) row = node;
        if (!texty && textOf(node, 40).trim()) texty = node;
      }
      rows.push({ context, row: row ?? texty ?? el.parentElement });
    }
    return rows;
  }

  /**
   * The document and every open shadow root in it (closed ones are out of reach, and
   * that is fine), each added to the DOM watch. Bounded: a page with thousands of web
   * components is searched up to MAX_ROOTS roots. Every element is looked at, so a huge
   * page is searched in slices of a few milliseconds, yielding to the page between them.
   */
  const MAX_ROOTS = 500;
  const SLICE_MS = 8;
  async function openRoots(watch) {
    const roots = [document];
    let sliceStart = performance.now();
    for (let i = 0; i < roots.length && roots.length < MAX_ROOTS; i++) {
      const all = roots[i].querySelectorAll('*');
      for (let k = 0; k < all.length && roots.length < MAX_ROOTS; k++) {
        const el = all[k];
        if (el.shadowRoot) roots.push(el.shadowRoot);
        if (k % 1000 === 999 && performance.now() - sliceStart > SLICE_MS) {
          await yieldToPage();
          sliceStart = performance.now();
        }
      }
    }
    for (const r of roots) watch(r === document ? document.documentElement : r);
    return roots;
  }

  /** Every match of `selector` in the document and its open shadow roots. */
  function queryAll(roots, selector) {
    return roots.flatMap((r) => [...r.querySelectorAll(selector)]);
  }

  /** An element by id in `el`'s own tree (its shadow root, or the document). */
  function byIdNear(el, id) {
    const root = el.getRootNode();
    return typeof root.getElementById === 'function' ? root.getElementById(id) : document.getElementById(id);
  }

  function labelledbyIds(el) {
    return (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
  }

  /**
   * The <label>s of each input, found in one pass: `input.labels` searches the whole
   * document for every input, which takes seconds on a page with thousands of switches.
   */
  function labelIndex(roots) {
    const byFor = new Map(); // root -> id -> labels (a label names an input of its own tree)
    for (const r of roots) {
      const ids = new Map();
      for (const l of r.querySelectorAll('label[for]')) {
        const list = ids.get(l.htmlFor) ?? [];
        list.push(l);
        ids.set(l.htmlFor, list);
      }
      byFor.set(r, ids);
    }
    return (el) => {
      if (!(el instanceof HTMLInputElement)) return [];
      const wrapping = el.closest('label');
      const named = el.id ? (byFor.get(el.getRootNode())?.get(el.id) ?? []) : [];
      return wrapping && !named.includes(wrapping) ? [wrapping, ...named] : named;
    };
  }
  let labelsOf = () => [];

  function labelElements(el) {
    const byId = labelledbyIds(el).map((id) => byIdNear(el, id)).filter(Boolean);
    return byId.length > 0 ? byId : labelsOf(el);
  }

  /**
   * Whether the person can see `el`: the browser's own answer (`display:none` and
   * `content-visibility:hidden` up the flat tree, the `hidden` attribute, a collapsed
   * section, and, asked for, `visibility:hidden` and `opacity:0` on it or an ancestor, as an
   * exit animation leaves a stale copy), else its boxes and a walk up its styles.
   * `aria-hidden` and `inert` hide nothing from the eye (a page puts them on everything
   * behind a modal dialog) and are not asked. The historical option names are for
   * Chromium 105-120, which know no others.
   */
  const SEEN = { opacityProperty: true, visibilityProperty: true, checkOpacity: true, checkVisibilityCSS: true };
  function seen(el) {
    if (!el) return false;
    if (typeof el.checkVisibility === 'function') return el.checkVisibility(SEEN);
    if (el.getClientRects().length === 0 || getComputedStyle(el).visibility !== 'visible') return false;
    for (let n = el; n; n = n.parentElement ?? n.getRootNode().host) {
      const style = getComputedStyle(n);
      if (style.opacity === '0' || (n !== el && style.contentVisibility === 'hidden')) return false;
    }
    return true;
  }

  /** Whether the person sees the row's content: one that skips it (`content-visibility:
   *  hidden` on the row itself) is an empty box to the browser's check. */
  function rowSeen(row) {
    return seen(row) && getComputedStyle(row).contentVisibility !== 'hidden';
  }

  function describe(el, row, max) {
    const ids = labelledbyIds(el);
    const isInput = el instanceof HTMLInputElement;
    const own = seen(el);
    return {
      tag: el.localName,
      inputType: isInput ? el.type : null,
      role: el.getAttribute('role'),
      checked: isInput ? el.checked : null,
      ariaChecked: el.getAttribute('aria-checked'),
      labelledby: ids.map((id) => id.slice(0, max)),
      labelledbyText: ids.map((id) => textOf(byIdNear(el, id), max)).join(' ').slice(0, max),
      ariaLabel: (el.getAttribute('aria-label') ?? '').slice(0, max),
      labelText: labelsOf(el).map((l) => textOf(l, max)).join(' ').slice(0, max),
      contextText: textOf(row.context, max),
      id: (el.id ?? '').slice(0, max),
      // Whether the switch, and else its row, can be seen: a styled switch may hide its own
      // input and draw its own in the row. The core ranks the copies of a setting by these.
      hidden: !(own || rowSeen(row.row)),
      switchHidden: !own,
    };
  }

  /**
   * Whether the page's localStorage has a key name starting with the rules' prefix: a
   * positive sign of a signed-in member. Names only; no value is ever read.
   */
  function signedIn(prefix) {
    try {
      const store = globalThis.localStorage;
      for (let i = 0; prefix && i < store.length; i++) if (store.key(i)?.startsWith(prefix)) return true;
    } catch {
      // Storage blocked: no sign either way.
    }
    return false;
  }

  /**
   * The member's own identity as the page shows it, for the core to scrub from reports
   * (never stored): the slug, text, aria-label and image alt of links to a profile (the
   * nav's own-profile entry among them), and the texts of the rules' identity elements
   * (the "Profile viewing options" choice with the member's name and headline). Bounded.
   */
  function identityOf(roots, plan) {
    const out = new Set();
    const add = (t) => {
      const s = (t ?? '').replace(/\s+/g, ' ').trim().slice(0, plan.maxTextChars);
      if (s && out.size < plan.maxIdentity) out.add(s);
    };
    // Each text node on its own: a name and a headline side by side stay two strings.
    const leaves = (el) => textPieces(el, plan.maxIdentity, plan.maxTextChars).forEach(add);
    for (const a of queryAll(roots, 'a[href]')) {
      let url;
      try {
        url = new URL(a.href);
      } catch {
        continue;
      }
      if (!RULES.hosts.includes(url.hostname) || !url.pathname.startsWith(plan.profilePathPrefix)) continue;
      add(url.pathname.slice(plan.profilePathPrefix.length).split('/')[0]);
      leaves(a);
      add(a.getAttribute('aria-label'));
      for (const img of a.querySelectorAll('img[alt]')) add(img.alt);
    }
    for (const el of queryAll(roots, plan.identitySelector)) leaves(el);
    return [...out];
  }

  /** The texts of `node`'s text nodes, each trimmed, in document order (bounded). */
  function textPieces(node, maxPieces, max) {
    const out = [];
    let n = node?.firstChild;
    while (n && out.length < maxPieces) {
      if (n.nodeType === Node.TEXT_NODE) {
        const t = n.data.trim();
        if (t) out.push(t.slice(0, max));
      } else if (n.nodeType === Node.ELEMENT_NODE && n.firstChild && !isOurs(n) && n.localName !== 'script' && n.localName !== 'style') {
        n = n.firstChild;
        continue;
      }
      n = nextOutside(n, node);
    }
    return out;
  }

  /**
   * Plain facts about the page's links (bounded): the href as written, the text, and the
   * text pieces of the link's row (the highest ancestor within the plan's levels holding
   * no other link). The core decides which name a setting and what state a row says.
   */
  async function describeLinks(roots, plan) {
    const links = queryAll(roots, plan.linkSelector).slice(0, plan.maxLinks);
    const rows = await rowsOf(links, plan.contextLevels);
    return links.map((a, i) => ({
      href: (a.getAttribute('href') ?? '').slice(0, plan.maxTextChars),
      text: textOf(a, plan.maxTextChars),
      rowTexts: textPieces(rows[i].context ?? a, plan.maxRowTexts, plan.maxTextChars),
    }));
  }

  // ---- what the core said ---------------------------------------------------------------

  function apply(reply, scanned) {
    const { elements, rows } = scanned;
    located = new Map(reply.marks.filter((m) => elements[m.index]).map((m) => [elements[m.index], { ...m, row: rows[m.index].row }]));
    // Quiet: the person asked for no marks on LinkedIn's pages; nothing is added.
    if (reply.quiet) MARKS.clear();
    else MARKS.apply(elements, rows, reply.marks);
    if (reply.reveal) reveal(reply.reveal);
    if (reply.click) clickOnce(scanned, reply.click);
  }

  function clear() {
    located = new Map();
    MARKS.clear();
  }

  function reveal(setting) {
    const found = [...located].find(([el, m]) => el.isConnected && m.setting === setting);
    if (!found) return;
    const [el] = found;
    // At once, not smoothly: a smooth scroll on a page still settling can be cut short
    // (seen in Firefox: stopped after a few pixels). The switch itself at the centre: a
    // row taller than a small window, centred, can leave its switch out of sight.
    el.scrollIntoView({ block: 'center', behavior: 'instant' });
    MARKS.flash(el);
  }

  /** The keyboard shortcut: scroll to the first switch the core named and flash every one. */
  function highlightAll() {
    const els = [...located.keys()].filter((el) => el.isConnected);
    if (els.length > 0) reveal(located.get(els[0]).setting);
    for (const el of els) MARKS.flash(el);
    return els.length;
  }

  /**
   * Guided opt-out: the one click the core decided on, after the person confirmed it in
   * the popup. Only on the element just reported, and only if it still is the switch of
   * that setting in that state; the read-back comes from the re-scan the change causes.
   */
  function clickOnce({ elements, message }, { index, setting, watchMs }) {
    const el = elements[index];
    // The core decided on the facts this scan reported: click only while the switch still
    // shows exactly those (the page may have changed it since), never on a reading of our own.
    const reported = message.facts.candidates[index];
    const unchanged = el?.isConnected && located.get(el)?.setting === setting && reported &&
      reported.checked === (el instanceof HTMLInputElement ? el.checked : null) &&
      reported.ariaChecked === el.getAttribute('aria-checked');
    if (!unchanged) {
      console.warn('Opt-Out Lens: the switch changed before the click; not clicked');
      page.scheduleScan();
      return;
    }
    el.click();
    page.scheduleScan();
    // A page may undo the change without any event or DOM mutation (a property set by
    // script): keep reading the state for as long as the core watches the change.
    for (let t = 500; t <= watchMs; t += 500) page.after(t, page.scheduleScan);
  }

  // ---- collecting -----------------------------------------------------------------------

  async function collect(plan, { elapsedMs, watch }) {
    // When this reading began (ms since the epoch): a reading begun before "Forget
    // everything" is never stored after it, however long it then waits in the background.
    const takenAt = performance.timeOrigin + performance.now();
    const roots = await openRoots(watch);
    const elements = queryAll(roots, plan.candidateSelector);
    labelsOf = labelIndex(roots);
    const rows = await rowsOf(elements, plan.contextLevels);
    const heading = roots.map((r) => r.querySelector(plan.headingSelector)).find(Boolean);
    const facts = {
      url: location.href,
      elapsedMs,
      // When this document was loaded: a job tells a late scan of the page its tab showed
      // before from the page it asked for, even at the same URL.
      loadedAt: performance.timeOrigin,
      takenAt,
      // For the core: an error page is not a changed page; for "Report a problem": the
      // page's language (the core keeps only what a report may hold).
      httpStatus: performance.getEntriesByType('navigation')[0]?.responseStatus || null,
      lang: (document.documentElement.lang ?? '').slice(0, 20),
      candidateIds: elements.map((e) => (e.id ?? '').slice(0, plan.maxTextChars)),
      loginForm: document.querySelector(plan.loginFormSelector) !== null,
      dialogOpen: document.querySelector(plan.dialogSelector) !== null,
      candidates: [],
      // The page's title (also for a report), how many plain checkboxes it holds (a list
      // is never read as a switch), and the names of its list entries (bounded): the core
      // decides with them.
      heading: textOf(heading, plan.maxTextChars),
      checkboxes: queryAll(roots, plan.checkboxSelector).length,
      entries: queryAll(roots, plan.entrySelector).slice(0, plan.maxEntries).map((e) => textOf(e, plan.maxEntryChars)),
      signedIn: signedIn(plan.signedInKeyPrefix),
      // Only to scrub the member's identity from reports; the core never keeps it.
      identity: identityOf(roots, plan),
      // The links (a category page lists each setting as one, its state beside it).
      links: await describeLinks(roots, plan),
    };
    // Facts in slices, yielding in between, so a page with thousands of switches never
    // holds the main thread for long.
    for (let i = 0; i < elements.length; i++) {
      facts.candidates.push(describe(elements[i], rows[i], plan.maxTextChars));
      if (i % 250 === 249) await yieldToPage();
    }
    return { message: { type: 'scan', facts }, elements, rows };
  }

  // The properties whose transitions show or hide a copy.
  const SHOWN_PROPERTIES = new Set(['opacity', 'visibility', 'display', 'content-visibility']);

  const page = globalThis.OptOutPage.start({
    port: 'content',
    wanted: (url) => scans(RULES, url),
    planFor: (url) => ({ ...RULES.plan, scan: scans(RULES, url) }),
    collect,
    apply,
    clear,
    // A copy that faded out (or in) by a transition or animation changed what the person
    // sees with no DOM change to tell: read the page again once it ends. Not for our own
    // flash, nor for a transition of anything but what shows or hides.
    rescanOn: (e) => (e.type === 'animationend' ? !e.animationName.startsWith('optout-') : SHOWN_PROPERTIES.has(e.propertyName)),
    watchOptions: {
      subtree: true,
      childList: true,
      attributes: true,
      // `open` and `hidden`: a collapsed section opened, a copy shown: its switch is then
      // rendered, and marked.
      attributeFilter: ['aria-checked', 'aria-labelledby', 'aria-label', 'role', 'id', 'open', 'hidden'],
    },
    onMessage(msg, sendResponse) {
      // A ping: a job's tab loaded its page and this script is alive on it.
      if (msg.type !== 'ping' && msg.type !== 'highlight') return false;
      sendResponse(msg.type === 'ping' ? { alive: true } : { marked: highlightAll() });
      return false;
    },
  });
})();
