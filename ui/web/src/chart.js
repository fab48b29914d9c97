// Quick charts of a result: a line over time when the first column is a
// time, else bars of the first text column by the first numeric one.
import { h, s, num } from './dom.js';

const TIME = /TIMESTAMP|DATE/;
const NUMERIC = /INT|DOUBLE|FLOAT|DECIMAL|REAL|HUGEINT/;

export function chart(columns, rows) {
  const x = columns.findIndex((c) => TIME.test(c.type));
  const y = columns.findIndex((c) => NUMERIC.test(c.type));
  if (y < 0 || rows.length === 0) return h('p', { class: 'muted' }, 'Nothing to chart: the result needs a numeric column.');
  if (x >= 0) return timeChart(rows, x, y, columns[y].name);
  const label = columns.findIndex((c, i) => i !== y && !NUMERIC.test(c.type));
  return barChart(rows.slice(0, 30), label < 0 ? null : label, y, columns[y].name);
}

function timeChart(rows, x, y, name) {
  const pts = rows.map((r) => [Date.parse(r[x]), Number(r[y])]).filter((p) => !isNaN(p[0]) && !isNaN(p[1])).sort((a, b) => a[0] - b[0]);
  const W = 760, H = 180, P = 30;
  const x0 = pts[0][0], x1 = pts[pts.length - 1][0] || x0 + 1, ymax = Math.max(1, ...pts.map((p) => p[1]));
  const sx = (t) => P + ((t - x0) / Math.max(1, x1 - x0)) * (W - 2 * P);
  const sy = (v) => H - P - (v / ymax) * (H - 2 * P);
  const d = pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
  return s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' },
    s('path', { d, class: 'line' }),
    s('text', { x: P, y: 14, class: 'axis' }, `${name} (max ${num(ymax)})`),
    s('text', { x: P, y: H - 8, class: 'axis' }, new Date(x0).toISOString().slice(0, 16)),
    s('text', { x: W - P, y: H - 8, class: 'axis', 'text-anchor': 'end' }, new Date(x1).toISOString().slice(0, 16)));
}

function barChart(rows, label, y, name) {
  const W = 760, row = 18, H = rows.length * row + 10, L = 260;
  const ymax = Math.max(1, ...rows.map((r) => Number(r[y]) || 0));
  return s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': name },
    rows.map((r, i) => {
      const v = Number(r[y]) || 0;
      const text = label === null ? String(i + 1) : String(r[label] ?? 'NULL');
      return s('g', {},
        s('text', { x: L - 6, y: i * row + 13, class: 'axis', 'text-anchor': 'end' }, text.length > 40 ? text.slice(0, 39) + '…' : text),
        s('rect', { x: L, y: i * row + 2, width: Math.max(1, (v / ymax) * (W - L - 70)), height: row - 4, class: 'bar' }),
        s('text', { x: L + (v / ymax) * (W - L - 70) + 4, y: i * row + 13, class: 'axis' }, num(v)));
    }));
}
