// The SQL editor: CodeMirror 6 with DuckDB-flavoured SQL, completion of the
// tables, their columns (with the schema's descriptions) and DuckDB's
// functions; Ctrl/Cmd-Enter runs; history in localStorage.
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { Prec } from '@codemirror/state';
import { sql, PostgreSQL } from '@codemirror/lang-sql';
import { add, h, clear } from './dom.js';
import { get } from './api.js';
import { Grid } from './grid.js';

const HISTORY = 's3logs.history';
const DEFAULT_SQL = `SELECT bucket, operation, count(*) AS requests,
       count(*) FILTER (httpstatus >= 400) AS errors
FROM aws_s3serveraccess
GROUP BY ALL
ORDER BY requests DESC
LIMIT 20;`;

let schemaPromise;
function schema() {
  schemaPromise ??= get('/api/schema');
  return schemaPromise;
}

export function history() {
  try { return JSON.parse(localStorage.getItem(HISTORY) || '[]'); } catch { return []; }
}

function remember(text) {
  const list = history().filter((q) => q !== text);
  list.unshift(text);
  localStorage.setItem(HISTORY, JSON.stringify(list.slice(0, 50)));
}

export async function sqlPage(view, params) {
  const sch = await schema();
  const tables = {};
  for (const [t, cols] of Object.entries(sch.tables)) {
    tables[t] = cols.map((c) => ({ label: c.name, type: 'property', detail: c.type, info: c.description || undefined }));
  }
  const fnCompletions = sch.functions.map((f) => ({ label: f, type: 'function', apply: f + '(' }));
  const lang = sql({ dialect: PostgreSQL, schema: tables, defaultTable: 'aws_s3serveraccess', upperCaseKeywords: true });
  const grid = new Grid({ onRow: (id) => grid.run({ row_ids: [id] }) });
  const histEl = h('ol', { class: 'history' });
  const run = () => {
    const text = editor.state.doc.toString().trim();
    if (!text) return true;
    remember(text);
    drawHistory();
    grid.run({ sql: text });
    return true;
  };
  const editor = new EditorView({
    doc: params.get('q') || history()[0] || DEFAULT_SQL,
    extensions: [
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run }])),
      basicSetup,
      lang,
      lang.language.data.of({ autocomplete: (ctx) => {
        const w = ctx.matchBefore(/\w+/);
        if (!w || (w.from === w.to && !ctx.explicit)) return null;
        return { from: w.from, options: fnCompletions, validFor: /^\w*$/ };
      } }),
      EditorView.contentAttributes.of({ 'aria-label': 'SQL editor' }),
    ],
  });
  function drawHistory() {
    add(clear(histEl), ...history().slice(0, 20).map((q) => h('li', {},
      h('a', { href: '#', title: q, onclick: (ev) => { ev.preventDefault(); editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: q } }); } },
        q.length > 90 ? q.slice(0, 89) + '…' : q))));
  }
  drawHistory();
  add(clear(view), 
    h('h1', {}, 'SQL'),
    h('p', { class: 'muted' }, 'Tables: ', Object.keys(sch.tables).join(', '),
      '. Panther\'s p_occurs_since() and p_occurs_between() work. Ctrl/Cmd-Enter runs; Ctrl-Space completes.'),
    h('div', { class: 'editor' }, editor.dom),
    h('div', { class: 'actions' }, h('button', { class: 'primary run', onclick: run }, 'Run'),
      h('button', { onclick: () => grid.cancel() }, 'Cancel')),
    grid.el,
    h('details', { class: 'histbox' }, h('summary', {}, 'History'), histEl));
  editor.focus();
  if (params.get('run') === '1') run();
  return () => grid.cancel();
}
