// One connector: state and actions, throughput charts, tasks with their workers and traces,
// its configuration, and the offsets of a stopped connector.

import { api, get, seg, ApiError } from './api.js';
import { h, fill, stateBadge, act, confirmAction, dialog, toast, num } from './dom.js';
import { sample, seriesOf, sparkline, KINDS } from './metrics.js';

const CHARTS = {
  in: 'Records in/s', out: 'Records out/s', errors: 'Record errors/s', dlq: 'Sent to DLQ/s',
};

export function connectorView(name) {
  const path = `connectors/${seg(name)}`;
  const badges = h('div', { class: 'badges' });
  const actions = h('div', { class: 'actions-bar', role: 'group', 'aria-label': 'Connector actions' });
  const trace = h('div');
  const charts = h('div', { class: 'charts' });
  const tasks = h('tbody');
  const config = h('dl', { class: 'config' });
  const offsets = h('div');
  const el = h('section', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors'), ' / '),
    h('div', { class: 'page-head' }, h('h1', { class: 'wrap' }, name)),
    badges, actions, trace,
    h('section', { 'aria-labelledby': 'h-throughput' }, h('h2', { id: 'h-throughput' }, 'Throughput'), charts),
    h('section', { 'aria-labelledby': 'h-tasks' }, h('h2', { id: 'h-tasks' }, 'Tasks'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid tasks' },
        h('thead', null, h('tr', null, ['Task', 'State', 'Worker', 'Version'].map((t) => h('th', { scope: 'col' }, t)),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
        tasks))),
    h('section', { 'aria-labelledby': 'h-config' }, h('h2', { id: 'h-config' }, 'Configuration',
      h('a', { class: 'btn btn-small', href: `#/connectors/${seg(name)}/edit` }, 'Edit')), config),
    h('section', { 'aria-labelledby': 'h-offsets' }, h('h2', { id: 'h-offsets' }, 'Offsets'), offsets));

  let info = null;
  let status = null;
  let lastKey = '';
  let gone = false;

  async function loadInfo() {
    info = await get(path);
    const entries = Object.entries(info.config).sort(([a], [b]) => a.localeCompare(b));
    config.replaceChildren(...entries.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  }

  async function run(button, label, work) {
    if (await act(button, work, `${label}: ${name}`)) {
      lastKey = '';
      await refresh().catch(() => {});
    }
  }

  function button(label, work, cls = 'btn') {
    const b = h('button', { type: 'button', class: cls }, label);
    b.addEventListener('click', () => run(b, label, work));
    return b;
  }

  function restartButton() {
    const b = h('button', { type: 'button', class: 'btn' }, 'Restart…');
    b.addEventListener('click', async () => {
      const query = await dialog(`Restart ${name}`, (close) => {
        const choice = (value, label, checked) => h('label', { class: 'radio' },
          h('input', { type: 'radio', name: 'restart', value, checked }), ' ', label);
        const form = h('form', { class: 'dialog-body' },
          h('fieldset', null, h('legend', null, 'What to restart'),
            choice('', 'The connector only', true),
            choice('includeTasks=true', 'The connector and all its tasks', false),
            choice('includeTasks=true&onlyFailed=true', 'Only what failed (connector and tasks)', false)),
          h('div', { class: 'buttons' },
            h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, 'Cancel'),
            h('button', { type: 'submit', class: 'btn btn-primary' }, 'Restart')));
        form.addEventListener('submit', (e) => { e.preventDefault(); close(new FormData(form).get('restart')); });
        return form;
      });
      if (query !== null) await run(b, 'Restart', () => api('POST', `${path}/restart${query ? `?${query}` : ''}`));
    });
    return b;
  }

  function deleteButton() {
    const b = h('button', { type: 'button', class: 'btn btn-danger' }, 'Delete…');
    b.addEventListener('click', async () => {
      const ok = await confirmAction({
        title: `Delete ${name}?`,
        message: 'Its tasks stop and its configuration is removed. Its offsets stay stored, so a connector created again under this name resumes from them.',
        confirm: 'Delete connector',
      });
      if (ok && await act(b, () => api('DELETE', path), `Deleted ${name}`)) location.hash = '#/';
    });
    return b;
  }

  function renderStatus() {
    const state = status.connector.state;
    const key = JSON.stringify(status);
    if (key === lastKey) return;
    lastKey = key;
    fill(badges, stateBadge(state), h('span', { class: 'tag' }, status.type),
      info ? h('span', { class: 'tag mono wrap' }, info.config['connector.class']) : null,
      status.connector.version ? h('span', { class: 'tag' }, `v${status.connector.version}`) : null,
      h('span', { class: 'tag' }, `worker ${status.connector.worker_id}`));
    const focusedLabel = actions.contains(document.activeElement) ? document.activeElement.textContent : null;
    fill(actions, 
      state === 'RUNNING' ? button('Pause', () => api('PUT', `${path}/pause`)) : null,
      state === 'PAUSED' || state === 'STOPPED' ? button('Resume', () => api('PUT', `${path}/resume`)) : null,
      state !== 'STOPPED' ? button('Stop', () => api('PUT', `${path}/stop`)) : null,
      restartButton(), deleteButton());
    if (focusedLabel) {
      const again = [...actions.querySelectorAll('button')].find((b) => b.textContent === focusedLabel) || actions.querySelector('button');
      again.focus();
    }
    fill(trace, status.connector.trace
      ? h('details', { class: 'trace', open: true }, h('summary', null, 'Connector failure'), h('pre', null, status.connector.trace)) : '');
    const open = new Set([...tasks.querySelectorAll('details[open]')].map((d) => d.dataset.task));
    tasks.replaceChildren(...status.tasks.flatMap((t) => {
      const restart = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Restart task ${t.id}` }, 'Restart');
      restart.addEventListener('click', () => run(restart, `Restart task ${t.id}`, () => api('POST', `${path}/tasks/${t.id}/restart`)));
      const row = h('tr', { 'data-task': t.id },
        h('td', null, String(t.id)), h('td', null, stateBadge(t.state)),
        h('td', { class: 'ellipsis', title: t.worker_id }, t.worker_id), h('td', null, t.version || ''), h('td', { class: 'actions' }, restart));
      if (!t.trace) return [row];
      return [row, h('tr', { class: 'trace-row' }, h('td', { colspan: 5 },
        h('details', { class: 'trace', 'data-task': t.id, open: t.state === 'FAILED' || open.has(String(t.id)) },
          h('summary', null, `Task ${t.id} trace`), h('pre', null, t.trace))))];
    }));
    if (!status.tasks.length) tasks.replaceChildren(h('tr', null, h('td', { colspan: 5, class: 'muted' }, state === 'STOPPED' ? 'Stopped: no tasks.' : 'No tasks.')));
    loadOffsets(state).catch((e) => offsets.replaceChildren(h('p', { class: 'muted' }, e.message)));
  }

  function renderCharts() {
    const series = seriesOf(name);
    charts.replaceChildren(...KINDS.map((k) => {
      const pts = series[k];
      const now = pts.length ? pts[pts.length - 1] : null;
      const total = series.totals ? series.totals[k] : null;
      return h('figure', { class: `chart-card chart-${k}` },
        h('figcaption', null, CHARTS[k]),
        h('div', { class: 'chart-now' }, num(now), h('span', { class: 'muted' }, total === null ? '' : ` · ${num(total)} total`)),
        sparkline(pts, CHARTS[k], { width: 220, height: 44 }));
    }));
  }

  let offsetsState = null;
  async function loadOffsets(state, force = false) {
    if (!force && offsetsState === state) return;
    offsetsState = state;
    const body = await get(`${path}/offsets`);
    const list = body.offsets || [];
    const stopped = state === 'STOPPED';
    const table = list.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid offsets' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Partition'), h('th', { scope: 'col' }, 'Offset'))),
        h('tbody', null, list.map((o) => h('tr', null, h('td', { class: 'mono wrap' }, JSON.stringify(o.partition)), h('td', { class: 'mono wrap' }, JSON.stringify(o.offset)))))))
      : h('p', { class: 'muted' }, 'No offsets stored.');
    const edit = h('button', { type: 'button', class: 'btn', disabled: !stopped }, 'Edit offsets…');
    edit.addEventListener('click', () => editOffsets(edit, list));
    const reset = h('button', { type: 'button', class: 'btn btn-danger', disabled: !stopped || !list.length }, 'Reset offsets…');
    reset.addEventListener('click', async () => {
      const ok = await confirmAction({ title: `Reset the offsets of ${name}?`, message: 'Every stored offset is removed: when resumed, the connector starts from the beginning.', confirm: 'Reset offsets' });
      if (ok && await act(reset, () => api('DELETE', `${path}/offsets`), 'Offsets reset')) await loadOffsets(state, true);
    });
    const reload = h('button', { type: 'button', class: 'btn' }, 'Reload');
    reload.addEventListener('click', () => loadOffsets(state, true).catch((e) => toast(e.message, 'error')));
    fill(offsets, table, h('div', { class: 'actions-bar' }, reload, edit, reset,
      stopped ? null : h('span', { class: 'muted' }, 'Stop the connector to change its offsets.')));
  }

  async function editOffsets(button, list) {
    const text = JSON.stringify({ offsets: list }, null, 2);
    const body = await dialog(`Edit the offsets of ${name}`, (close) => {
      const area = h('textarea', { id: 'offsets-json', rows: 12, spellcheck: 'false', class: 'mono' });
      area.value = text;
      const error = h('p', { class: 'field-error', id: 'offsets-error' });
      const form = h('form', { class: 'dialog-body' },
        h('label', { for: 'offsets-json' }, 'Offsets as JSON (an offset of null removes that partition)'), area, error,
        h('div', { class: 'buttons' },
          h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, 'Cancel'),
          h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save offsets')));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        try { close(JSON.parse(area.value)); } catch (err) { error.textContent = `Not JSON: ${err.message}`; area.setAttribute('aria-invalid', 'true'); area.focus(); }
      });
      return form;
    });
    if (body && await act(button, () => api('PATCH', `${path}/offsets`, body), 'Offsets changed')) await loadOffsets(offsetsState, true);
  }

  async function refresh() {
    if (gone) return;
    try {
      if (!info) await loadInfo();
      const [st] = await Promise.all([get(`${path}/status`), sample().catch(() => {})]);
      status = st;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        gone = true;
        el.replaceChildren(h('h1', null, name), h('p', null, 'This connector does not exist (any more). ', h('a', { href: '#/' }, 'Back to the connectors')));
        return;
      }
      throw e;
    }
    renderStatus();
    renderCharts();
  }

  return { el, title: name, refresh };
}
