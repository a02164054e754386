import { api, encode, peerNames, type CollectionCluster, type ShardReplicas } from '../api';
import { pickCollection } from '../collectionPicker';
import { h, table } from '../dom';

/** Where each replica of each shard lives, its Raft role, indexes and lag; transfers and their progress. */
export async function shardsPage(params: URLSearchParams): Promise<HTMLElement> {
  const { name, picker } = await pickCollection('shards', params);
  const section = h('section', { 'data-testid': 'shards-page' }, h('h2', {}, 'Shards'), picker);
  if (name === null) {
    section.append(h('p', {}, 'No collections yet.'));
    return section;
  }
  const [replicas, cluster, peer] = await Promise.all([
    api<ShardReplicas>('GET', `/collections/${encode(name)}/cluster/replicas`),
    api<CollectionCluster>('GET', `/collections/${encode(name)}/cluster`),
    peerNames(),
  ]);
  const rows = replicas.shards.flatMap((shard) => shard.replicas.map((r) => ({
    attrs: { 'data-testid': 'replica-row', 'data-shard': shard.shard_id, 'data-peer': peer(r.peer_id), 'data-role': r.role ?? '' },
    cells: [
      shard.shard_id,
      `node ${peer(r.peer_id)}`,
      h('span', { class: `badge ${r.role === 'Leader' ? 'leader' : ''}` }, r.role ?? '—'),
      h('span', { class: `badge ${r.state === 'Active' ? 'ok' : 'bad'}`, title: r.problem }, r.state),
      r.commit_index ?? '—',
      r.applied_index ?? '—',
      r.lag ?? '—',
    ],
  })));
  const transfers = [
    ...replicas.transfers.map((t) => ({
      attrs: { 'data-testid': 'transfer-row' },
      cells: [t.shard_id, '', `node ${peer(t.to_peer_id)}`, progress(t.progress)],
    })),
    ...cluster.shard_transfers.map((t) => ({
      attrs: { 'data-testid': 'transfer-row' },
      cells: [t.shard_id, `node ${peer(t.from)}`, `node ${peer(t.to)}`, t.comment ?? ''],
    })),
  ];
  section.append(
    h('p', {}, h('span', { 'data-testid': 'shard-count' }, cluster.shard_count), ' shards of ', h('b', {}, name)),
    table('replicas', ['Shard', 'Node', 'Raft role', 'State', 'Commit', 'Applied', 'Lag (entries)'], rows),
    h('h3', {}, 'Transfers'),
    transfers.length === 0 ? h('p', { 'data-testid': 'no-transfers' }, 'No shard transfer in progress.')
      : table('transfers', ['Shard', 'From', 'To', 'Progress'], transfers));
  return section;
}

function progress(fraction: number | undefined): HTMLElement | string {
  if (fraction === undefined) return 'waiting for a leader';
  const percent = Math.round(fraction * 100);
  return h('span', { class: 'progress' }, h('progress', { max: 100, value: percent }), ` ${percent}%`);
}
