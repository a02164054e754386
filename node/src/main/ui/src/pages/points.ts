import { api, encode, type PointId, type ScrollResult } from '../api';
import { pickCollection } from '../collectionPicker';
import { errorBox, h, json, table } from '../dom';
import { parseJson } from './search';

/** Every point of a collection, a page at a time (scroll in id order), optionally filtered. */
export async function pointsPage(params: URLSearchParams): Promise<HTMLElement> {
  const { name, picker } = await pickCollection('points', params);
  const section = h('section', { 'data-testid': 'points-page' }, h('h2', {}, 'Points'), picker);
  if (name === null) {
    section.append(h('p', {}, 'No collections yet.'));
    return section;
  }
  const pageSize = h('input', { 'data-testid': 'page-size', type: 'number', min: 1, max: 1000, value: Number(params.get('size')) || 10 }) as HTMLInputElement;
  const filter = h('textarea', { 'data-testid': 'points-filter', rows: 2, placeholder: 'filter (JSON, optional)' }) as HTMLTextAreaElement;
  const withVector = h('input', { type: 'checkbox', 'data-testid': 'points-with-vector' }) as HTMLInputElement;
  const body = h('div', { 'data-testid': 'points-body' });
  // offsets[i] is where page i starts (null: the beginning).
  let offsets: (PointId | null)[] = [null];
  let page = 0;
  let next: PointId | null = null;

  const prev = h('button', { 'data-testid': 'prev-page', onclick: () => void show(page - 1) }, '← Previous') as HTMLButtonElement;
  const nextButton = h('button', { 'data-testid': 'next-page', onclick: () => void show(page + 1) }, 'Next →') as HTMLButtonElement;
  const pageLabel = h('span', { 'data-testid': 'page-number' });

  async function show(target: number): Promise<void> {
    if (target > page && next === null) return;
    if (target > page) offsets[target] = next;
    page = Math.max(0, target);
    body.dataset.state = 'loading';
    prev.disabled = true;
    nextButton.disabled = true;
    try {
      const request: Record<string, unknown> = {
        limit: Number(pageSize.value) || 10,
        with_payload: true,
        with_vector: withVector.checked,
      };
      if (offsets[page] !== null) request.offset = offsets[page];
      if (filter.value.trim()) request.filter = parseJson(filter.value, 'filter');
      const result = await api<ScrollResult>('POST', `/collections/${encode(name!)}/points/scroll`, request);
      next = result.next_page_offset;
      pageLabel.textContent = `Page ${page + 1}`;
      body.replaceChildren(table('points', ['Id', 'Payload', ...(withVector.checked ? ['Vector'] : [])], result.points.map((p) => ({
        attrs: { 'data-testid': 'point-row', 'data-id': String(p.id) },
        cells: [String(p.id), json(p.payload ?? null), ...(withVector.checked ? [json(p.vector)] : [])],
      }))));
    } catch (error) {
      body.replaceChildren(errorBox(error));
    }
    prev.disabled = page === 0;
    nextButton.disabled = next === null;
    body.dataset.state = 'ready';
  }

  function restart(): void {
    offsets = [null];
    page = 0;
    next = null;
    void show(0);
  }

  section.append(
    h('form', { class: 'console', onsubmit: (e: Event) => { e.preventDefault(); restart(); } },
      h('div', { class: 'row' }, h('label', {}, 'Page size ', pageSize), h('label', {}, withVector, ' with vectors'),
        h('button', { type: 'submit', 'data-testid': 'points-apply' }, 'Apply')),
      filter),
    h('div', { class: 'pager' }, prev, pageLabel, nextButton),
    body);
  await show(0);
  return section;
}
