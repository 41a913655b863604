// The overlay's only way to build DOM. Strings always become text nodes (textContent), never
// markup: page and server data can hold anything. on* listeners hear trusted events only
// (shadow.js): page script cannot press our buttons.

import { trusted } from './shadow.js';

const PROPERTY_KEYS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'type', 'name', 'id', 'htmlFor']);

/**
 * h('button', {class: 'x', 'data-microscout-action': 'save', onclick: fn}, 'Save', child, ...)
 * Attribute values are set with setAttribute; on* keys add trusted-only listeners; children are
 * nodes or text.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), trusted(value));
    } else if (PROPERTY_KEYS.has(key)) {
      element[key] = value;
    } else if (key === 'class') {
      element.className = String(value);
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all children of ``parent`` with ``children``. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}
