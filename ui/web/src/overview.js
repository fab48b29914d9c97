// The overview: totals, requests and errors over time (drag across the
// chart to narrow every panel to that window), status classes and top
// lists; every entry is a link that filters the rest.
import { add, h, s, clear, num, bytes } from './dom.js';
import { get } from './api.js';

const TOPS = [['bucket', 'Buckets'], ['operation', 'Operations'], ['requester', 'Requesters'],
  ['remoteip', 'Remote IPs'], ['useragent', 'User agents'], ['errorcode', 'Error codes']];
const FILTERS = ['since', 'until', 'status', ...TOPS.map((t) => t[0])];

export async function overview(view, params, nav) {
  const filter = {};
  for (const k of FILTERS) if (params.has(k)) filter[k] = params.get(k);
  const link = (changes) => {
    const p = new URLSearchParams(filter);
    for (const [k, v] of Object.entries(changes)) { if (v === null) p.delete(k); else p.set(k, v); }
    return '#/overview?' + p.toString();
  };
  clear(view).appendChild(h('p', { class: 'muted' }, 'Loading…'));
  const o = await get('/api/overview', filter);
  const t = o.totals;
  clear(view);
  const chips = Object.entries(filter).map(([k, v]) => h('a', { class: 'chip', href: link({ [k]: null }), title: 'Remove this filter' }, `${k} = ${v} ✕`));
  add(view, 
    h('h1', {}, 'Overview'),
    h('div', { class: 'filters' }, chips.length ? chips : h('span', { class: 'muted' }, 'All events. Drag across the chart to narrow the time window; click an entry to filter.'),
      chips.length ? h('a', { href: '#/overview', class: 'chip clearall' }, 'Clear all') : null),
    h('div', { class: 'cards' },
      card('Requests', num(t.requests), 'requests'), card('Errors (4xx/5xx)', num(t.errors), 'errors'),
      card('Buckets', num(t.buckets), 'buckets'), card('Requesters', num(t.requesters), 'requesters'),
      card('Remote IPs', num(t.ips), 'ips'), card('Bytes sent', bytes(t.bytes_sent), 'bytes'),
      card('Rejected lines', num(o.rejects), 'rejects', '#/rejects')),
    h('p', { class: 'muted' }, t.first ? `From ${t.first} to ${t.last} (UTC)` : 'No events.'),
    h('h2', {}, 'Requests and errors over time'),
    timeChart(o.series || [], o.step_seconds, (since, until) => nav(link({ since, until }))),
    h('h2', {}, 'Status classes'),
    h('div', { class: 'statusrow' }, o.status.map((c) => c.value === null
      ? h('span', { class: 'pill' }, `none: ${num(c.n)}`)
      : h('a', { class: 'pill s' + c.value[0], href: link({ status: c.value }), 'data-status': c.value }, `${c.value}: ${num(c.n)}`))),
    h('div', { class: 'tops' }, TOPS.map(([col, title]) => topList(col, title, o.top[col] || [], t.requests, link))));
}

function card(label, value, key, href) {
  const body = [h('span', {}, label), h('b', { 'data-total': key }, value)];
  return href ? h('a', { class: 'card', href }, body) : h('div', { class: 'card' }, body);
}

function topList(col, title, entries, total, link) {
  return h('section', { class: 'top', 'data-top': col },
    h('h2', {}, title),
    h('table', {}, h('tbody', {}, entries.length ? entries.map((e) => h('tr', {},
      h('td', { class: 'v' }, e.value === null ? h('span', { class: 'null' }, '(none)')
        : h('a', { href: link({ [col]: e.value }), title: `Filter on ${col} = ${e.value}` }, e.value)),
      h('td', { class: 'n', 'data-n': e.n }, num(e.n)),
      h('td', { class: 'bar' }, barfill((100 * e.n) / Math.max(1, total))),
      h('td', { class: 'n muted' }, bytes(e.bytes)))) : h('tr', {}, h('td', { class: 'muted' }, 'none')))));
}

// timeChart draws the series as bars (errors in red over requests) with a
// brush: drag to pick a window, which is handed to onBrush as RFC 3339.
function timeChart(series, step, onBrush) {
  if (!series.length) return h('p', { class: 'muted' }, 'No events in this window.');
  const W = 1000, H = 180, P = 0;
  const t0 = Date.parse(series[0].t), t1 = Date.parse(series[series.length - 1].t) + step * 1000;
  const max = Math.max(1, ...series.map((p) => p.requests));
  const sx = (t) => P + ((t - t0) / (t1 - t0)) * (W - 2 * P);
  const sy = (v) => ((H - 4) * v) / max;
  const bw = Math.max(1, sx(t0 + step * 1000) - sx(t0) - 1);
  const sel = s('rect', { class: 'brush', x: 0, y: 0, width: 0, height: H, visibility: 'hidden' });
  const bar = (cls, x, v) => {
    const hh = v > 0 ? Math.max(1.5, sy(v)) : 0;
    return s('rect', { class: cls, x: x.toFixed(1), y: (H - hh).toFixed(1), width: bw.toFixed(1), height: hh.toFixed(1) });
  };
  // preserveAspectRatio none: the chart fills its box, and a mouse x maps
  // linearly onto time; the labels are HTML so they are not stretched.
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'timechart', role: 'img', 'aria-label': 'Requests and errors over time; drag to narrow' },
    series.map((p) => {
      const x = sx(Date.parse(p.t));
      return s('g', {}, s('title', {}, `${p.t}: ${p.requests} requests, ${p.errors} errors`), bar('req', x, p.requests), bar('err', x, p.errors));
    }),
    sel);
  const labels = h('div', { class: 'axisrow' },
    h('span', {}, series[0].t.slice(0, 16).replace('T', ' ')),
    h('span', {}, `max ${num(max)} requests per ${stepName(step)} · blue: requests, red: errors`),
    h('span', {}, new Date(t1).toISOString().slice(0, 16).replace('T', ' ')));
  const toT = (ev) => {
    const r = svg.getBoundingClientRect();
    const x = ((ev.clientX - r.left) / r.width) * W;
    return Math.min(t1, Math.max(t0, t0 + ((x - P) / (W - 2 * P)) * (t1 - t0)));
  };
  let start = null;
  svg.addEventListener('mousedown', (ev) => { start = toT(ev); ev.preventDefault(); });
  svg.addEventListener('mousemove', (ev) => {
    if (start === null) return;
    const a = sx(Math.min(start, toT(ev))), b = sx(Math.max(start, toT(ev)));
    sel.setAttribute('x', a); sel.setAttribute('width', Math.max(1, b - a)); sel.setAttribute('visibility', 'visible');
  });
  window.addEventListener('mouseup', (ev) => {
    if (start === null) return;
    const end = toT(ev);
    const a = Math.min(start, end), b = Math.max(start, end);
    start = null;
    if (b - a < 1000) { sel.setAttribute('visibility', 'hidden'); return; }
    onBrush(new Date(a).toISOString(), new Date(b).toISOString());
  }, { once: false });
  return h('div', { class: 'chartwrap' }, svg, labels);
}

function stepName(sec) {
  if (sec % 86400 === 0) return sec === 86400 ? 'day' : `${sec / 86400} days`;
  if (sec % 3600 === 0) return sec === 3600 ? 'hour' : `${sec / 3600} hours`;
  if (sec % 60 === 0) return sec === 60 ? 'minute' : `${sec / 60} minutes`;
  return `${sec} s`;
}

function barfill(pct) {
  const d = h('div', { class: 'barfill' });
  d.style.width = `${Math.max(1, Math.round(pct))}%`;
  return d;
}
