// The Saved queries, Detections, Rejected lines and Manifest pages.
import { add, h, clear, num } from './dom.js';
import { get } from './api.js';
import { Grid } from './grid.js';

// saved lists the catalog; a query opens as a form of its typed parameters,
// which the server binds (never spliced into the SQL).
export async function saved(view, params, nav) {
  const list = await get('/api/queries');
  const name = params.get('name');
  const q = list.find((x) => x.name === name);
  add(clear(view), h('h1', {}, 'Saved queries'));
  const side = h('ul', { class: 'qlist' }, list.map((x) => h('li', { class: x.name === name ? 'on' : null },
    h('a', { href: '#/saved?name=' + encodeURIComponent(x.name), title: x.description }, x.title || x.name),
    h('span', { class: 'muted' }, ' ' + x.name))));
  const main = h('div', { class: 'qmain' });
  view.appendChild(h('div', { class: 'split' }, side, main));
  if (!q) { main.appendChild(h('p', { class: 'muted' }, 'Pick a query on the left.')); return; }
  const grid = new Grid({ onRow: (id) => grid.run({ row_ids: [id] }) });
  const inputs = {};
  const fields = q.params.map((p) => {
    let input;
    if (p.one_of && p.one_of.length) {
      input = h('select', { name: p.name }, h('option', { value: '' }, p.default != null ? `(default: ${p.default})` : ''), p.one_of.map((v) => h('option', { value: v }, v)));
    } else if (p.type === 'bool') {
      input = h('select', { name: p.name }, h('option', { value: '' }, p.default != null ? `(default: ${p.default})` : ''), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    } else {
      input = h('input', { name: p.name, type: p.type === 'int' ? 'number' : 'text', required: p.required,
        placeholder: p.default != null ? `default: ${p.default}` : placeholderFor(p.type) });
    }
    inputs[p.name] = input;
    return h('label', { class: 'field' }, h('span', {}, p.name, p.required ? ' *' : '', h('small', { class: 'muted' }, ` ${p.type}`)),
      input, p.description ? h('small', { class: 'muted' }, p.description) : null);
  });
  const form = h('form', { class: 'qform', onsubmit: (ev) => {
    ev.preventDefault();
    const values = {};
    for (const [k, el] of Object.entries(inputs)) if (el.value !== '') values[k] = el.value;
    grid.run({ saved: q.name, params: values });
  } }, fields, h('button', { type: 'submit', class: 'primary' }, 'Run'));
  add(main, h('h2', {}, q.title || q.name), h('p', {}, q.description),
    q.params.length ? null : h('p', { class: 'muted' }, 'No parameters.'), form,
    h('details', {}, h('summary', {}, 'SQL'), h('pre', { class: 'sql' }, q.sql)), grid.el);
  return () => grid.cancel();
}

function placeholderFor(t) {
  return { timestamp: '2024-06-01, RFC 3339, now-7d', cidr: '10.0.0.0/8', list: 'a,b,c', int: '', string: '' }[t] || '';
}

// detections lists the alerts per rule and the most severe alerts with
// their sample events; each alert opens its events, and each sample its
// row, in the grid below.
export async function detections(view, params) {
  const rule = params.get('rule') || '';
  add(clear(view), h('h1', {}, 'Detections'), h('p', { class: 'muted' }, 'Running the detections…'));
  const res = await get('/api/detect', rule ? { rule } : undefined);
  const grid = new Grid({ onRow: (id) => grid.run({ row_ids: [id] }) });
  const show = (spec) => { grid.run(spec); grid.el.scrollIntoView(); };
  add(clear(view), h('h1', {}, 'Detections'),
    h('p', { class: 'muted' }, `${num(res.total)} alerts from the rules that are on (s3logs detect --list). Pick a rule to see only its alerts; open an alert's events or a sample event in the grid below.`),
    h('table', { class: 'rules' }, h('thead', {}, h('tr', {}, ['Severity', 'Rule', 'Alerts', 'Events'].map((x) => h('th', {}, x)))),
      h('tbody', {}, res.rules.map((r) => h('tr', { class: r.rule_id === rule ? 'on' : null },
        h('td', {}, h('span', { class: 'sev sev-' + String(r.severity).toLowerCase() }, r.severity)),
        h('td', {}, h('a', { href: '#/detections?rule=' + encodeURIComponent(r.rule_id) }, r.rule_name), h('br'), h('small', { class: 'muted' }, r.rule_id)),
        h('td', { class: 'n', 'data-alerts': r.alerts }, num(r.alerts)), h('td', { class: 'n' }, num(r.events)))))),
    rule ? h('p', {}, h('a', { href: '#/detections' }, 'All rules')) : null,
    res.more ? h('p', { class: 'muted' }, `Showing the ${res.alerts.length} most severe alerts; ${num(res.more)} more (pick a rule above).`) : null,
    h('div', { class: 'alerts' }, res.alerts.map((a) => h('div', { class: 'alert', 'data-rule': a.rule_id },
      h('div', {}, h('span', { class: 'sev sev-' + String(a.severity).toLowerCase() }, a.severity), ' ', h('b', {}, a.title)),
      h('div', { class: 'muted' }, a.rule_id, ` · ${num(a.count)} events from ${a.first} to ${a.last} · threshold ${a.threshold}, dedup ${a.dedup_minutes} min`),
      h('button', { class: 'events', onclick: () => show({ alert: { rule: a.rule_id, title: a.title, first: a.first, last: a.last } }) }, `Show the ${num(a.count)} events`),
      h('table', { class: 'samples' }, h('tbody', {}, (a.samples || []).map((e) => h('tr', {},
        h('td', {}, h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); show({ row_ids: [e.p_row_id] }); } }, e.time)),
        h('td', {}, e.remoteip || ''), h('td', {}, e.requester || ''), h('td', {}, e.operation || ''),
        h('td', {}, (e.bucket || '') + (e.key ? '/' + e.key : '')), h('td', {}, e.httpstatus ?? ''), h('td', { class: 'ua' }, e.useragent || '')))))))),
    h('h2', {}, 'Events'), grid.el);
  return () => grid.cancel();
}

// tablePage shows fixed SQL in grids.
function tablePage(title, intro, queries) {
  return async (view) => {
    add(clear(view), h('h1', {}, title), h('p', { class: 'muted' }, intro));
    const grids = queries.map(([sub, q]) => {
      const g = new Grid();
      add(view, h('h2', {}, sub), g.el);
      g.run({ sql: q });
      return g;
    });
    return () => grids.forEach((g) => g.cancel());
  };
}

export const rejects = tablePage('Rejected lines', 'Lines that could not be parsed, kept with the reason (aws_s3serveraccess_rejects).', [
  ['By reason', 'SELECT reason, count(*) AS lines, count(DISTINCT source) AS sources FROM aws_s3serveraccess_rejects GROUP BY 1 ORDER BY 2 DESC, 1'],
  ['Lines', 'SELECT source, line, "column", field, reason, raw FROM aws_s3serveraccess_rejects ORDER BY source, line'],
]);

export const manifest = tablePage('Manifest', 'Each file or object loaded (s3logs_manifest): lines = rows + rejected + blank + filtered.', [
  ['Sources', 'SELECT name, status, lines, "rows", rejected, blank, filtered, bytes, size, mtime, etag, label, loaded_at, error FROM s3logs_manifest ORDER BY name'],
]);
