// The content script: plain JavaScript with no knowledge of LinkedIn. It asks the core
// (through the background) what to look for on this URL, reports plain facts about the
// candidate elements, and applies the marks the core returns. Page text is only read,
// and our own text only ever goes into text nodes.
'use strict';

(() => {
  if (globalThis.__optOutLens) return; // Injected twice (e.g. on update): keep one.
  globalThis.__optOutLens = true;

  const api = globalThis.browser ?? globalThis.chrome;
  const ATTR_SETTING = 'data-optout-setting';
  const ATTR_STATE = 'data-optout-state';
  const ATTR_ROW = 'data-optout-row';
  const ATTR_LABEL = 'data-optout-label';
  const ATTR_FLASH = 'data-optout-flash';

  let plan = null; // The core's plan for `planUrl`.
  let planUrl = null;
  let planRetries = 0;
  let scanRetries = 0;
  let navigatedAt = performance.now();
  let debounceTimer = 0;
  let lastScanAt = -Infinity;
  let settleTimer = 0;
  let scanning = false;
  let rescanWanted = false;
  let alive = true;
  const marked = new Map(); // switch element -> { label, row }

  function gone() {
    try {
      return !api.runtime?.id;
    } catch {
      return true;
    }
  }

  async function send(msg) {
    if (gone()) return teardown();
    try {
      const reply = await api.runtime.sendMessage(msg);
      if (reply && reply.error) console.warn('Opt-Out Lens:', reply.error);
      return reply && !reply.error ? reply : null;
    } catch (e) {
      if (gone()) teardown();
      else console.warn('Opt-Out Lens: message failed:', e?.message ?? e);
      return null;
    }
  }

  // ---- collecting facts -------------------------------------------------------------

  /** Text of `node` without our own labels, at most `max` characters. */
  function textOf(node, max) {
    if (!node) return '';
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) =>
        n.nodeType === Node.ELEMENT_NODE
          ? n.hasAttribute(ATTR_LABEL) || n.localName === 'script' || n.localName === 'style'
            ? NodeFilter.FILTER_REJECT
            : NodeFilter.FILTER_SKIP
          : NodeFilter.FILTER_ACCEPT,
    });
    let out = '';
    while (out.length < max && walker.nextNode()) out += walker.currentNode.data + ' ';
    return out.slice(0, max);
  }

  /**
   * For each switch, two ancestors among those (within the plan's number of levels)
   * that hold no other candidate: the highest, whose text helps identify the switch,
   * and the lowest that has any text, which is outlined as its row. Counted bottom-up
   * once for all switches, so thousands of switches cost switches x levels. The row
   * is the lowest such ancestor holding the switch's label elements, if any, so the
   * outline takes in the label; else the lowest with any text.
   */
  function rowsOf(elements, levels) {
    const counts = new Map();
    for (const el of elements) {
      let node = el.parentElement;
      for (let i = 0; node && i < levels; i++, node = node.parentElement) {
        counts.set(node, (counts.get(node) ?? 0) + 1);
      }
    }
    return elements.map((el) => {
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
      return { context, row: row ?? texty ?? el.parentElement };
    });
  }

  function labelledbyIds(el) {
    return (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
  }

  /**
   * The <label>s of each input, found in one pass: `input.labels` searches the whole
   * document for every input, which takes seconds on a page with thousands of switches.
   */
  function labelIndex() {
    const byFor = new Map();
    for (const l of document.querySelectorAll('label[for]')) {
      const list = byFor.get(l.htmlFor) ?? [];
      list.push(l);
      byFor.set(l.htmlFor, list);
    }
    return (el) => {
      if (!(el instanceof HTMLInputElement)) return [];
      const wrapping = el.closest('label');
      const named = el.id ? (byFor.get(el.id) ?? []) : [];
      return wrapping && !named.includes(wrapping) ? [wrapping, ...named] : named;
    };
  }
  let labelsOf = () => [];

  function labelElements(el) {
    const byId = labelledbyIds(el).map((id) => document.getElementById(id)).filter(Boolean);
    return byId.length > 0 ? byId : labelsOf(el);
  }

  function describe(el, row, max) {
    const ids = labelledbyIds(el);
    const isInput = el instanceof HTMLInputElement;
    return {
      tag: el.localName,
      inputType: isInput ? el.type : null,
      role: el.getAttribute('role'),
      checked: isInput ? el.checked : null,
      ariaChecked: el.getAttribute('aria-checked'),
      labelledby: ids.map((id) => id.slice(0, max)),
      labelledbyText: ids.map((id) => textOf(document.getElementById(id), max)).join(' ').slice(0, max),
      ariaLabel: (el.getAttribute('aria-label') ?? '').slice(0, max),
      labelText: labelsOf(el).map((l) => textOf(l, max)).join(' ').slice(0, max),
      contextText: textOf(row.context, max),
    };
  }

  // ---- marking ------------------------------------------------------------------------

  /** Where our label goes: after the switch, or after the <label> wrapping it, so it
   *  never becomes part of the switch's accessible name or click target. */
  function labelAnchor(el) {
    const wrapping = el.closest('label');
    return wrapping && wrapping !== el ? wrapping : el;
  }

  function unmark(el) {
    const m = marked.get(el);
    if (!m) return;
    m.label.remove();
    m.row?.removeAttribute(ATTR_ROW);
    if (m.row) resizes.unobserve(m.row);
    el.removeAttribute(ATTR_SETTING);
    el.removeAttribute(ATTR_STATE);
    el.removeAttribute(ATTR_FLASH);
    marked.delete(el);
  }

  function applyMarks(elements, rows, marks) {
    const keep = new Set();
    for (const mark of marks) {
      const el = elements[mark.index];
      if (!el) continue;
      keep.add(el);
      let m = marked.get(el);
      if (!m || !m.label.isConnected) {
        if (m) unmark(el);
        const label = document.createElement('span');
        label.setAttribute(ATTR_LABEL, '');
        label.setAttribute('role', 'note');
        labelAnchor(el).after(label);
        m = { label, row: null };
        marked.set(el, m);
      }
      if (m.row && m.row !== rows[mark.index].row) {
        m.row.removeAttribute(ATTR_ROW);
        resizes.unobserve(m.row);
      }
      m.row = rows[mark.index].row;
      const look = mark.protective ? 'protective' : 'exposed';
      el.setAttribute(ATTR_SETTING, mark.setting);
      el.setAttribute(ATTR_STATE, mark.state);
      m.row?.setAttribute(ATTR_ROW, look);
      if (m.row) resizes.observe(m.row);
      m.label.setAttribute(ATTR_LABEL, look);
      // Longest first; placeAll() shows the longest that fits beside the switch.
      m.texts = mark.labels.map(OptOutText.say);
    }
    for (const el of [...marked.keys()]) if (!keep.has(el)) unmark(el);
    placeAll();
  }

  // ---- placing the label ----------------------------------------------------------

  const MIN_GAP = 140; // narrowest free space (px) the longest label may wrap into

  /** Horizontal spans taken by the row's text and controls in the switch's line. */
  function occupiedSpans(row, band) {
    const spans = [];
    const inBand = (r) => r.width > 0 && r.bottom > band.top + 1 && r.top < band.bottom - 1;
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) =>
        n.nodeType === Node.ELEMENT_NODE
          ? n.hasAttribute(ATTR_LABEL) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT
          : n.data.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
    });
    const range = document.createRange();
    for (let i = 0; i < 2000 && walker.nextNode(); i++) {
      const n = walker.currentNode;
      if (n.nodeType === Node.TEXT_NODE) {
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (inBand(r)) spans.push([r.left, r.right]);
      } else if (n.matches('input, button, select, textarea, img, svg, [role]')) {
        const r = n.getBoundingClientRect();
        if (inBand(r)) spans.push([r.left, r.right]);
      }
    }
    spans.push([band.left, band.right]);
    return spans.sort((a, b) => a[0] - b[0]);
  }

  /** The free span (left, right) in the switch's line of its row, nearest the switch. */
  function freeSpan(el, row, band) {
    const box = (row ?? el).getBoundingClientRect();
    let best = null;
    let edge = box.left + 4;
    for (const [left, right] of occupiedSpans(row ?? el, band)) {
      if (left - edge >= 24 && right <= band.right + 1) best = [edge, left];
      edge = Math.max(edge, right);
    }
    return { best, box };
  }

  function setText(label, text) {
    if (label.textContent !== text) label.textContent = text;
  }

  /**
   * Moves each label into free space in its switch's row, next to the content left of
   * the switch, so it hides no page text: the longest of its texts that fits there
   * ("AI training: ON (LinkedIn may use your data)", "AI training: ON", "ON"); with no
   * room at all, the longest text above the row. Done in phases (all reads, then all
   * writes) so a page with hundreds of labels is laid out a few times, not once per label.
   */
  function placeAll() {
    const items = [...marked].filter(([, m]) => m.label.isConnected && m.texts?.length).map(([el, m]) => ({ el, m }));
    for (const { m } of items) {
      m.label.style.removeProperty('transform');
      m.label.style.removeProperty('max-width');
      setText(m.label, m.texts[0]);
    }
    for (const it of items) {
      const band = it.el.getBoundingClientRect();
      it.skip = band.width === 0 && band.height === 0; // not rendered (hidden part of the page)
      if (it.skip) continue;
      Object.assign(it, { band }, freeSpan(it.el, it.m.row, band));
      // Widths of the shorter texts, estimated from the longest one's (same font).
      const full = it.m.label.getBoundingClientRect().width;
      const room = it.best ? it.best[1] - it.best[0] - 16 : 0;
      const fits = it.m.texts.findIndex((t, i) => (i === 0 && room >= MIN_GAP) || (full * t.length) / it.m.texts[0].length <= room);
      it.text = it.m.texts[Math.max(fits, 0)];
      it.room = fits >= 0 ? room : null;
    }
    for (const it of items) {
      if (it.skip) continue;
      setText(it.m.label, it.text);
      if (it.room !== null) it.m.label.style.setProperty('max-width', `${Math.floor(it.room)}px`, 'important');
    }
    for (const it of items) if (!it.skip) it.at = it.m.label.getBoundingClientRect(); // static position, final size
    for (const { m, best, box, band, at, room, skip } of items) {
      if (skip) continue;
      const beside = room !== null;
      const x = beside ? best[1] - 8 - at.width : box.right - at.width;
      const y = beside ? band.top + band.height / 2 - at.height / 2 : box.top - at.height - 6;
      m.label.style.setProperty('transform', `translate(${Math.round(x - at.left)}px, ${Math.round(y - at.top)}px)`, 'important');
    }
  }

  // Rows change size when the page's styles or fonts arrive after the first scan:
  // place the labels again then.
  const resizes = new ResizeObserver(() => onResize());

  /** The keyboard shortcut: scroll to the first marked switch and flash every one. */
  function highlightAll() {
    const els = [...marked.keys()].filter((el) => el.isConnected);
    if (els.length > 0) reveal(els[0].getAttribute(ATTR_SETTING));
    for (const el of els) {
      el.setAttribute(ATTR_FLASH, '');
      setTimeout(() => el.removeAttribute(ATTR_FLASH), 2500);
    }
    return els.length;
  }

  function onMessage(msg, sender, sendResponse) {
    if (OptOutMessages.rejectReason(msg, sender, api.runtime) || msg.type !== 'highlight') return false;
    sendResponse({ marked: highlightAll() });
    return false;
  }

  function reveal(setting) {
    const el = [...marked.keys()].find((e) => e.getAttribute(ATTR_SETTING) === setting);
    if (!el) return;
    const calm = matchMedia('(prefers-reduced-motion: reduce)').matches;
    (marked.get(el).row ?? el).scrollIntoView({ block: 'center', behavior: calm ? 'auto' : 'smooth' });
    el.setAttribute(ATTR_FLASH, '');
    setTimeout(() => el.removeAttribute(ATTR_FLASH), 2500);
  }

  /**
   * Guided opt-out: the one click the core decided on, after the person confirmed it in
   * the popup. Only on the element just reported, and only if it still is the switch of
   * that setting in that state; the read-back comes from the re-scan the change causes.
   */
  function clickOnce(elements, { index, setting, state, verifyMs }) {
    const el = elements[index];
    const live = el instanceof HTMLInputElement ? el.checked : el?.getAttribute('aria-checked') === 'true';
    const stillSame = el?.isConnected && el.getAttribute(ATTR_SETTING) === setting && (live ? 'on' : 'off') === state;
    if (!stillSame) {
      console.warn('Opt-Out Lens: the switch changed before the click; not clicked');
      scheduleScan();
      return;
    }
    el.click();
    scheduleScan();
    // A page may undo the change without any event or DOM mutation (a property set by
    // script): keep reading the state until the core's verify time has passed.
    for (let t = 400; t <= verifyMs + 1000; t += 400) setTimeout(scheduleScan, t);
  }

  // ---- scanning -----------------------------------------------------------------------

  async function scan() {
    if (!alive) return;
    if (scanning) {
      rescanWanted = true;
      return;
    }
    scanning = true;
    lastScanAt = performance.now();
    try {
      if (planUrl !== location.href) {
        const url = location.href;
        navigatedAt = performance.now();
        plan = await send({ type: 'plan', url });
        if (!plan) {
          // The background did not answer (e.g. its service worker was stopped): ask
          // again shortly, a bounded number of times.
          if (planRetries++ < 5) setTimeout(scheduleScan, 500);
          return;
        }
        planRetries = 0;
        planUrl = url;
        // Re-scan once the page should have settled, so a switch that never appears is
        // reported as missing rather than still loading.
        clearTimeout(settleTimer);
        if (plan?.scan) settleTimer = setTimeout(scheduleScan, plan.settleMs + 50);
      }
      if (!plan?.scan) {
        applyMarks([], [], []);
        return;
      }
      const elements = [...document.querySelectorAll(plan.candidateSelector)];
      labelsOf = labelIndex();
      const rows = rowsOf(elements, plan.contextLevels);
      const facts = {
        url: location.href,
        elapsedMs: performance.now() - navigatedAt,
        loginForm: document.querySelector(plan.loginFormSelector) !== null,
        dialogOpen: document.querySelector(plan.dialogSelector) !== null,
        candidates: [],
      };
      // Facts in slices, yielding in between, so a page with thousands of switches never
      // holds the main thread for long.
      for (let i = 0; i < elements.length; i++) {
        facts.candidates.push(describe(elements[i], rows[i], plan.maxTextChars));
        if (i % 250 === 249) await yieldToPage();
      }
      const reply = await send({ type: 'scan', facts });
      if (!reply && alive && scanRetries++ < 5) setTimeout(scheduleScan, 500); // unanswered: try again
      if (!reply || !alive || planUrl !== location.href) return;
      scanRetries = 0;
      applyMarks(elements, rows, reply.marks);
      if (reply.reveal) reveal(reply.reveal);
      if (reply.click) clickOnce(elements, reply.click);
    } finally {
      scanning = false;
      if (rescanWanted) {
        rescanWanted = false;
        scheduleScan();
      }
    }
  }

  /**
   * Leading and trailing debounce: the first change after a quiet spell is scanned at
   * once (timers in background tabs are throttled to one a second, which would slow
   * "Check all"), later ones are batched into one trailing scan.
   */
  function yieldToPage() {
    return globalThis.scheduler?.yield ? globalThis.scheduler.yield() : new Promise((r) => setTimeout(r, 0));
  }

  function scheduleScan() {
    const wait = plan?.debounceMs ?? 100;
    clearTimeout(debounceTimer);
    if (!scanning && performance.now() - lastScanAt > wait) {
      lastScanAt = performance.now();
      queueMicrotask(scan);
    } else {
      debounceTimer = setTimeout(scan, wait);
    }
  }

  /** Ignore the DOM changes we make ourselves, or every mark would trigger a re-scan. */
  function isOurs(node) {
    return node.nodeType === Node.ELEMENT_NODE && node.hasAttribute(ATTR_LABEL);
  }
  function relevant(record) {
    if (record.type === 'attributes') return true;
    if (isOurs(record.target) || record.target.parentElement?.hasAttribute(ATTR_LABEL)) return false;
    return [...record.addedNodes, ...record.removedNodes].some((n) => !isOurs(n));
  }

  const observer = new MutationObserver((records) => {
    if (location.href !== planUrl || records.some(relevant)) scheduleScan();
  });

  function onSwitchFlip(event) {
    if (event.target instanceof Element && event.target.getAttribute('role') === 'switch') scheduleScan();
  }

  let resizeTimer = 0;
  function onResize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(placeAll, 50);
  }

  function onNavigate() {
    if (location.href !== planUrl) scheduleScan();
  }

  // ---- lifecycle ----------------------------------------------------------------------

  /** Removes every trace from the page once the extension is disabled or removed. */
  function teardown() {
    if (!alive) return null;
    alive = false;
    observer.disconnect();
    resizes.disconnect();
    clearTimeout(debounceTimer);
    clearTimeout(settleTimer);
    clearInterval(livenessTimer);
    document.removeEventListener('change', onSwitchFlip, true);
    document.removeEventListener('click', onSwitchFlip, true);
    removeEventListener('popstate', onNavigate);
    removeEventListener('resize', onResize);
    try {
      api.runtime.onMessage.removeListener(onMessage);
    } catch {
      // The extension context is gone already.
    }
    for (const el of [...marked.keys()]) unmark(el);
    for (const stray of document.querySelectorAll(`[${ATTR_LABEL}]`)) stray.remove();
    return null;
  }

  const livenessTimer = setInterval(() => gone() && teardown(), 2000);
  try {
    api.runtime.connect({ name: 'content' }).onDisconnect.addListener(() => gone() && teardown());
  } catch {
    teardown();
  }

  observer.observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['aria-checked', 'aria-labelledby', 'aria-label', 'role', 'id'],
  });
  document.addEventListener('change', onSwitchFlip, true);
  document.addEventListener('click', onSwitchFlip, true);
  addEventListener('popstate', onNavigate);
  addEventListener('resize', onResize);
  api.runtime.onMessage.addListener(onMessage);
  globalThis.navigation?.addEventListener?.('navigatesuccess', onNavigate);
  scan();
})();
