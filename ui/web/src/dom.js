// DOM helpers. Log values are attacker-controlled: they only ever reach the
// page as text nodes (textContent), never through innerHTML.

// h creates an element. attrs: class, on* listeners (functions), and other
// attributes (set with setAttribute). Children: nodes, or anything else
// as text; null and false are skipped; arrays are flattened.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

// add appends children to el as h does (text as text nodes; null, false
// and undefined skipped, where Element.append would write "null") and
// returns el.
export function add(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

// s creates an SVG element; attributes are set with setAttribute.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

// clear removes every child of el.
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// num formats an integer with thousands separators.
export function num(n) {
  return Number(n).toLocaleString('en-US');
}

// bytes formats a byte count as 1.2 MB.
export function bytes(n) {
  let f = Number(n);
  for (const u of ['B', 'KB', 'MB', 'GB', 'TB']) {
    if (f < 1000 || u === 'TB') return u === 'B' ? `${f} B` : `${f.toFixed(1)} ${u}`;
    f /= 1000;
  }
}

// cell turns a result value into the text shown in the grid.
export function cell(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
