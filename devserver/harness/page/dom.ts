/** A tiny element builder for the harness page (no framework: the control brings its own React). */
export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Array<Node | string>): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  el.append(...children);
  return el;
}
