// @ts-check
/**
 * Finding the page's elements and making new ones. Text always goes in as text, never as markup:
 * node names and audit entries come from the daemon and must not become HTML.
 */

/**
 * The element index.html has with this id, of this kind; the page cannot work without it.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T }} kind
 * @returns {T}
 */
export function byId(id, kind) {
  const e = document.getElementById(id);
  if (!(e instanceof kind)) throw new Error(`the page has no ${kind.name} #${id}`);
  return e;
}

/** @typedef {string | number | boolean | null | undefined} AttributeValue */

/**
 * A new element. `class` and `text` set the class name and text; other attributes are set as
 * given, `true` as a bare attribute; null, undefined and false leave the attribute out, and null
 * or undefined children are skipped (so optional parts can be written inline).
 * @param {string} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElement}
 */
export function el(tag, attributes = {}, ...children) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') e.className = String(value);
    else if (name === 'text') e.textContent = String(value);
    else e.setAttribute(name, value === true ? '' : String(value));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
