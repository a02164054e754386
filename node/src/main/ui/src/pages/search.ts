import { api, encode, type ScoredPoint } from '../api';
import { pickCollection } from '../collectionPicker';
import { errorBox, h, json, table } from '../dom';

/** A query console: a vector (or a point id), an optional filter, and the points found with payloads. */
export async function searchPage(params: URLSearchParams): Promise<HTMLElement> {
  const { name, picker } = await pickCollection('search', params);
  const section = h('section', { 'data-testid': 'search-page' }, h('h2', {}, 'Search'), picker);
  if (name === null) {
    section.append(h('p', {}, 'No collections yet.'));
    return section;
  }
  const query = h('textarea', { 'data-testid': 'query-input', rows: 2, placeholder: '[0.1, 0.2, 0.3, 0.4]  or a point id' }) as HTMLTextAreaElement;
  const using = h('input', { 'data-testid': 'using-input', placeholder: 'vector name (optional)' }) as HTMLInputElement;
  const filter = h('textarea', { 'data-testid': 'filter-input', rows: 4, placeholder: '{"must": [{"key": "city", "match": {"value": "Berlin"}}]}' }) as HTMLTextAreaElement;
  const limit = h('input', { 'data-testid': 'limit-input', type: 'number', min: 1, max: 1000, value: 10 }) as HTMLInputElement;
  const withVector = h('input', { type: 'checkbox', 'data-testid': 'with-vector' }) as HTMLInputElement;
  const results = h('div', { 'data-testid': 'search-results' });

  async function run(e: Event): Promise<void> {
    e.preventDefault();
    results.replaceChildren(h('p', { class: 'loading' }, 'Searching…'));
    try {
      const body: Record<string, unknown> = {
        query: parseQuery(query.value),
        limit: Number(limit.value) || 10,
        with_payload: true,
        with_vector: withVector.checked,
      };
      if (using.value.trim()) body.using = using.value.trim();
      if (filter.value.trim()) body.filter = parseJson(filter.value, 'filter');
      const answer = await api<{ points: ScoredPoint[] }>('POST', `/collections/${encode(name!)}/points/query`, body);
      results.replaceChildren(
        h('p', { 'data-testid': 'hit-count' }, `${answer.points.length} point(s)`),
        table('hits', ['Id', 'Score', 'Payload', ...(withVector.checked ? ['Vector'] : [])], answer.points.map((p) => ({
          attrs: { 'data-testid': 'hit-row', 'data-id': String(p.id) },
          cells: [String(p.id), p.score.toFixed(4), json(p.payload ?? null), ...(withVector.checked ? [json(p.vector)] : [])],
        }))));
    } catch (error) {
      results.replaceChildren(errorBox(error));
    }
  }

  section.append(
    h('form', { class: 'console', 'data-testid': 'search-form', onsubmit: (e: Event) => void run(e) },
      h('label', {}, 'Query', query),
      h('label', {}, 'Using', using),
      h('label', {}, 'Filter (JSON, Qdrant\'s filter language)', filter),
      h('div', { class: 'row' }, h('label', {}, 'Limit ', limit), h('label', {}, withVector, ' with vectors'),
        h('button', { type: 'submit', 'data-testid': 'search-button' }, 'Search'))),
    results);
  return section;
}

/** A JSON vector, a sparse {indices, values}, or a point id (a number or a UUID). */
function parseQuery(text: string): unknown {
  const t = text.trim();
  if (!t) throw new Error('Enter a query vector, e.g. [0.1, 0.2, 0.3, 0.4], or a point id');
  if (/^\d+$/.test(t)) return Number(t);
  if (/^[0-9a-f-]{36}$/i.test(t)) return t;
  return parseJson(t.startsWith('[') || t.startsWith('{') ? t : `[${t}]`, 'query');
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`The ${what} is not valid JSON: ${(e as Error).message}`);
  }
}
