// What every page script of the extension needs, whatever site it reads: messages to the
// background with bounded retries, the scan scheduler (plan per URL, leading and trailing
// debounce, a re-scan once the page should have settled), the DOM watch, in-app
// navigation, liveness and teardown, and text collection. It knows no site: each page
// script passes in what to collect and how to mark. A classic script (content scripts
// cannot be modules).
'use strict';

globalThis.OptOutPage ??= (() => {
  const api = globalThis.OptOutApi;
  /** Our own label elements carry this attribute; their text is never page text. */
  const ATTR_LABEL = 'data-optout-label';
  const RETRIES = 5; // unanswered plan or scan requests asked again, 500 ms apart
  const LIVENESS_MS = 2000;
  /** The ends of what may change what the person sees without a DOM change. */
  const SHOWN_EVENTS = ['transitionend', 'animationend'];

  /** Whether the extension went away (disabled, removed, updated). */
  function gone() {
    try {
      return !api.runtime?.id;
    } catch {
      return true;
    }
  }

  /** Our own element (a label we added). */
  function isOurs(node) {
    return node?.nodeType === Node.ELEMENT_NODE && node.hasAttribute(ATTR_LABEL);
  }

  /** The node after `n` and its subtree, in document order, within `root` (or null). */
  function nextOutside(n, root) {
    while (n !== root && !n.nextSibling) n = n.parentNode;
    return n === root ? null : n.nextSibling;
  }

  /**
   * Text of `node` without our own labels, scripts or styles, at most `max` characters.
   * Walked by hand (first child, next sibling): a TreeWalker with a filter calls back into
   * script for every node, which made this the hottest function on big pages.
   */
  function textOf(node, max) {
    if (!node) return '';
    let out = '';
    let n = node.firstChild;
    while (n && out.length <= max) {
      if (n.nodeType === Node.TEXT_NODE) out += n.data + ' ';
      else if (n.nodeType === Node.ELEMENT_NODE && n.firstChild && !isOurs(n) && n.localName !== 'script' && n.localName !== 'style') {
        n = n.firstChild;
        continue;
      }
      n = nextOutside(n, node);
    }
    return out.trim().slice(0, max);
  }

  /** Lets the page run between slices of work on a big page. */
  function yieldToPage() {
    return globalThis.scheduler?.yield ? globalThis.scheduler.yield() : new Promise((r) => setTimeout(r, 0));
  }

  /** A record of a DOM change worth a re-scan: anything but our own labels changing. */
  function relevant(record) {
    const target = record.target;
    if (isOurs(target) || isOurs(target.parentElement)) return false;
    if (record.type !== 'childList') return true;
    for (const n of record.addedNodes) if (!isOurs(n)) return true;
    for (const n of record.removedNodes) if (!isOurs(n)) return true;
    return false;
  }

  /**
   * Runs a page script. `script`:
   * - `port`: name of the port that tells the script when the extension goes away;
   * - `wanted(url)`: whether this URL may need the script at all; where it does not,
   *   nothing runs but a watch for in-app navigation (no observer, no timer, no message);
   * - `planFor(url)`: the plan for the URL (`{scan, debounceMs, settleMs, ...}`), or null
   *   when the background did not answer (asked again, a bounded number of times);
   * - `collect(plan, {elapsedMs, watch})`: the facts, as `{message, elements}`; `watch(root)`
   *   adds a document or shadow root to the DOM watch;
   * - `apply(reply, collected, plan)`: marks from the background's reply;
   * - `clear()`: removes every mark;
   * - `watchOptions`: MutationObserver options for the documents watched;
   * - `rescanOn(event)` (optional): whether a transition or animation that ended changed
   *   what the person sees (a copy faded out or in without any DOM change): then re-scan;
   * - `onMessage(msg, sendResponse)`: messages from the background (checked first).
   * Returns `{scheduleScan, alive}`.
   */
  function start(script) {
    let active = false;
    let alive = true;
    let plan = null;
    let planUrl = null;
    let navigatedAt = performance.now();
    let planRetries = 0;
    let scanRetries = 0;
    let debounceTimer = 0;
    let settleTimer = 0;
    let livenessTimer = 0;
    let lastScanAt = -Infinity;
    let scanning = false;
    let rescanWanted = false;
    let port = null;
    const watched = new Set(); // documents and shadow roots under our observer
    const later = []; // one-shot timers to clear on teardown

    function after(ms, fn) {
      const id = setTimeout(() => {
        later.splice(later.indexOf(id), 1);
        fn();
      }, ms);
      later.push(id);
    }

    async function send(msg) {
      if (gone()) return teardown();
      try {
        const reply = await api.runtime.sendMessage(msg);
        const problem = globalThis.OptOutMessages.replyReason(msg.type, reply);
        if (problem) console.warn('Opt-Out Lens:', msg.type, problem);
        return problem ? null : reply;
      } catch (e) {
        if (gone()) teardown();
        else console.warn('Opt-Out Lens: message failed:', e?.message ?? e);
        return null;
      }
    }

    async function scan() {
      if (!alive || !active) return;
      if (scanning) {
        rescanWanted = true;
        return;
      }
      scanning = true;
      lastScanAt = performance.now();
      try {
        const url = location.href;
        if (planUrl !== url) {
          const next = await script.planFor(url, send);
          if (!next) {
            // The background did not answer (e.g. its service worker was stopped): ask
            // again shortly, a bounded number of times. The URL is not planned yet.
            if (planRetries++ < RETRIES) after(500, scheduleScan);
            return;
          }
          plan = next;
          planRetries = 0;
          planUrl = url;
          navigatedAt = performance.now();
          // Re-scan once the page should have settled, so a switch that never appears is
          // reported as missing rather than still loading.
          clearTimeout(settleTimer);
          if (plan.scan && plan.settleMs != null) settleTimer = setTimeout(scheduleScan, plan.settleMs + 50);
        }
        if (!plan.scan) {
          script.clear();
          return;
        }
        const collected = await script.collect(plan, { elapsedMs: performance.now() - navigatedAt, watch });
        if (!alive || !collected) return;
        const reply = collected.reply ?? (await send(collected.message));
        if (!reply) {
          if (alive && scanRetries++ < RETRIES) after(500, scheduleScan); // unanswered: try again
          return;
        }
        if (!alive || planUrl !== location.href) return;
        scanRetries = 0;
        script.apply(reply, collected, plan);
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
    function scheduleScan() {
      if (!alive || !active) return;
      const wait = plan?.debounceMs ?? 100;
      clearTimeout(debounceTimer);
      if (!scanning && performance.now() - lastScanAt > wait) {
        lastScanAt = performance.now();
        queueMicrotask(scan);
      } else {
        debounceTimer = setTimeout(scan, wait);
      }
    }

    const observer = new MutationObserver((records) => {
      if (location.href !== planUrl) return onNavigate();
      for (const r of records) if (relevant(r)) return scheduleScan();
    });

    /** Adds a document or (open) shadow root to the DOM watch. */
    function watch(root) {
      if (watched.has(root)) return;
      watched.add(root);
      observer.observe(root, script.watchOptions);
      root.addEventListener('change', onSwitchFlip, true);
      root.addEventListener('click', onSwitchFlip, true);
      if (script.rescanOn) for (const type of SHOWN_EVENTS) root.addEventListener(type, onShownChange, { capture: true, passive: true });
    }

    function onSwitchFlip() {
      scheduleScan();
    }

    function onShownChange(e) {
      if (script.rescanOn(e)) scheduleScan();
    }

    function onMessage(msg, sender, sendResponse) {
      if (globalThis.OptOutMessages.rejectReason(msg, sender, api.runtime)) return false;
      return script.onMessage?.(msg, sendResponse) ?? false;
    }

    /** The script starts working on a wanted URL: observer, port, liveness, listeners. */
    function activate() {
      if (active || !alive) return;
      active = true;
      try {
        port = api.runtime.connect({ name: script.port });
        port.onDisconnect.addListener(() => gone() && teardown());
      } catch {
        return teardown();
      }
      livenessTimer = setInterval(() => gone() && teardown(), LIVENESS_MS);
      api.runtime.onMessage.addListener(onMessage);
      watch(document.documentElement);
      scan();
    }

    /** Back to idle on a URL that needs nothing: every mark and every watch removed. */
    function deactivate() {
      if (!active) return;
      active = false;
      stopWork();
      try {
        port?.disconnect();
        api.runtime.onMessage.removeListener(onMessage);
      } catch {
        // The extension context is gone already.
      }
      port = null;
      planUrl = null;
      plan = null;
    }

    function stopWork() {
      observer.disconnect();
      for (const root of watched) {
        try {
          root.removeEventListener('change', onSwitchFlip, true);
          root.removeEventListener('click', onSwitchFlip, true);
          for (const type of SHOWN_EVENTS) root.removeEventListener(type, onShownChange, true);
        } catch {
          // A frame or shadow host that is gone.
        }
      }
      watched.clear();
      clearTimeout(debounceTimer);
      clearTimeout(settleTimer);
      clearInterval(livenessTimer);
      for (const id of later.splice(0)) clearTimeout(id);
      script.clear();
    }

    /** In-app navigation (pushState, history): start, stop or re-plan. */
    function onNavigate() {
      if (!alive) return;
      const wanted = script.wanted(location.href);
      if (wanted && !active) activate();
      else if (!wanted && active) deactivate();
      else if (active && location.href !== planUrl) scheduleScan();
    }

    // A click may start in-app navigation, which no event announces where the Navigation
    // API is missing: look at the URL once the page has handled it, and once more after
    // a router that loads data first. Only while idle; active, the observer sees it.
    function onAnyClick() {
      if (active) return;
      setTimeout(onNavigate, 0);
      setTimeout(onNavigate, 400);
    }

    /** Removes every trace from the page once the extension is disabled or removed. */
    function teardown() {
      if (!alive) return null;
      stopWork();
      alive = false;
      active = false;
      removeEventListener('popstate', onNavigate);
      removeEventListener('hashchange', onNavigate);
      globalThis.navigation?.removeEventListener?.('currententrychange', onNavigate);
      document.removeEventListener('click', onAnyClick, true);
      try {
        api.runtime.onMessage.removeListener(onMessage);
      } catch {
        // The extension context is gone already.
      }
      for (const stray of document.querySelectorAll(`[${ATTR_LABEL}]`)) stray.remove();
      return null;
    }

    addEventListener('popstate', onNavigate);
    addEventListener('hashchange', onNavigate);
    // pushState and replaceState change the current entry without any other event.
    globalThis.navigation?.addEventListener?.('currententrychange', onNavigate);
    document.addEventListener('click', onAnyClick, { capture: true, passive: true });
    if (script.wanted(location.href)) activate();

    return { scheduleScan, isAlive: () => alive, after };
  }

  return Object.freeze({ ATTR_LABEL, start, textOf, nextOutside, isOurs, yieldToPage });
})();
