// The connector list: every connector with type, state, tasks, workers and throughput,
// refreshed live; rows are updated in place so focus and scrolling survive a refresh.

import { api, get, seg } from './api.js';
import { h, fill, stateBadge, act, num } from './dom.js';
import { sample, seriesOf, sparkline } from './metrics.js';

const STATES = ['RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'UNASSIGNED', 'RESTARTING'];

export function connectorsView() {
  const filter = h('input', { type: 'search', id: 'filter', placeholder: 'Name, class or worker', autocomplete: 'off' });
  const stateFilter = h('select', { id: 'state-filter' },
    h('option', { value: '' }, 'All states'), STATES.map((st) => h('option', { value: st }, st)));
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const empty = h('div', { class: 'empty', hidden: true });
  const table = h('table', { class: 'grid connectors' },
    h('caption', { class: 'sr-only' }, 'Connectors'),
    h('colgroup', null, ['name', 'type', 'state', 'tasks', 'workers', 'in', 'out', 'actions'].map((c) => h('col', { class: `c-${c}` }))),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'State'),
      h('th', { scope: 'col' }, 'Tasks'), h('th', { scope: 'col' }, 'Workers'),
      h('th', { scope: 'col' }, 'Records in/s'), h('th', { scope: 'col' }, 'Records out/s'),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    tbody);
  const wrap = h('div', { class: 'table-wrap' }, table);
  const el = h('section', { class: 'page' },
    h('div', { class: 'page-head' },
      h('h1', null, 'Connectors'),
      h('a', { class: 'btn btn-primary', href: '#/new' }, 'New connector')),
    h('div', { class: 'toolbar' },
      h('label', { for: 'filter' }, 'Filter'), filter,
      h('label', { for: 'state-filter' }, 'State'), stateFilter,
      summary),
    wrap, empty);

  const rows = new Map();
  let connectors = {};
  let metricsOk = true;

  function render() {
    const names = Object.keys(connectors).sort((a, b) => a.localeCompare(b));
    const words = filter.value.trim().toLowerCase();
    const wanted = stateFilter.value;
    const counts = {};
    let shown = 0;
    for (const name of names) {
      const c = connectors[name];
      const state = c.status?.connector?.state || 'UNKNOWN';
      counts[state] = (counts[state] || 0) + 1;
      let row = rows.get(name);
      if (!row) {
        row = newRow(name, refresh);
        rows.set(name, row);
      }
      const hay = `${name} ${c.info?.config?.['connector.class'] || ''} ${workersOf(c).join(' ')}`.toLowerCase();
      const visible = (!words || hay.includes(words)) && (!wanted || state === wanted || (wanted === 'FAILED' && failedTasks(c) > 0));
      row.tr.hidden = !visible;
      if (visible) shown += 1;
      updateRow(row, c, metricsOk);
    }
    for (const [name, row] of rows) {
      if (!(name in connectors)) { row.tr.remove(); rows.delete(name); }
    }
    // Keep DOM order = name order without touching rows that are already in place.
    let prev = null;
    for (const name of names) {
      const tr = rows.get(name).tr;
      const expected = prev ? prev.nextSibling : tbody.firstChild;
      if (expected !== tr) tbody.insertBefore(tr, expected);
      prev = tr;
    }
    const parts = STATES.filter((st) => counts[st]).map((st) => `${counts[st]} ${st.toLowerCase()}`);
    summary.textContent = `${names.length} connector${names.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}${shown !== names.length ? ` · ${shown} shown` : ''}`;
    wrap.hidden = names.length === 0;
    empty.hidden = names.length !== 0;
    if (names.length === 0) {
      empty.replaceChildren(h('p', null, 'No connectors yet.'),
        h('p', null, h('a', { href: '#/new' }, 'Create one'), ' from an installed plugin, or ', h('a', { href: '#/plugins' }, 'see what is installed'), '.'));
    }
  }

  async function refresh() {
    const [list] = await Promise.all([
      get('connectors?expand=status&expand=info'),
      sample().then(() => { metricsOk = true; }, () => { metricsOk = false; }),
    ]);
    connectors = list;
    render();
  }

  filter.addEventListener('input', render);
  stateFilter.addEventListener('change', render);
  return { el, title: 'Connectors', refresh };
}

function workersOf(c) {
  return [...new Set((c.status?.tasks || []).map((t) => t.worker_id).concat(c.status?.connector?.worker_id || []))].filter(Boolean);
}

function failedTasks(c) {
  return (c.status?.tasks || []).filter((t) => t.state === 'FAILED').length;
}

function newRow(name, refresh) {
  const href = `#/connectors/${seg(name)}`;
  const cells = {
    name: h('td', { class: 'name' }, h('a', { href, title: name }, name)),
    type: h('td'), state: h('td'), tasks: h('td'), workers: h('td', { class: 'ellipsis' }),
    in: h('td', { class: 'chart' }), out: h('td', { class: 'chart' }), actions: h('td', { class: 'actions' }),
  };
  const tr = h('tr', { 'data-connector': name }, Object.values(cells));
  return { tr, cells, name, refresh, key: '' };
}

function updateRow(row, c, metricsOk) {
  const { cells, name } = row;
  const status = c.status || {};
  const state = status.connector?.state || 'UNKNOWN';
  const tasks = status.tasks || [];
  const failed = failedTasks(c);
  const key = JSON.stringify([state, status.type, tasks.map((t) => [t.id, t.state, t.worker_id]), c.info?.config?.['connector.class']]);
  if (key !== row.key) {
    row.key = key;
    const focused = row.tr.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    cells.type.replaceChildren(status.type || c.info?.type || '');
    cells.state.replaceChildren(stateBadge(state));
    const running = tasks.filter((t) => t.state === 'RUNNING').length;
    cells.tasks.replaceChildren(
      h('span', { class: 'dots', 'aria-hidden': 'true' }, tasks.slice(0, 12).map((t) => h('span', { class: `dot state-${t.state.toLowerCase()}`, title: `task ${t.id}: ${t.state}` }))),
      `${running}/${tasks.length} running`,
      failed ? h('a', { class: 'failed-link', href: `#/connectors/${seg(name)}` }, ` · ${failed} failed`) : '');
    const workers = workersOf(c);
    cells.workers.replaceChildren(workers.join(', '));
    cells.workers.title = workers.join('\n');
    const buttons = [];
    if (state === 'RUNNING') buttons.push(actionButton('pause', 'Pause', name, () => api('PUT', `connectors/${seg(name)}/pause`), row.refresh));
    if (state === 'PAUSED' || state === 'STOPPED') buttons.push(actionButton('resume', 'Resume', name, () => api('PUT', `connectors/${seg(name)}/resume`), row.refresh));
    if (state === 'FAILED' || failed) {
      buttons.push(actionButton('restart-failed', 'Restart failed', name,
        () => api('POST', `connectors/${seg(name)}/restart?includeTasks=true&onlyFailed=true`), row.refresh));
    }
    fill(cells.actions, ...buttons);
    if (focused) {
      const again = cells.actions.querySelector(`[data-action="${focused}"]`) || cells.name.querySelector('a');
      again.focus();
    }
  }
  const series = seriesOf(name);
  if (!metricsOk) {
    cells.in.replaceChildren('—');
    cells.out.replaceChildren('—');
    return;
  }
  for (const k of ['in', 'out']) {
    const pts = series[k];
    cells[k].replaceChildren(sparkline(pts, `Records ${k} per second`, { width: 72, height: 20 }),
      h('span', { class: 'rate' }, pts.length ? num(pts[pts.length - 1]) : '—'));
  }
}

function actionButton(action, label, name, work, refresh) {
  const button = h('button', { type: 'button', class: 'btn btn-small', 'data-action': action, 'aria-label': `${label} ${name}` }, label);
  button.addEventListener('click', async () => {
    if (await act(button, work, `${label}: ${name}`)) await refresh().catch(() => {});
  });
  return button;
}
