/** Small DOM helpers shared by the portal's pages (no framework; no inline style or script). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) created.setAttribute(key, value);
  created.append(...children);
  return created;
}

/** A labelled input in a paragraph. */
export function labelledInput(id: string, text: string, type = 'text', autocomplete = 'off'): HTMLElement {
  return element(
    'p',
    {},
    element('label', { for: id }, text),
    element('input', { id, name: id, type, required: '', autocomplete }),
  );
}

/** A page section whose h2 heading labels it. */
export function section(id: string, heading: string, ...children: Array<Node | string>): HTMLElement {
  return element(
    'section',
    { id, 'aria-labelledby': `${id}-heading` },
    element('h2', { id: `${id}-heading` }, heading),
    ...children,
  );
}

/** Money in fen (a decimal string, as the API's `Money`) as yuan with two decimals. */
export function yuan(fen: string | bigint): string {
  const value = BigInt(fen);
  const sign = value < 0n ? '-' : '';
  const absolute = value < 0n ? -value : value;
  return `${sign}¥${absolute / 100n}.${String(absolute % 100n).padStart(2, '0')}`;
}

/** A table that scrolls sideways on its own on a narrow phone instead of widening the page. */
export function table(
  caption: string,
  headings: string[],
  rows: Array<Array<Node | string>>,
  id?: string,
): HTMLElement {
  const head = element('tr', {}, ...headings.map((heading) => element('th', { scope: 'col' }, heading)));
  const body = rows.map((cells) => element('tr', {}, ...cells.map((cell) => element('td', {}, cell))));
  return element(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    element(
      'table',
      id ? { id } : {},
      element('caption', {}, caption),
      element('thead', {}, head),
      element('tbody', {}, ...body),
    ),
  );
}
