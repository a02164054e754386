import { api } from './api';
import { h } from './dom';

/**
 * The collection a page works on: `?c=` of the page's hash, else the first collection. Changing
 * the selection changes the hash (so every view can be linked to and reloaded).
 */
export async function pickCollection(page: string, params: URLSearchParams): Promise<{ name: string | null; picker: HTMLElement }> {
  const list = await api<{ collections: { name: string }[] }>('GET', '/collections');
  const names = list.collections.map((c) => c.name).sort();
  const wanted = params.get('c');
  const name = wanted && names.includes(wanted) ? wanted : names[0] ?? null;
  const select = h('select', {
    'data-testid': 'collection-select',
    onchange: (e: Event) => {
      location.hash = `#/${page}?c=${encodeURIComponent((e.target as HTMLSelectElement).value)}`;
    },
  }, names.map((n) => h('option', { value: n, selected: n === name }, n))) as HTMLSelectElement;
  return { name, picker: h('label', { class: 'picker' }, 'Collection ', select) };
}
