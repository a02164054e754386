import { api, probe, encode, type ClusterInfo, type ShardReplicas, type Telemetry } from '../api';
import { h, stat, table } from '../dom';

interface NodeHealth {
  replicas: number;
  unreachable: number;
  leaders: number;
}

/** Nodes, the meta group's leader and term, this node's readiness, and each node's replicas as seen over Raft. */
export async function clusterPage(): Promise<HTMLElement> {
  const [cluster, telemetry, ready, collections] = await Promise.all([
    api<ClusterInfo>('GET', '/cluster'),
    api<Telemetry>('GET', '/telemetry'),
    probe('/readyz'),
    api<{ collections: { name: string }[] }>('GET', '/collections'),
  ]);
  const health = new Map<number, NodeHealth>();
  for (const id of Object.keys(cluster.peers)) health.set(Number(id), { replicas: 0, unreachable: 0, leaders: 0 });
  const views = await Promise.all(collections.collections.map((c) =>
    api<ShardReplicas>('GET', `/collections/${encode(c.name)}/cluster/replicas`).catch(() => null)));
  for (const view of views) {
    for (const shard of view?.shards ?? []) {
      for (const r of shard.replicas) {
        const node = health.get(r.peer_id) ?? { replicas: 0, unreachable: 0, leaders: 0 };
        node.replicas++;
        if (r.state === 'Unreachable') node.unreachable++;
        if (r.role === 'Leader') node.leaders++;
        health.set(r.peer_id, node);
      }
    }
  }
  // Ids are 64-bit: the peers' keys are exact, numbers parsed from JSON are rounded (see peerNames).
  const keys = Object.keys(cluster.peers).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const name = (id: number | null) => keys.find((k) => Number(k) === id) ?? String(id);
  const leader = cluster.raft_info.leader;
  return h('section', { 'data-testid': 'cluster-page' },
    h('h2', {}, 'Cluster'),
    h('div', { class: 'stats' },
      stat('Nodes', keys.length, 'node-count'),
      stat('Meta leader', leader === null ? 'none' : `node ${name(leader)}`, 'meta-leader'),
      stat('Meta term / commit', `${cluster.raft_info.term} / ${cluster.raft_info.commit}`, 'meta-term'),
      stat('This node', `${name(cluster.peer_id)} (${cluster.raft_info.role})`, 'this-node'),
      stat('Ready', ready.status === 200 ? 'yes' : `no: ${ready.text}`, 'ready'),
      stat('Version', `${telemetry.app.name} ${telemetry.app.version}`, 'version')),
    table('nodes', ['Node', 'REST', 'Raft', 'Meta role', 'Replicas', 'Shard leaders', 'Health'], keys.map((key) => {
      const id = Number(key);
      const peer = cluster.peers[key];
      const node = health.get(id)!;
      const healthText = node.unreachable > 0 ? `${node.unreachable} replica(s) unreachable` : 'ok';
      return {
        attrs: { 'data-testid': 'node-row', 'data-node': key, class: id === cluster.peer_id ? 'self' : undefined },
        cells: [
          `${key}${id === cluster.peer_id ? ' (this node)' : ''}`,
          peer.rest_uri ?? '',
          peer.uri,
          id === leader ? h('span', { class: 'badge leader' }, 'Leader') : 'Member',
          node.replicas,
          node.leaders,
          h('span', { class: node.unreachable > 0 ? 'badge bad' : 'badge ok' }, healthText),
        ],
      };
    })),
    h('p', { class: 'note' }, 'Health: whether each node answered for every shard replica it holds (asked over Raft by this node).'));
}
