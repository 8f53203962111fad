// The Entra content script: plain JavaScript with no knowledge of the portals. Registered
// at run time (scripting.registerContentScripts, all frames) only once the person has
// granted the optional host permissions for the Microsoft Entra admin center, the Azure
// portal and the hosts of their blade frames. It asks the core (through the background)
// what to look for on this URL, reports plain facts about every radio group in its frame
// and the same-origin frames below it (and which frames below it could not be read: they
// run their own copy and answer for themselves), and applies the marks the core returns.
// Which frame holds the setting is for the core to tell from those facts. Page text is
// only read; our own text only ever goes into text nodes. Nothing on the page is ever
// clicked or changed.
'use strict';

(() => {
  if (globalThis.__optOutLensEntra) return; // Injected twice: keep one.
  globalThis.__optOutLensEntra = true;

  const ATTR_STATE = 'data-optout-entra'; // on the radio group: yes | selected-group | no | unknown
  const ATTR_LOOK = 'data-optout-entra-look'; // protective | exposed | unknown (the outline)
  const COLORS = { protective: '#1e7d32', exposed: '#b3261e', unknown: '#6b6b6b' };

  const isTop = window === window.top;
  // A frame whose parent is readable (same origin) is scanned by the script of the
  // highest such frame above it, so one scan sees the whole blade and one answer is
  // given per tab. Cross-origin frames of the portals scan themselves.
  if (!isTop) {
    let parentReadable = false;
    try {
      parentReadable = !!window.parent.document;
    } catch {
      parentReadable = false;
    }
    if (parentReadable) return;
  }

  const { textOf, isOurs, ATTR_LABEL } = globalThis.OptOutPage;
  let plan = null; // the plan of the latest scan, for the helpers below
  let lastKey = null; // the facts last reported (without the clock), and the reply to them
  let lastReply = null;
  const marked = new Map(); // group element -> { label, outline: [value, priority], offset: [value, priority] }
  const frameDocs = new WeakSet(); // documents whose frame loads we listen to

  // ---- collecting facts -------------------------------------------------------------

  /**
   * This frame's document and the same-origin documents of the frames below it (`docs`),
   * and the frames below that could not be read (`unread`: their address and whether they
   * take up room on the page).
   */
  function documents() {
    const docs = [document];
    const unread = [];
    for (let i = 0; i < docs.length && docs.length < plan.maxFrames; i++) {
      for (const frame of docs[i].querySelectorAll(plan.frameSelector)) {
        let doc = null;
        try {
          doc = frame.contentDocument; // null for a cross-origin or sandboxed frame
        } catch {
          doc = null;
        }
        if (doc?.documentElement) {
          if (!docs.includes(doc)) docs.push(doc);
        } else if (unread.length < plan.maxFrames) {
          const box = frame.getBoundingClientRect();
          unread.push({ url: String(frame.src ?? '').slice(0, 2048), visible: box.width > 0 && box.height > 0 });
        }
        if (docs.length >= plan.maxFrames) break;
      }
    }
    return { docs, unread };
  }

  function idsText(el, doc, max) {
    const ids = (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
    return ids.map((id) => textOf(doc.getElementById(id), max)).join(' ').trim().slice(0, max);
  }

  /** The radios that belong to `group` itself, not to a group nested in it. */
  function radiosOf(group) {
    const own = [];
    for (const r of group.querySelectorAll(plan.radioSelector)) {
      if (r.parentElement?.closest(plan.groupSelector) !== group) continue;
      own.push(r);
      if (own.length >= plan.maxRadios) break;
    }
    return own;
  }

  function radioLabel(r, max) {
    const doc = r.ownerDocument;
    if (r.localName === 'input' && r.labels && r.labels.length > 0) {
      return [...r.labels].map((l) => textOf(l, max)).join(' ').trim().slice(0, max);
    }
    return idsText(r, doc, max) || (r.getAttribute('aria-label') ?? '').trim().slice(0, max) || (r.localName === 'input' ? '' : textOf(r, max));
  }

  /** The caption inside a group: the first caption element of its own holding no radio. */
  function innerCaption(group, max) {
    for (const c of group.querySelectorAll(plan.captionSelector)) {
      if (c.closest(plan.groupSelector) !== group || c.querySelector(plan.radioSelector) || isOurs(c)) continue;
      const t = textOf(c, max);
      if (t) return t;
    }
    return '';
  }

  /** The nearest text just before the group, looking a few ancestors up; too long is none. */
  function precedingCaption(group, max) {
    let node = group;
    for (let level = 0; node && level <= plan.captionLevels; level++, node = node.parentElement) {
      for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
        if (isOurs(sib)) continue;
        const t = textOf(sib, max + 1);
        if (!t) continue;
        return t.length > max || sib.querySelector(plan.radioSelector) ? '' : t;
      }
    }
    return '';
  }

  function describe(group, max) {
    const doc = group.ownerDocument;
    const labels = [
      idsText(group, doc, max),
      (group.getAttribute('aria-label') ?? '').trim().slice(0, max),
      innerCaption(group, max),
      precedingCaption(group, max),
    ];
    // Only the first non-empty one is the caption; later ones are sent for diagnosis.
    return {
      labels: labels.filter((t) => t !== ''),
      radios: radiosOf(group).map((r) => ({
        label: radioLabel(r, max),
        // Which is selected is the core's to read from these.
        checked: r.localName === 'input' ? r.checked : null,
        ariaChecked: r.getAttribute('aria-checked'),
      })),
    };
  }

  // ---- marking ------------------------------------------------------------------------

  function styleLabel(label, look) {
    const set = (k, v) => label.style.setProperty(k, v, 'important');
    set('display', 'block');
    set('width', 'max-content');
    set('max-width', '100%');
    set('box-sizing', 'border-box');
    set('margin', '4px 0');
    set('padding', '2px 6px');
    set('border-radius', '4px');
    set('font', '600 12px/1.35 system-ui, sans-serif');
    set('letter-spacing', '0');
    set('text-transform', 'none');
    set('white-space', 'normal');
    set('pointer-events', 'none');
    set('color', '#fff');
    set('background', COLORS[look] ?? COLORS.unknown);
  }

  function unmark(group) {
    const m = marked.get(group);
    if (!m) return;
    m.label.remove();
    group.removeAttribute(ATTR_STATE);
    group.removeAttribute(ATTR_LOOK);
    // Give the group back its own inline outline, if it had one.
    group.style.setProperty('outline', m.outline[0], m.outline[1]);
    group.style.setProperty('outline-offset', m.offset[0], m.offset[1]);
    if (group.getAttribute('style') === '') group.removeAttribute('style');
    marked.delete(group);
  }

  function applyMarks(groups, marks) {
    const keep = new Set();
    for (const mark of marks) {
      const group = groups[mark.index];
      if (!group || !group.isConnected) continue;
      keep.add(group);
      let m = marked.get(group);
      if (!m || !m.label.isConnected) {
        if (m) unmark(group);
        const label = group.ownerDocument.createElement('span');
        label.setAttribute(ATTR_LABEL, '');
        label.setAttribute('role', 'note');
        // After the group, so it never becomes part of the group's name or a radio's label.
        group.after(label);
        m = {
          label,
          outline: [group.style.getPropertyValue('outline'), group.style.getPropertyPriority('outline')],
          offset: [group.style.getPropertyValue('outline-offset'), group.style.getPropertyPriority('outline-offset')],
        };
        marked.set(group, m);
      }
      const look = COLORS[mark.look] ? mark.look : 'unknown';
      group.setAttribute(ATTR_STATE, mark.state);
      group.setAttribute(ATTR_LOOK, look);
      group.style.setProperty('outline', `3px ${look === 'protective' ? 'dashed' : 'solid'} ${COLORS[look]}`, 'important');
      group.style.setProperty('outline-offset', '3px', 'important');
      m.label.setAttribute(ATTR_LABEL, look);
      styleLabel(m.label, look);
      const text = OptOutText.say(mark.label);
      if (m.label.textContent !== text) m.label.textContent = text;
    }
    for (const group of [...marked.keys()]) if (!keep.has(group)) unmark(group);
  }

  // ---- scanning -----------------------------------------------------------------------

  async function collect(nextPlan, { elapsedMs, watch }) {
    plan = nextPlan;
    const { docs, unread } = documents();
    for (const doc of docs) {
      watch(doc.documentElement);
      if (!frameDocs.has(doc)) {
        frameDocs.add(doc);
        doc.addEventListener('load', () => page.scheduleScan(), true); // a frame below finished loading
      }
    }
    const groups = [];
    for (const doc of docs) {
      for (const g of doc.querySelectorAll(plan.groupSelector)) {
        if (groups.length >= plan.maxGroups) break;
        groups.push(g);
      }
    }
    const facts = {
      url: location.href,
      top: isTop,
      elapsedMs,
      signedOut: docs.some((d) => d.querySelector(plan.signedOutSelector) !== null),
      groups: groups.map((g) => describe(g, plan.maxTextChars)),
      frames: unread,
    };
    // The same facts as last time (the clock only counts as settled or not): the same
    // answer, without asking again; the marks are still re-applied, as the page may have
    // replaced the elements.
    const key = JSON.stringify({ ...facts, elapsedMs: elapsedMs >= plan.settleMs });
    const reply = key === lastKey ? lastReply : null;
    return { message: { type: 'entra-scan', facts }, groups, key, reply };
  }

  function apply(reply, { groups, key }) {
    lastKey = key;
    lastReply = reply;
    applyMarks(groups, Array.isArray(reply.marks) ? reply.marks : []);
  }

  const page = globalThis.OptOutPage.start({
    port: 'entra',
    wanted: () => true, // registered only on the portals' hosts, only while granted
    async planFor(url, send) {
      const next = await send({ type: 'entra-plan', url });
      if (!next) return null;
      lastKey = null;
      // Only where the core says a missing setting may be reported (the settings page, a
      // blade frame) is the page scanned again once it should have settled.
      return { ...next, settleMs: next.settles ? next.settleMs : null };
    },
    collect,
    apply,
    clear: () => applyMarks([], []),
    watchOptions: {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['aria-checked', 'checked', 'aria-labelledby', 'aria-label', 'role', 'class', 'hidden', 'id', 'src'],
    },
  });
})();
