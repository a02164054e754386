package io.quiver.consensus;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * A shard group as its leader sees it: the leader's node, the voters of its configuration, and the
 * nodes it sends the log to ({@code appending}: its followers, and the new replicas it is bringing
 * in, a snapshot and then the log, before their configuration change commits).
 */
record ShardGroupView(long leader, Set<Long> voters, Set<Long> appending) {

  /** True while the leader sends to a voter of {@code wanted} that is not one of its voters yet. */
  boolean bringsIn(Set<Long> wanted) {
    return wanted.stream().anyMatch(v -> !voters.contains(v) && appending.contains(v));
  }

  /**
   * The view of the leader on node {@code leader}, from its group (current configuration) and
   * commit infos.
   */
  static ShardGroupView of(long leader, RaftGroup group, Collection<CommitInfoProto> commitInfos) {
    Set<Long> voters = new TreeSet<>();
    group.getPeers().stream()
        .map(p -> RaftNode.nodeIdOf(p.getId().toString()))
        .filter(java.util.Objects::nonNull)
        .forEach(voters::add);
    Set<Long> appending = new TreeSet<>();
    commitInfos.stream()
        .map(ci -> RaftNode.nodeIdOf(RaftPeerId.valueOf(ci.getServer().getId()).toString()))
        .filter(java.util.Objects::nonNull)
        .forEach(appending::add);
    return new ShardGroupView(leader, voters, appending);
  }
}
