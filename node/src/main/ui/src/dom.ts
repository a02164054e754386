// A small element builder: text always goes in as text (never as HTML), so data from the
// database cannot inject markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

export function h(tag: string, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A table with a header row; each row is a list of cells, with optional attributes for the row. */
export function table(testId: string, headers: string[], rows: { attrs?: Attrs; cells: Child[] }[]): HTMLElement {
  return h('table', { 'data-testid': testId },
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.map((r) => h('tr', r.attrs ?? {}, r.cells.map((c) => h('td', {}, c))))));
}

/** JSON shown compactly in a cell (long values are cut, the whole is in the title). */
export function json(value: unknown, max = 160): HTMLElement {
  const text = value === undefined ? '' : JSON.stringify(value);
  return h('code', { class: 'json', title: text.length > max ? text : undefined }, text.length > max ? text.slice(0, max) + '…' : text);
}

export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { status?: number }).status;
  const hint = status === 401 ? ' — enter a valid API key above' : status === 403 ? ' — this key may not do that' : '';
  return h('div', { class: 'error', 'data-testid': 'error' }, (status ? `${status}: ` : '') + message + hint);
}

export function stat(label: string, value: Child, testId: string): HTMLElement {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value', 'data-testid': testId }, value));
}
