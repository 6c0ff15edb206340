// Creating and editing a connector: a form generated from the plugin's ConfigDef (the
// definitions PUT /connector-plugins/{plugin}/config/validate returns: groups, types,
// defaults, documentation, required marks), validated as the user types, each error shown
// next to its field. JSON or properties can be pasted instead.

import { api, get, seg, ApiError } from './api.js';
import { h, toast } from './dom.js';

const DEBOUNCE_MS = 350;
/** The groups of the settings every connector has (Kafka's ConnectorConfig and its source and
 * sink variants): shown after the plugin's own, folded unless they need attention. */
const COMMON_GROUPS = new Set(['Common', 'Transforms', 'Predicates', 'Error Handling', 'Topic Creation',
  'Exactly Once Support', 'offsets.storage']);

/** `#/new`: pick a plugin, then its form. */
export function createView(plugin, version) {
  if (plugin) return formView({ plugin, version, mode: 'create' });
  const list = h('div', { class: 'plugin-pick' }, h('p', { class: 'muted' }, 'Loading plugins…'));
  const el = h('section', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors'), ' / '),
    h('h1', null, 'New connector'),
    h('p', null, 'Choose the plugin the connector runs.'), list);
  get('connector-plugins?connectors_only=true').then((plugins) => {
    list.replaceChildren(h('ul', { class: 'cards' }, plugins.map((p) => h('li', null,
      h('a', { class: 'card', href: `#/new/${seg(p.class)}?version=${seg(p.version)}` },
        h('span', { class: 'card-title wrap' }, shortName(p.class)),
        h('span', { class: 'mono wrap muted' }, p.class),
        h('span', null, h('span', { class: 'tag' }, p.type), ' ', h('span', { class: 'tag' }, `v${p.version}`)))))));
    if (!plugins.length) list.replaceChildren(h('p', null, 'No connector plugins are installed: add libraries to plugin.path.'));
  }).catch((e) => list.replaceChildren(h('p', { class: 'field-error' }, e.message)));
  return { el, title: 'New connector' };
}

/** `#/connectors/{name}/edit`. */
export function editView(name) {
  const holder = h('section', { class: 'page' }, h('h1', null, `Edit ${name}`), h('p', { class: 'muted' }, 'Loading…'));
  const view = { el: holder, title: `Edit ${name}` };
  get(`connectors/${seg(name)}/config`).then((config) => {
    const inner = formView({ plugin: config['connector.class'], version: null, mode: 'edit', name, initial: config });
    holder.replaceWith(inner.el);
    view.el = inner.el;
  }).catch((e) => holder.append(h('p', { class: 'field-error' }, e.message)));
  return view;
}

function shortName(cls) {
  return cls.split('.').pop().replace(/Connector$/, '');
}

function formView({ plugin, version, mode, name: fixedName, initial = {} }) {
  const creating = mode === 'create';
  const status = h('p', { class: 'form-status', role: 'status' });
  const groupsBox = h('div', { class: 'groups' }, h('p', { class: 'muted' }, 'Loading the plugin’s settings…'));
  const nameInput = h('input', { id: 'f-name', name: 'name', required: true, autocomplete: 'off', 'aria-describedby': 'e-name', value: fixedName || '', readonly: !creating });
  const nameError = h('p', { class: 'field-error', id: 'e-name' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, creating ? 'Create connector' : 'Save configuration');
  const raw = h('textarea', { id: 'raw', rows: 8, class: 'mono', spellcheck: 'false', placeholder: '{"name": "…", "config": {…}}  or  key=value lines' });
  const rawError = h('p', { class: 'field-error', id: 'e-raw' });
  const form = h('form', { class: 'connector-form', novalidate: true },
    h('div', { class: 'field field-name' },
      h('label', { for: 'f-name' }, 'Name', h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')),
      nameInput, h('p', { class: 'doc' }, 'Unique within the cluster; it names the connector in every API call.'), nameError),
    h('details', { class: 'raw' },
      h('summary', null, 'Paste JSON or properties'),
      h('label', { for: 'raw' }, 'A connector as JSON (as POST /connectors takes it, or only its config) or a .properties file'),
      raw, rawError,
      h('button', { type: 'button', class: 'btn', onclick: () => applyRaw() }, 'Apply to the form')),
    groupsBox,
    h('div', { class: 'form-actions' }, submit,
      h('a', { class: 'btn', href: creating ? '#/new' : `#/connectors/${seg(fixedName)}` }, 'Cancel'), status));
  const el = h('section', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors'), ' / ',
      creating ? h('a', { href: '#/new' }, 'New connector') : h('a', { href: `#/connectors/${seg(fixedName)}` }, fixedName), ' / '),
    h('h1', { class: 'wrap' }, creating ? `New ${shortName(plugin)} connector` : `Edit ${fixedName}`),
    h('p', { class: 'mono muted wrap' }, plugin, version ? ` · v${version}` : ''),
    form);

  /** name → { def, input, error, wrap } */
  const fields = new Map();
  const groups = new Map();
  let pluginKeys = new Set();
  let timer = null;
  let seq = 0;
  let lastResult = null;

  function config() {
    const c = { 'connector.class': plugin };
    if (version && creating && !('connector.plugin.version' in initial)) c['connector.plugin.version'] = version;
    for (const [k, f] of fields) {
      const v = f.input.value;
      if (v !== '') c[k] = v;
    }
    const name = nameInput.value.trim();
    if (name) c.name = name;
    return c;
  }

  function groupBox(group, open) {
    let g = groups.get(group);
    if (g) return g;
    const list = h('div', { class: 'group-fields' });
    const details = h('details', { class: 'group', open }, h('summary', null, h('span', { class: 'group-name' }, group), h('span', { class: 'group-errors' })), list);
    g = { details, list, open };
    groups.set(group, g);
    groupsBox.append(details);
    return g;
  }

  function addField(def, value) {
    const id = `f-${def.name}`;
    const docId = `d-${def.name}`;
    const errId = `e-${def.name}`;
    let input;
    const common = { id, name: def.name, 'aria-describedby': `${errId} ${docId}`, autocomplete: 'off' };
    if (def.type === 'BOOLEAN') {
      input = h('select', common,
        h('option', { value: '' }, def.default_value !== null ? `Default (${def.default_value})` : 'Not set'),
        h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    } else {
      input = h('input', {
        ...common,
        type: def.type === 'PASSWORD' ? 'password' : 'text',
        inputmode: ['INT', 'LONG', 'SHORT'].includes(def.type) ? 'numeric' : (def.type === 'DOUBLE' ? 'decimal' : null),
        placeholder: def.default_value ? `Default: ${def.default_value}` : (def.type === 'LIST' ? 'comma-separated' : ''),
        spellcheck: 'false',
        required: def.required,
      });
    }
    if (value !== undefined && value !== null) input.value = value;
    const list = h('datalist', { id: `l-${def.name}` });
    if (input.tagName === 'INPUT') input.setAttribute('list', list.id);
    const error = h('p', { class: 'field-error', id: errId });
    const label = def.display_name && def.display_name !== def.name ? def.display_name : def.name;
    const wrap = h('div', { class: 'field', 'data-field': def.name },
      h('label', { for: id }, label, def.required ? h('span', { class: 'req', title: 'required' }, ' *') : null,
        label !== def.name ? h('span', { class: 'key mono' }, def.name) : null),
      input, list,
      h('p', { class: 'doc', id: docId },
        h('span', { class: 'type' }, def.type), def.importance ? h('span', { class: 'type' }, def.importance.toLowerCase()) : null,
        ' ', def.documentation || ''),
      error);
    input.addEventListener('input', schedule);
    input.addEventListener('change', schedule);
    const mine = pluginKeys.has(def.name) || !COMMON_GROUPS.has(def.group);
    const group = def.group || 'Settings';
    const g = groupBox(mine && !def.group ? `${shortName(plugin)} settings` : group, mine || def.required);
    g.list.append(wrap);
    const f = { def, input, error, wrap, list, group: g };
    fields.set(def.name, f);
    return f;
  }

  function showResult(result) {
    lastResult = result;
    const errorsByGroup = new Map();
    for (const item of result.configs) {
      const def = item.definition;
      const v = item.value;
      if (def.name === 'name') {
        setError(nameInput, nameError, v.errors);
        continue;
      }
      if (def.name === 'connector.class') continue;
      let f = fields.get(def.name);
      if (!f) f = addField(def, initial[def.name]);
      setError(f.input, f.error, v.errors);
      f.wrap.hidden = v.visible === false && !v.errors.length;
      const recommended = v.recommended_values || [];
      if (f.list.childElementCount !== recommended.length) f.list.replaceChildren(...recommended.map((r) => h('option', { value: r })));
      if (v.errors.length) errorsByGroup.set(f.group, (errorsByGroup.get(f.group) || 0) + v.errors.length);
    }
    for (const g of groups.values()) {
      const n = errorsByGroup.get(g) || 0;
      g.details.querySelector('.group-errors').textContent = n ? ` · ${n} error${n === 1 ? '' : 's'}` : '';
      if (n) g.details.open = true;
    }
    status.className = `form-status ${result.error_count ? 'has-errors' : 'ok'}`;
    status.textContent = result.error_count ? `${result.error_count} setting${result.error_count === 1 ? ' needs' : 's need'} attention` : 'The configuration is valid';
  }

  function setError(input, error, errors) {
    error.textContent = errors.join(' ');
    if (errors.length) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  async function validate() {
    const mine = ++seq;
    const result = await api('PUT', `connector-plugins/${seg(plugin)}/config/validate`, config());
    if (mine !== seq) return null;
    showResult(result);
    return result;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => validate().catch((e) => { status.className = 'form-status has-errors'; status.textContent = e.message; }), DEBOUNCE_MS);
  }

  function applyRaw() {
    const text = raw.value.trim();
    let values;
    try {
      values = parseRaw(text);
    } catch (e) {
      rawError.textContent = e.message;
      raw.setAttribute('aria-invalid', 'true');
      raw.focus();
      return;
    }
    rawError.textContent = '';
    raw.removeAttribute('aria-invalid');
    if (values['connector.class'] && values['connector.class'] !== plugin && shortName(values['connector.class']) !== shortName(plugin)) {
      rawError.textContent = `This configuration is for ${values['connector.class']}, not ${plugin}.`;
      return;
    }
    for (const [k, v] of Object.entries(values)) {
      if (k === 'name') { if (creating) nameInput.value = v; continue; }
      if (k === 'connector.class') continue;
      initial[k] = v;
      const f = fields.get(k);
      if (f) f.input.value = v;
    }
    // Keys the form does not show yet (a transform's settings…) arrive with the validation.
    for (const k of Object.keys(values)) {
      if (!fields.has(k) && k !== 'name' && k !== 'connector.class') addField({ name: k, type: 'STRING', required: false, default_value: null, documentation: '', group: 'Other', display_name: k }, values[k]);
    }
    toast('Applied to the form');
    validate().catch((e) => toast(e.message, 'error'));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearTimeout(timer);
    submit.disabled = true;
    try {
      const name = nameInput.value.trim();
      if (!name) {
        setError(nameInput, nameError, ['A name is required.']);
        nameInput.focus();
        return;
      }
      const result = await validate();
      if (result && result.error_count) {
        const first = form.querySelector('[aria-invalid="true"]');
        if (first) {
          const group = first.closest('details');
          if (group) group.open = true;
          first.focus();
        }
        return;
      }
      const c = config();
      if (creating) {
        await api('POST', 'connectors', { name, config: c });
        toast(`Created ${name}`, 'ok');
      } else {
        await api('PUT', `connectors/${seg(name)}/config`, c);
        toast(`Saved ${name}`, 'ok');
      }
      location.hash = `#/connectors/${seg(name)}`;
    } catch (err) {
      status.className = 'form-status has-errors';
      status.textContent = err instanceof ApiError ? err.message : String(err);
      if (err instanceof ApiError && err.status === 409) setError(nameInput, nameError, [err.message]);
    } finally {
      submit.disabled = false;
    }
  });
  nameInput.addEventListener('input', schedule);

  Promise.all([
    get(`connector-plugins/${seg(plugin)}/config${version ? `?version=${seg(version)}` : ''}`),
    api('PUT', `connector-plugins/${seg(plugin)}/config/validate`, { ...initial, 'connector.class': plugin }),
  ]).then(([own, result]) => {
    pluginKeys = new Set(own.filter((k) => !COMMON_GROUPS.has(k.group)).map((k) => k.name));
    groupsBox.replaceChildren();
    // The plugin's own settings first, then Kafka Connect's common groups, each in its order.
    const ownIndex = new Map(own.map((k, i) => [k.name, i]));
    const rank = (def) => (pluginKeys.has(def.name) ? ownIndex.get(def.name) : own.length);
    const order = new Map(result.groups.map((g, i) => [g, i]));
    const defs = result.configs.map((c) => c.definition)
      .filter((d) => d.name !== 'name' && d.name !== 'connector.class')
      .sort((a, b) => rank(a) - rank(b) || (order.get(a.group) ?? 999) - (order.get(b.group) ?? 999) || a.order - b.order || a.name.localeCompare(b.name));
    for (const def of defs) addField(def, initial[def.name]);
    // Settings the connector has that its plugin does not define.
    for (const [k, v] of Object.entries(initial)) {
      if (!fields.has(k) && k !== 'name' && k !== 'connector.class') addField({ name: k, type: 'STRING', required: false, default_value: null, documentation: 'Not a setting of this plugin.', group: 'Other', display_name: k }, v);
    }
    if (creating) {
      // A fresh form shows no errors before the user has typed anything.
      status.textContent = `${result.configs.filter((c) => c.definition.required).length} required settings are marked *`;
    } else {
      showResult(result);
    }
  }).catch((e) => groupsBox.replaceChildren(h('p', { class: 'field-error' }, e.message)));

  return { el, title: creating ? `New ${shortName(plugin)}` : `Edit ${fixedName}` };
}

/** A pasted connector: JSON ({name, config} or a flat config) or .properties text. */
export function parseRaw(text) {
  if (!text) throw new Error('Nothing to apply: paste JSON or properties first.');
  if (text.startsWith('{')) {
    let data;
    try { data = JSON.parse(text); } catch (e) { throw new Error(`Not valid JSON: ${e.message}`); }
    const config = data.config && typeof data.config === 'object' ? { ...data.config } : { ...data };
    if (data.config && data.name) config.name = data.name;
    for (const [k, v] of Object.entries(config)) {
      if (v !== null && typeof v === 'object') throw new Error(`The value of ${k} must be a string, not an object.`);
      config[k] = v === null ? '' : String(v);
    }
    return config;
  }
  const config = {};
  const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const l = line.trim();
    if (!l || l.startsWith('#') || l.startsWith('!')) continue;
    const m = /^((?:[^=:\s\\]|\\.)+)\s*[=:\s]\s*(.*)$/.exec(l);
    if (!m) throw new Error(`Line ${i + 1} is not key=value: ${l}`);
    config[m[1].replace(/\\(.)/g, '$1')] = m[2];
  }
  return config;
}
