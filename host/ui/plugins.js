// Installed plugins: connectors, converters, transformations and predicates, each version,
// with aliases and the library file it came from (GET /ui/api/plugins).

import { get, seg } from './api.js';
import { h } from './dom.js';

const SECTIONS = [
  ['Connectors', ['source', 'sink']],
  ['Converters', ['converter', 'header_converter']],
  ['Transformations', ['transformation']],
  ['Predicates', ['predicate']],
];

export function pluginsView() {
  const filter = h('input', { type: 'search', id: 'plugin-filter', placeholder: 'Class, alias or file', autocomplete: 'off' });
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const el = h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Plugins')),
    h('div', { class: 'toolbar' }, h('label', { for: 'plugin-filter' }, 'Filter'), filter), body);
  let plugins = [];

  function render() {
    const words = filter.value.trim().toLowerCase();
    const match = (p) => !words || `${p.class} ${p.aliases.join(' ')} ${p.location} ${p.type}`.toLowerCase().includes(words);
    body.replaceChildren(...SECTIONS.map(([title, kinds]) => {
      const list = plugins.filter((p) => kinds.includes(p.type) && match(p));
      const id = `h-${title.toLowerCase()}`;
      return h('section', { 'aria-labelledby': id },
        h('h2', { id }, title, h('span', { class: 'count' }, String(list.length))),
        list.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid plugins' },
          h('colgroup', null, ['class', 'type', 'version', 'file'].map((c) => h('col', { class: `c-${c}` }))),
          h('thead', null, h('tr', null, ['Class', 'Type', 'Version', 'File'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, list.map((p) => h('tr', { 'data-plugin': p.class },
            h('td', { class: 'wrap' },
              kinds[0] === 'source'
                ? h('a', { href: `#/new/${seg(p.class)}?version=${seg(p.version)}`, title: `Create a ${p.class} connector` }, p.class)
                : h('span', { class: 'mono' }, p.class),
              p.aliases.length ? h('div', { class: 'muted small' }, `alias ${p.aliases.join(', ')}`) : null),
            h('td', null, p.type.replace('_', ' ')),
            h('td', null, p.version),
            h('td', { class: 'mono small wrap' }, p.location)))))) : h('p', { class: 'muted' }, 'None.'));
    }));
  }

  get('ui/api/plugins').then((list) => { plugins = list; render(); })
    .catch((e) => body.replaceChildren(h('p', { class: 'field-error' }, e.message)));
  filter.addEventListener('input', render);
  return { el, title: 'Plugins' };
}
