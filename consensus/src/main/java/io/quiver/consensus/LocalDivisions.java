package io.quiver.consensus;

import io.quiver.consensus.raft.RaftStatus;
import io.quiver.consensus.shard.LocalShardReplica;
import io.quiver.consensus.shard.WitnessStateMachine;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups this node's Ratis server hosts, as its divisions tell: a shard group's status and
 * members, whether a replica knows its leader or is a witness, hosting the meta group, the first
 * election timeout of the next group started, and the log limits every group shares. The control
 * loops that start, inspect or read local groups take this instead of the whole {@link RaftNode}.
 */
final class LocalDivisions {

  private static final Logger LOG = LoggerFactory.getLogger(LocalDivisions.class);

  private final RaftServer server;
  private final RaftPeer self;
  private final RaftProperties properties;

  /**
   * @param properties the server's properties: read for the log limits, and changed for the first
   *     election timeout of the next group started ({@link #firstElectionFor})
   */
  LocalDivisions(RaftServer server, RaftPeer self, RaftProperties properties) {
    this.server = server;
    this.self = self;
    this.properties = properties;
  }

  /** The local Ratis server. */
  RaftServer server() {
    return server;
  }

  /** This node as a Raft peer, at its current address. */
  RaftPeer self() {
    return self;
  }

  /**
   * True once the local copy of the meta group has a configuration (this node was added, or
   * bootstrapped it).
   */
  boolean isMetaMember() {
    try {
      return !server.getDivision(RaftNode.META_GROUP_ID).getRaftConf().getAllPeers().isEmpty();
    } catch (IOException notHosted) {
      return false;
    }
  }

  /**
   * Makes the local server host the meta group with an empty configuration, asked of the server in
   * process (a Ratis client would send the add again when it is slow: see {@code
   * ShardGroupReconciler#manage}). Idempotent: an add that finds the group hosted is done.
   */
  void hostMetaGroup() throws IOException {
    org.apache.ratis.protocol.RaftClientReply reply;
    try {
      reply =
          server
              .groupManagementAsync(
                  org.apache.ratis.protocol.GroupManagementRequest.newAdd(
                      org.apache.ratis.protocol.ClientId.randomId(),
                      self.getId(),
                      0,
                      RaftGroup.valueOf(RaftNode.META_GROUP_ID)))
              .join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof AlreadyExistsException) {
        LOG.info("{}: the meta group is hosted already", self.getId());
        return;
      }
      throw new IOException("could not host the meta group", e.getCause());
    }
    if (!reply.isSuccess()) {
      throw new IOException("could not host the meta group: " + reply.getException());
    }
  }

  /**
   * This node's replica of shard group {@code groupId}, for in-process reads on {@code reads};
   * {@code member}: true while it is in the group's configuration.
   */
  LocalShardReplica localReplica(
      UUID groupId,
      java.util.function.BooleanSupplier member,
      java.util.concurrent.Executor reads) {
    return new LocalShardReplica(server, RaftGroupId.valueOf(groupId), member, reads);
  }

  /** A shard group's local replica, or empty when this node does not host the group. */
  Optional<RaftStatus> status(UUID groupId) {
    try {
      return Optional.of(statusOf(RaftGroupId.valueOf(groupId)));
    } catch (IOException notHosted) {
      return Optional.empty();
    }
  }

  /**
   * The nodes in the Raft configuration of a shard group as this node's replica knows it (voters
   * and listeners of the current configuration), or empty when this node does not host the group. A
   * replica that was just added and has not received the configuration yet knows none.
   */
  Optional<Set<Long>> members(UUID groupId) {
    try {
      RaftServer.Division division = server.getDivision(RaftGroupId.valueOf(groupId));
      Set<Long> members = new TreeSet<>();
      for (RaftPeer p : division.getRaftConf().getAllPeers()) {
        Long node = RaftNode.nodeIdOf(p.getId().toString());
        if (node != null) {
          members.add(node);
        }
      }
      return Optional.of(members);
    } catch (IOException notHosted) {
      return Optional.empty();
    }
  }

  /**
   * The status of a group this server hosts; an IOException when it hosts none or has not started
   * it.
   */
  RaftStatus statusOf(RaftGroupId groupId) throws IOException {
    RaftServer.Division division = server.getDivision(groupId);
    var info = division.getInfo();
    // A replica added to a running group has no role until the leader contacts it.
    var currentRole = info.getCurrentRole();
    RaftStatus.Role role =
        currentRole == null
            ? RaftStatus.Role.Follower
            : switch (currentRole) {
              case LEADER -> RaftStatus.Role.Leader;
              case CANDIDATE -> RaftStatus.Role.Candidate;
              case LISTENER -> RaftStatus.Role.Listener;
              default -> RaftStatus.Role.Follower;
            };
    RaftPeerId leader = info.getLeaderId();
    Long leaderNode = leader == null ? null : RaftNode.nodeIdOf(leader.toString());
    boolean voter =
        division
            .getRaftConf()
            .getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.FOLLOWER)
            .stream()
            .anyMatch(p -> p.getId().equals(self.getId()));
    long commit;
    long applied;
    try {
      commit = division.getRaftLog().getLastCommittedIndex();
      applied = info.getLastAppliedIndex();
    } catch (IllegalStateException notStarted) {
      // A replica added to a running group opens its log, and starts applying it, only once the
      // leader contacts it ("log is uninitialized", "stateMachineUpdater is uninitialized").
      throw new IOException(groupId + " is not started yet", notStarted);
    }
    return new RaftStatus(info.getCurrentTerm(), commit, applied, leaderNode, role, voter);
  }

  /** True when this node hosts the group and its replica knows a leader (itself or another). */
  boolean knowsLeader(UUID groupId) {
    try {
      var info = server.getDivision(RaftGroupId.valueOf(groupId)).getInfo();
      return info.isLeaderReady() || (!info.isLeader() && info.getLeaderId() != null);
    } catch (IOException notHosted) {
      return false;
    }
  }

  /** True when this server hosts shard group {@code groupId} as its witness. */
  boolean hostsWitness(RaftGroupId groupId) {
    try {
      return server.getDivision(groupId).getStateMachine() instanceof WitnessStateMachine;
    } catch (IOException notHosted) {
      return false;
    }
  }

  /**
   * The largest command this node's shard clients put into one log entry: Ratis refuses to append
   * an entry larger than its appender buffer ({@code raft.server.log.appender.buffer.byte-limit},
   * the same setting on every node), minus {@link RaftNode#ENTRY_HEADROOM_BYTES}. Larger upserts
   * are split ({@link io.quiver.consensus.shard.UpsertEntries}).
   */
  int maxShardEntryBytes() {
    return RaftServerConfigKeys.Log.Appender.bufferByteLimit(properties).getSizeInt()
        - RaftNode.ENTRY_HEADROOM_BYTES;
  }

  /**
   * The direct memory each group's Raft log worker allocates for its write buffer (see {@link
   * RaftNode#serverProperties}).
   */
  long logWriteBufferBytes() {
    return RaftServerConfigKeys.Log.writeBufferSize(properties).getSize();
  }

  /**
   * Sets the first-election timeout the next group this server starts will wait: 10-20 ms when
   * {@code group} has this node as its only voter, else the usual 150-300 ms ({@code group} null:
   * the usual). Ratis reads the setting from the server's properties when a division's follower
   * state starts, so the one thread that adds groups calls this before each add. A collection on
   * one node waited most of its create for that first election (creates 0.25-0.47 s, of which the
   * group add took about 30 ms). The short timeout is safe only without peers: a replica that
   * campaigned before its peers had started could win term 1 and lose it at once, which left Ratis
   * 3.2.1 divisions that never applied again (see {@link RaftNode#serverProperties}).
   */
  void firstElectionFor(RaftGroup group) {
    RaftNode.setFirstElectionTimeout(
        properties,
        group != null && isSoleVoter(group)
            ? RaftNode.SOLE_VOTER_FIRST_ELECTION_MIN
            : RaftNode.FIRST_ELECTION_MIN);
  }

  /** True when this node is the only peer of {@code group}'s configuration. */
  boolean isSoleVoter(RaftGroup group) {
    return group.getPeers().size() == 1
        && group.getPeers().iterator().next().getId().equals(self.getId());
  }
}
