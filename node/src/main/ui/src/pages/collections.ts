import { api, encode, type CollectionInfo, type VectorParams } from '../api';
import { h, json, table } from '../dom';

/** Every collection: status, points, segments, vectors and sharding, with its full config. */
export async function collectionsPage(): Promise<HTMLElement> {
  const list = await api<{ collections: { name: string }[] }>('GET', '/collections');
  const names = list.collections.map((c) => c.name).sort();
  const infos = await Promise.all(names.map((n) => api<CollectionInfo>('GET', `/collections/${encode(n)}`)));
  const rows = names.map((name, i) => {
    const info = infos[i];
    const p = info.config.params;
    return {
      attrs: { 'data-testid': 'collection-row', 'data-collection': name },
      cells: [
        h('a', { href: `#/shards?c=${encode(name)}` }, name),
        h('span', { class: `badge ${info.status}` }, info.status),
        h('span', { 'data-testid': 'points-count' }, info.points_count ?? 0),
        info.indexed_vectors_count ?? 0,
        info.segments_count,
        vectors(p.vectors),
        `${p.shard_number ?? 1} × rf ${p.replication_factor ?? 1}`,
        h('details', {}, h('summary', {}, 'config'), h('pre', {}, JSON.stringify(info.config, null, 2)),
          info.payload_schema && Object.keys(info.payload_schema).length ? h('pre', {}, 'payload_schema ' + JSON.stringify(info.payload_schema, null, 2)) : null),
      ],
    };
  });
  return h('section', { 'data-testid': 'collections-page' },
    h('h2', {}, `Collections (${names.length})`),
    names.length === 0 ? h('p', {}, 'No collections yet.') :
      table('collections', ['Name', 'Status', 'Points', 'Indexed vectors', 'Segments', 'Vectors', 'Shards', 'Config'], rows));
}

function vectors(v: VectorParams | Record<string, VectorParams> | undefined): HTMLElement | string {
  if (!v) return 'none';
  if (typeof (v as VectorParams).size === 'number') return `${(v as VectorParams).size} · ${(v as VectorParams).distance}`;
  return json(Object.fromEntries(Object.entries(v as Record<string, VectorParams>).map(([k, p]) => [k, `${p.size} · ${p.distance}`])));
}
