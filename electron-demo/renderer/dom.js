// Tiny DOM helpers: the UI builds its elements in code (no framework, no innerHTML), so text from the database is
// never parsed as markup.

/**
 * h('td', { 'data-col': 'name', class: 'x' }, 'Lea') -> <td data-col="name" class="x">Lea</td>
 * Props: `class`, `text`, `on<event>` listeners, anything else becomes an attribute (true -> "", null/false -> none).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** The first element matching `selector` (throws: a missing element is a bug in index.html, not a runtime state). */
export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

export const byTestId = (id, root = document) => $(`[data-testid="${id}"]`, root);
