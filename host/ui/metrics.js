// Throughput from GET /metrics: the counters of docs/metrics.md summed per connector, and
// rates computed here from the difference between two samples. Samples are only taken while
// a page that shows them is open and visible: the worker computes nothing for the console.

import { getText } from './api.js';
import { s, num } from './dom.js';

const P = 'kafka_connect_';
/** Which counters feed which series. */
const SERIES = {
  [`${P}source_task_metrics_source_record_poll_total`]: 'in',
  [`${P}sink_task_metrics_sink_record_read_total`]: 'in',
  [`${P}source_task_metrics_source_record_write_total`]: 'out',
  [`${P}sink_task_metrics_sink_record_send_total`]: 'out',
  [`${P}task_error_metrics_total_record_failures_total`]: 'errors',
  [`${P}task_error_metrics_deadletterqueue_produce_requests_total`]: 'dlq',
};
export const KINDS = ['in', 'out', 'errors', 'dlq'];
/** Points kept per series: two minutes at one sample every two seconds. */
const KEEP = 60;

const history = new Map();
let last = null;

/** Totals per connector and series from Prometheus text. */
export function parse(text) {
  const totals = new Map();
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || !(m[1] in SERIES)) continue;
    const connector = /(?:^|,)connector="((?:[^"\\]|\\.)*)"/.exec(m[2] || '');
    const value = Number(m[3]);
    if (!connector || !Number.isFinite(value)) continue;
    const name = connector[1].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    const t = totals.get(name) || { in: 0, out: 0, errors: 0, dlq: 0 };
    t[SERIES[m[1]]] += value;
    totals.set(name, t);
  }
  return totals;
}

/** Takes one sample; rates are per second since the previous one. */
export async function sample() {
  const text = await getText('metrics');
  const now = performance.now();
  const totals = parse(text);
  if (last && now - last.at > 100) {
    const dt = (now - last.at) / 1000;
    for (const [name, t] of totals) {
      const prev = last.totals.get(name);
      const h = history.get(name) || { in: [], out: [], errors: [], dlq: [], totals: t };
      for (const k of KINDS) {
        // A restarted task starts its counters from zero: count what it did since.
        const d = prev ? (t[k] >= prev[k] ? t[k] - prev[k] : t[k]) : 0;
        h[k].push(d / dt);
        if (h[k].length > KEEP) h[k].shift();
      }
      h.totals = t;
      history.set(name, h);
    }
  } else {
    for (const [name, t] of totals) {
      const h = history.get(name) || { in: [], out: [], errors: [], dlq: [] };
      h.totals = t;
      history.set(name, h);
    }
  }
  last = { at: now, totals };
}

export function seriesOf(connector) {
  return history.get(connector) || { in: [], out: [], errors: [], dlq: [], totals: null };
}

/** A small line chart of `points` (newest last), labelled for screen readers. */
export function sparkline(points, label, { width = 120, height = 28 } = {}) {
  const max = Math.max(1, ...points);
  const step = width / (KEEP - 1);
  const x0 = width - (points.length - 1) * step;
  const coords = points.map((p, i) => `${(x0 + i * step).toFixed(1)},${(height - 2 - (p / max) * (height - 4)).toFixed(1)}`);
  const now = points.length ? points[points.length - 1] : null;
  const svg = s('svg', {
    class: 'spark', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'aria-label': now === null ? `${label}: no data yet` : `${label}: now ${num(now)} per second, peak ${num(Math.max(...points))} in the last ${points.length * 2} seconds`,
  });
  svg.append(s('line', { x1: 0, y1: height - 1.5, x2: width, y2: height - 1.5, class: 'spark-base' }));
  if (coords.length > 1) {
    svg.append(
      s('polygon', { class: 'spark-area', points: `${coords[0].split(',')[0]},${height - 2} ${coords.join(' ')} ${width},${height - 2}` }),
      s('polyline', { class: 'spark-line', points: coords.join(' ') }));
  }
  return svg;
}
