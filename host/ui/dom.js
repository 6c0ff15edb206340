// Small DOM helpers: elements are built with text nodes, never from HTML strings, so names
// and traces from the worker are always shown as text.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Replaces the children of `el`, skipping null, undefined and false. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** A connector or task state as a coloured badge (the word is always there, not only the colour). */
export function stateBadge(state) {
  const st = state || 'UNKNOWN';
  return h('span', { class: `state state-${st.toLowerCase()}` }, st);
}

/** A short message for everyone, read by screen readers too. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : null }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 9000 : 4000);
}

/**
 * A modal dialog: focus moves into it (to the first [autofocus] element, else the first
 * control), Tab stays inside, Escape cancels, and focus returns to where it was.
 * `build(close)` returns the body; resolves to what `close(value)` was given (null on cancel).
 */
export function dialog(title, build) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    let result = null;
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' });
    const close = (value) => { result = value; dlg.close(); };
    dlg.append(h('h2', { id: 'dialog-title' }, title), build(close));
    dlg.addEventListener('close', () => {
      dlg.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** Asks before a destructive action; resolves to true when confirmed. */
export function confirmAction({ title, message, confirm, danger = true }) {
  return dialog(title, (close) => h('form', { method: 'dialog', class: 'dialog-body', onsubmit: (e) => { e.preventDefault(); close(true); } },
    h('p', null, message),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'btn', autofocus: true, onclick: () => close(false) }, 'Cancel'),
      h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary' }, confirm)))).then((v) => v === true);
}

/** Runs `work` with `button` disabled, reporting success or the API's error. */
export async function act(button, work, done) {
  if (button) button.disabled = true;
  try {
    await work();
    if (done) toast(done, 'ok');
    return true;
  } catch (e) {
    toast(e.message, 'error');
    return false;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

/** Formats a rate or count compactly. */
export function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (v >= 100 || Number.isInteger(v)) return Math.round(v).toString();
  return v.toFixed(1);
}
