// The console's shell: a hash router over the views, and the live refresh. A view may have a
// `refresh()`; it is called every 2 s, and only while the page is visible (a hidden tab polls
// nothing, so an unwatched console costs the worker nothing).

import { get } from './api.js';
import { h } from './dom.js';
import { connectorsView } from './connectors.js';
import { connectorView } from './connector.js';
import { createView, editView } from './form.js';
import { pluginsView } from './plugins.js';

const PERIOD_MS = 2000;
const main = document.getElementById('main');
const live = document.getElementById('live');
let view = null;
let generation = 0;
let timer = null;

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const parts = path.split('/').map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === 'plugins') return ['plugins', pluginsView()];
  if (parts[0] === 'new') return ['connectors', createView(parts[1] || null, params.get('version'))];
  if (parts[0] === 'connectors' && parts[1]) {
    return ['connectors', parts[2] === 'edit' ? editView(parts[1]) : connectorView(parts[1])];
  }
  return ['connectors', connectorsView()];
}

function show() {
  generation += 1;
  clearTimeout(timer);
  if (view && view.stop) view.stop();
  const [section, next] = route();
  view = next;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren(view.el);
  document.title = `${view.title} · Kafka Connect`;
  // Move focus to the new page's heading, as a page load would, for keyboard and screen-reader users.
  const heading = main.querySelector('h1');
  if (heading && document.activeElement !== document.body) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
  live.textContent = '';
  tick(generation);
}

async function tick(gen) {
  if (gen !== generation || document.hidden || !view.refresh) return;
  try {
    // Nothing changes under an open dialog: the button that opened it gets the focus back.
    if (!document.querySelector('dialog[open]')) await view.refresh();
    if (gen !== generation) return;
    live.className = 'live';
    live.textContent = `Live · ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    if (gen !== generation) return;
    live.className = 'live live-error';
    live.textContent = e.message;
  }
  if (gen === generation && !document.hidden) timer = setTimeout(() => tick(gen), PERIOD_MS);
}

document.addEventListener('visibilitychange', () => {
  clearTimeout(timer);
  if (!document.hidden) tick(generation);
});
window.addEventListener('hashchange', show);

get('').then((info) => {
  document.getElementById('worker').replaceChildren(
    h('span', { title: `commit ${info.commit}` }, `v${info.version}`), ' · cluster ', h('code', null, info.kafka_cluster_id));
}).catch(() => {});
show();
