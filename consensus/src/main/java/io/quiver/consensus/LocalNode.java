package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;

/**
 * This node as its control loops see it: who it is, its settings, and its copy of the cluster
 * metadata. {@link RaftNode} implements it; a loop given a {@code LocalNode} reads these and
 * nothing else of the node (its other collaborators are given to it one by one).
 */
interface LocalNode {

  /** This node's id. */
  long nodeId();

  /** This node's settings. */
  RaftNodeConfig config();

  /** This node's copy of the cluster metadata, as last applied. */
  ClusterState clusterState();

  /** True once this node's copy of the cluster metadata has caught up with the meta group's log. */
  boolean isCaughtUp();

  /**
   * True when this node leads the meta group, its leadership ready (its first entry applied), and
   * its metadata has caught up: when the meta leader's control loops may act.
   */
  boolean leadsMeta();
}
