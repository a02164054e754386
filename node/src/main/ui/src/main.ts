import './style.css';
import { apiKey, setApiKey } from './api';
import { errorBox, h } from './dom';
import { clusterPage } from './pages/cluster';
import { collectionsPage } from './pages/collections';
import { pointsPage } from './pages/points';
import { searchPage } from './pages/search';
import { shardsPage } from './pages/shards';

type Page = (params: URLSearchParams) => Promise<HTMLElement>;

const PAGES: Record<string, { title: string; render: Page }> = {
  cluster: { title: 'Cluster', render: clusterPage },
  collections: { title: 'Collections', render: collectionsPage },
  shards: { title: 'Shards', render: shardsPage },
  search: { title: 'Search', render: searchPage },
  points: { title: 'Points', render: pointsPage },
};

const content = h('main', { 'data-testid': 'content' });
const nav = h('nav', {}, Object.entries(PAGES).map(([id, p]) => h('a', { href: `#/${id}`, 'data-page': id }, p.title)));
const keyInput = h('input', { type: 'password', 'data-testid': 'api-key', placeholder: 'API key (if the node needs one)', value: apiKey(), autocomplete: 'off' }) as HTMLInputElement;

function route(): { id: string; params: URLSearchParams } {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  return { id: PAGES[path] ? path : 'cluster', params: new URLSearchParams(query ?? '') };
}

let renderCount = 0;

/** Renders the page of the hash; the newest render wins when several overlap. */
async function render(): Promise<void> {
  const { id, params } = route();
  const mine = ++renderCount;
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === id);
  content.setAttribute('data-state', 'loading');
  content.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  let view: HTMLElement;
  try {
    view = await PAGES[id].render(params);
  } catch (error) {
    view = errorBox(error);
  }
  if (mine !== renderCount) return;
  content.replaceChildren(view);
  content.setAttribute('data-state', 'ready');
  content.setAttribute('data-page', id);
}

document.getElementById('app')!.replaceChildren(
  h('header', {},
    h('h1', {}, h('span', { class: 'logo' }, '◆'), ' Quiver'),
    nav,
    h('form', { class: 'key', onsubmit: (e: Event) => { e.preventDefault(); setApiKey(keyInput.value.trim()); void render(); } },
      keyInput, h('button', { type: 'submit', 'data-testid': 'api-key-save' }, 'Use key'),
      h('button', { type: 'button', onclick: () => void render(), title: 'Reload this page\'s data' }, '↻'))),
  content);

window.addEventListener('hashchange', () => void render());
void render();
