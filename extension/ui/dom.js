// Building the extension pages' DOM from text nodes only: the History view and the
// objection form's row use these.

/** An element with attributes (skipped when null, undefined or false) and children (text or nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** A button that calls `onClick`. */
export function button(text, attrs, onClick) {
  const b = el('button', { type: 'button', ...attrs }, text);
  b.addEventListener('click', onClick);
  return b;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children; text goes in as text nodes only. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, String(v));
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}
