// s3logs ui: a hash router over the pages.
import { add, h, clear } from './dom.js';
import { overview } from './overview.js';
import { sqlPage } from './sqlpage.js';
import { saved, detections, rejects, manifest } from './pages.js';

const PAGES = [
  ['overview', 'Overview', overview],
  ['sql', 'SQL', sqlPage],
  ['saved', 'Saved queries', saved],
  ['detections', 'Detections', detections],
  ['rejects', 'Rejected lines', rejects],
  ['manifest', 'Manifest', manifest],
];

const view = document.getElementById('view');
const navEl = document.getElementById('nav');
let leave = null;

function nav(hash) { location.hash = hash; }

async function route() {
  const [path, query] = (location.hash.slice(2) || 'overview').split('?');
  const page = PAGES.find((p) => p[0] === path) || PAGES[0];
  add(clear(navEl), ...PAGES.map(([id, title]) => h('a', { href: '#/' + id, class: id === page[0] ? 'on' : null }, title)));
  if (leave) { try { leave(); } catch { /* ignore */ } leave = null; }
  try {
    leave = await page[2](view, new URLSearchParams(query || ''), nav);
  } catch (e) {
    add(clear(view), h('h1', {}, page[1]), h('pre', { class: 'error' }, e.message));
  }
  document.title = `${page[1]} · s3logs`;
}

window.addEventListener('hashchange', route);
route();
