// Marks on LinkedIn's page: our attributes on a switch and its row (styled by
// content.css), and one text-only label placed in free space beside the switch, so it
// hides no page text. Used by page/linkedin.js; nothing here decides what a switch is.
'use strict';

globalThis.OptOutMarks ??= (() => {
  const { ATTR_LABEL, nextOutside } = globalThis.OptOutPage;
  const ATTR_SETTING = 'data-optout-setting';
  const ATTR_STATE = 'data-optout-state';
  const ATTR_ROW = 'data-optout-row';
  const ATTR_FLASH = 'data-optout-flash';
  const marked = new Map(); // switch element -> { label, row, texts }

  /** Where our label goes: after the switch, or after the <label> wrapping it, so it
   *  never becomes part of the switch's accessible name or click target. */
  function labelAnchor(el) {
    const wrapping = el.closest('label');
    return wrapping && wrapping !== el ? wrapping : el;
  }

  // content.css does not reach into a shadow root: there the marks are styled inline,
  // with the same values and !important, so the page's own rules cannot hide them.
  const LABEL_STYLE = {
    position: 'absolute', 'z-index': '2147483646', 'pointer-events': 'none', margin: '0', width: 'max-content',
    'max-width': '22em', padding: '2px 6px', 'border-radius': '4px', font: '600 12px/1.35 system-ui, sans-serif',
    'letter-spacing': '0', 'text-transform': 'none', 'white-space': 'normal', color: '#fff',
    'box-shadow': '0 1px 3px rgba(0, 0, 0, 0.35)',
  };
  const COLOR = { exposed: '#b3261e', protective: '#1e7d32' };
  const inShadow = (node) => node.getRootNode() instanceof ShadowRoot;

  function styleInShadow(el, label, row, look) {
    if (!inShadow(el)) return;
    if (label) {
      for (const [k, v] of Object.entries(LABEL_STYLE)) label.style.setProperty(k, v, 'important');
      label.style.setProperty('background', COLOR[look], 'important');
    }
    row?.style.setProperty('outline', `3px ${look === 'protective' ? 'dashed' : 'solid'} ${COLOR[look]}`, 'important');
    row?.style.setProperty('outline-offset', '3px', 'important');
  }

  function unstyleRow(row) {
    if (!row || !inShadow(row)) return;
    row.style.removeProperty('outline');
    row.style.removeProperty('outline-offset');
  }

  function unmark(el) {
    const m = marked.get(el);
    if (!m) return;
    m.label?.remove();
    unstyleRow(m.row);
    m.row?.removeAttribute(ATTR_ROW);
    if (m.row) resizes.unobserve(m.row);
    el.removeAttribute(ATTR_SETTING);
    el.removeAttribute(ATTR_STATE);
    el.removeAttribute(ATTR_FLASH);
    marked.delete(el);
  }

  /**
   * Marks `marks` (the core's) on `elements`, with the rows found for them; unmarks the
   * rest. The page is written in slices (placeAll), so hundreds of marks never hold the
   * main thread long.
   */
  function apply(elements, rows, marks) {
    const keep = new Set();
    const changed = new Set(); // labels to place again: new, new text or new row
    for (const mark of marks) {
      const el = elements[mark.index];
      if (!el) continue;
      keep.add(el);
      let m = marked.get(el);
      if (m?.label && !m.label.isConnected) {
        unmark(el); // the page re-rendered around it
        m = null;
      }
      if (!m) {
        // The label element itself is added when it is placed (in slices).
        m = { label: null, row: null };
        marked.set(el, m);
        changed.add(el);
      }
      const row = rows[mark.index].row;
      if (m.row && m.row !== row) {
        unstyleRow(m.row);
        m.row.removeAttribute(ATTR_ROW);
        resizes.unobserve(m.row);
        changed.add(el);
      }
      const look = mark.protective ? 'protective' : 'exposed';
      // Longest first; placeAll() shows the longest that fits beside the switch.
      const texts = mark.labels.map(globalThis.OptOutText.say);
      // Written (in slices) only when different: a re-scan that finds the same leaves the page alone.
      if (el.getAttribute(ATTR_SETTING) !== mark.setting || el.getAttribute(ATTR_STATE) !== mark.state ||
        (row && row.getAttribute(ATTR_ROW) !== look) || texts.join('\n') !== m.texts?.join('\n')) changed.add(el);
      Object.assign(m, { row, setting: mark.setting, state: mark.state, look, texts });
    }
    for (const el of [...marked.keys()]) if (!keep.has(el)) unmark(el);
    placeAll(changed);
  }

  function setAttr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  // ---- placing the label ----------------------------------------------------------

  const MIN_GAP = 140; // narrowest free space (px) the longest label may wrap into

  const CONTROLS = 'input, button, select, textarea, img, svg, [role]';

  /**
   * Horizontal spans taken by the row's text and controls in the switch's line. Walked by
   * hand, skipping every element whose box lies wholly above or below that line (its
   * text cannot be in it): rows with long help texts were the costliest part of marking
   * a big page (a filtered TreeWalker calls into script for every node, and every text
   * node was measured).
   */
  function occupiedSpans(row, band) {
    const spans = [];
    const crosses = (r) => r.bottom > band.top + 1 && r.top < band.bottom - 1;
    const range = document.createRange();
    let n = row.firstChild;
    for (let seen = 0; n && seen < 2000; seen++) {
      let inside = false;
      if (n.nodeType === Node.TEXT_NODE) {
        if (n.data.trim()) {
          range.selectNodeContents(n);
          for (const r of range.getClientRects()) if (r.width > 0 && crosses(r)) spans.push([r.left, r.right]);
        }
      } else if (n.nodeType === Node.ELEMENT_NODE && !n.hasAttribute(ATTR_LABEL)) {
        const r = n.getBoundingClientRect();
        // A box of no height (display: contents, a collapsed wrapper) may still hold text
        // in the line: look inside it.
        inside = r.height === 0 || crosses(r);
        if (inside && r.width > 0 && n.matches(CONTROLS)) spans.push([r.left, r.right]);
      }
      n = inside && n.firstChild ? n.firstChild : nextOutside(n, row);
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

  const SLICE = 40; // labels placed per task: a page with hundreds never holds the main thread long
  const pending = new Set(); // switches whose label is still to be placed
  let placing = null; // the slices being worked through

  /**
   * Moves each label (of `els`, default all) into free space in its switch's row, next
   * to the content left of the switch, so it hides no page text: the longest of its
   * texts that fits there ("AI training: ON (LinkedIn may use your data)", "AI training:
   * ON", "ON"); with no room at all, the longest text above the row. In slices of
   * labels, yielding to the page in between; each slice in phases (all reads, then all
   * writes), so it is laid out a few times, not once per label.
   */
  function placeAll(els = marked.keys()) {
    for (const el of els) pending.add(el);
    placing ??= drain().finally(() => {
      placing = null;
      if (pending.size) placeAll([]);
    });
  }

  async function drain() {
    while (pending.size > 0) {
      const slice = [];
      for (const el of pending) {
        pending.delete(el);
        slice.push({ el, m: marked.get(el) });
        if (slice.length === SLICE) break;
      }
      const live = slice.filter(({ m }) => m);
      for (const { el, m } of live) {
        setAttr(el, ATTR_SETTING, m.setting);
        setAttr(el, ATTR_STATE, m.state);
        if (m.row) {
          setAttr(m.row, ATTR_ROW, m.look);
          resizes.observe(m.row);
        }
        if (m.label) setAttr(m.label, ATTR_LABEL, m.look);
        styleInShadow(el, m.label, m.row, m.look);
      }
      place(live.filter(({ m }) => (!m.label || m.label.isConnected) && m.texts?.length));
      if (pending.size > 0) await globalThis.OptOutPage.yieldToPage();
    }
  }

  function place(items) {
    for (const { el, m } of items) {
      if (!m.label) {
        m.label = document.createElement('span');
        m.label.setAttribute(ATTR_LABEL, m.look);
        m.label.setAttribute('role', 'note');
        styleInShadow(el, m.label, m.row, m.look);
        labelAnchor(el).after(m.label);
      }
      m.label.style.removeProperty('transform');
      m.label.style.removeProperty('max-width');
      setText(m.label, m.texts[0]);
    }
    for (const it of items) {
      const band = it.el.getBoundingClientRect();
      it.skip = band.width === 0 && band.height === 0; // not rendered (hidden part of the page)
      if (it.skip) continue;
      Object.assign(it, { band }, freeSpan(it.el, it.m.row, band));
      if (it.m.row) placedAt.set(it.m.row, sizeKey(it.box.width, it.box.height));
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
  // place their labels again then. Not for the first report of each row (a resize
  // observer always reports once), when the row still has the size its label was
  // placed at.
  const placedAt = new WeakMap(); // row -> its size when its label was last placed
  const sizeKey = (w, h) => `${Math.round(w * 10)}x${Math.round(h * 10)}`;
  const resized = new Set();
  let resizeTimer = 0;
  const resizes = new ResizeObserver((entries) => {
    for (const e of entries) {
      const box = e.borderBoxSize?.[0];
      if (!box || placedAt.get(e.target) !== sizeKey(box.inlineSize, box.blockSize)) resized.add(e.target);
    }
    if (resized.size === 0) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      placeAll([...marked].filter(([, m]) => resized.has(m.row)).map(([el]) => el));
      resized.clear();
    }, 50);
  });

  /** Removes every mark. */
  function clear() {
    for (const el of [...marked.keys()]) unmark(el);
    clearTimeout(resizeTimer);
    resized.clear();
    pending.clear(); // a placement still running stops
  }

  /** Draws the eye to a marked switch for a moment. */
  function flash(el) {
    if (!marked.has(el)) return;
    el.setAttribute(ATTR_FLASH, '');
    // In a shadow root content.css's animation does not apply: a steady ring instead.
    if (inShadow(el)) el.style.setProperty('box-shadow', '0 0 0 6px rgba(255, 193, 7, 0.9)', 'important');
    setTimeout(() => {
      el.removeAttribute(ATTR_FLASH);
      if (inShadow(el)) el.style.removeProperty('box-shadow');
    }, 2500);
  }

  return Object.freeze({ apply, clear, flash, rowOf: (el) => marked.get(el)?.row ?? null });
})();
