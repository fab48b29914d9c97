// The result grid: runs a query spec on the server, shows its rows a page
// at a time (the server keeps a cursor, so a large result is never loaded
// whole), sorts by a column on the server, cancels, charts and exports.
import { add, h, clear, cell } from './dom.js';
import { post, newID } from './api.js';
import { chart } from './chart.js';

const PAGE = 100;

export class Grid {
  constructor(opts = {}) {
    this.el = h('div', { class: 'grid' });
    this.onRow = opts.onRow;
    this.spec = null;
    this.pages = [];
    this.page = 0;
    this.done = true;
    this.running = null;
  }

  // run starts spec ({sql} | {saved, params} | {alert} | {row_ids}).
  async run(spec) {
    await this.cancel();
    this.spec = { ...spec };
    this.pages = [];
    this.page = 0;
    this.columns = [];
    await this.fetchFirst();
  }

  async fetchFirst() {
    const id = newID();
    const ctl = new AbortController();
    this.running = { id, ctl };
    this.id = id;
    const t0 = performance.now();
    this.render({ busy: true });
    try {
      const res = await post('/api/query', { ...this.spec, id, page: PAGE }, ctl.signal);
      if (this.id !== id) return; // a newer run took over
      this.columns = res.columns;
      this.pages = [res.rows];
      this.done = res.done;
      this.elapsed = performance.now() - t0;
      this.running = null;
      this.render({});
    } catch (e) {
      if (this.id !== id) return;
      this.running = null;
      this.render({ error: ctl.signal.aborted ? 'Cancelled.' : e.message });
    }
  }

  // cancel stops the running query: the request is aborted and the server
  // cancels the query's context.
  async cancel() {
    const r = this.running;
    if (!r) return;
    this.running = null;
    r.ctl.abort();
    try { await post('/api/cancel', { id: r.id }); } catch { /* gone already */ }
  }

  async next() {
    if (this.page + 1 < this.pages.length) { this.page++; this.render({}); return; }
    if (this.done) return;
    try {
      const res = await post('/api/rows', { id: this.id, page: PAGE });
      this.done = res.done;
      if (res.rows && res.rows.length) { this.pages.push(res.rows); this.page++; }
      this.render({});
    } catch (e) { this.render({ error: e.message }); }
  }

  prev() { if (this.page > 0) { this.page--; this.render({}); } }

  sortBy(col) {
    const desc = this.spec.sort === col ? !this.spec.desc : false;
    this.run({ ...this.spec, sort: col, desc });
  }

  loaded() { return this.pages.reduce((n, p) => n + p.length, 0); }

  render({ busy, error }) {
    clear(this.el);
    const bar = h('div', { class: 'gridbar' });
    this.el.appendChild(bar);
    if (busy) {
      add(bar, h('span', { class: 'status', 'data-state': 'running' }, 'Running…'),
        h('button', { class: 'cancel', onclick: () => this.cancel() }, 'Cancel'));
      return;
    }
    if (error) {
      this.el.appendChild(h('pre', { class: 'error', 'data-state': 'error' }, error));
      return;
    }
    if (!this.spec) return;
    const rows = this.pages[this.page] || [];
    const first = this.pages.slice(0, this.page).reduce((n, p) => n + p.length, 0);
    const total = this.done ? `${this.loaded()} rows` : `${this.loaded()}+ rows`;
    add(bar, 
      h('span', { class: 'status', 'data-state': 'done', 'data-rows': this.done ? this.loaded() : '' },
        rows.length ? `Rows ${first + 1}–${first + rows.length} of ${total}` : 'No rows', this.elapsed ? ` · ${Math.round(this.elapsed)} ms` : ''),
      h('button', { onclick: () => this.prev(), disabled: this.page === 0 }, '‹ Prev'),
      h('button', { class: 'next', onclick: () => this.next(), disabled: this.done && this.page + 1 >= this.pages.length }, 'Next ›'),
      h('button', { onclick: () => this.toggleChart() }, 'Chart'),
      exportForm(this.spec));
    this.chartEl = h('div', { class: 'chartbox' });
    this.el.appendChild(this.chartEl);
    if (this.showChart) this.drawChart();
    const head = h('tr', {}, this.columns.map((c) => h('th', {
      title: `${c.type} · click to sort`, onclick: () => this.sortBy(c.name),
      class: this.spec.sort === c.name ? (this.spec.desc ? 'desc' : 'asc') : null,
    }, c.name)));
    const body = rows.map((r) => h('tr', {}, r.map((v, i) => {
      const text = cell(v);
      // Long values are cut by CSS; the title (an attribute, not markup) shows them whole.
      const td = h('td', { class: v === null ? 'null' : (typeof v === 'number' ? 'n' : null), title: text.length > 40 ? text : null }, text);
      if (this.onRow && this.columns[i].name === 'p_row_id' && v) {
        td.classList.add('link');
        td.addEventListener('click', () => this.onRow(v));
      }
      return td;
    })));
    this.el.appendChild(h('div', { class: 'tablewrap' }, h('table', { class: 'results' }, h('thead', {}, head), h('tbody', {}, body))));
  }

  toggleChart() { this.showChart = !this.showChart; this.render({}); }

  drawChart() {
    const rows = this.pages.flat();
    this.chartEl.appendChild(chart(this.columns, rows));
  }
}

// exportForm posts the spec to /api/export: the server streams the file
// as a download, so nothing is held in the page.
function exportForm(spec) {
  const fmt = h('select', { name: 'format', 'aria-label': 'Export format' },
    h('option', { value: 'parquet' }, 'Parquet'), h('option', { value: 'csv' }, 'CSV'), h('option', { value: 'json' }, 'JSON'));
  const hidden = h('input', { type: 'hidden', name: 'spec' });
  hidden.value = JSON.stringify(spec);
  return h('form', { class: 'export', method: 'POST', action: '/api/export' }, hidden, fmt, h('button', { type: 'submit' }, 'Export'));
}
