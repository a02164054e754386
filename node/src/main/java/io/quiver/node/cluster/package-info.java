/**
 * How this node sees its peers, outside Raft: {@link io.quiver.node.cluster.PeerLiveness} tries a
 * TCP connection to every peer's Raft port once a second and marks a peer {@code Dead} after {@code
 * cluster.peer_dead_timeout_ms} without one. {@code GET /cluster}, the replica states of {@code GET
 * /collections/{c}/cluster} and the {@code quiver_peer_up} metric report it.
 */
package io.quiver.node.cluster;
