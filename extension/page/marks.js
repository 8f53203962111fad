// Marks on LinkedIn's page: our attributes on a switch and its row (styled by
// content.css), and one text-only label placed in free space beside the switch, so it
// hides no page text. Used by page/linkedin.js; nothing here decides what a switch is.
'use strict';

globalThis.OptOutMarks ??= (() => {
  const { ATTR_LABEL } = globalThis.OptOutPage;
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
    for (const [k, v] of Object.entries(LABEL_STYLE)) label.style.setProperty(k, v, 'important');
    label.style.setProperty('background', COLOR[look], 'important');
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
    m.label.remove();
    unstyleRow(m.row);
    m.row?.removeAttribute(ATTR_ROW);
    if (m.row) resizes.unobserve(m.row);
    el.removeAttribute(ATTR_SETTING);
    el.removeAttribute(ATTR_STATE);
    el.removeAttribute(ATTR_FLASH);
    marked.delete(el);
  }

  /** Marks `marks` (the core's) on `elements`, with the rows found for them; unmarks the rest. */
  function apply(elements, rows, marks) {
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
        unstyleRow(m.row);
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
      styleInShadow(el, m.label, m.row, look);
      // Longest first; placeAll() shows the longest that fits beside the switch.
      m.texts = mark.labels.map(globalThis.OptOutText.say);
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
  let resizeTimer = 0;
  const resizes = new ResizeObserver(() => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(placeAll, 50);
  });

  /** Removes every mark. */
  function clear() {
    for (const el of [...marked.keys()]) unmark(el);
    clearTimeout(resizeTimer);
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
