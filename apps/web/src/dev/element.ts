/** Children of `element`: text (always set as text, never parsed as HTML) or elements. */
export type Child = string | Node | null | undefined | false;

/**
 * Creates an element with attributes and children. Strings become text nodes: a compiler message
 * or a log line holding `<script>` or `<img onerror=...>` shows as those characters and runs nothing.
 */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}
