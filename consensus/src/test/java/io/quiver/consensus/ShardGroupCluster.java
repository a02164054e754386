package io.quiver.consensus;

import io.quiver.consensus.raft.CallMatchingClientRpc;
import io.quiver.consensus.shard.ShardStateMachine;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.TimeDuration;

/**
 * One shard's Raft group on real Ratis servers in this JVM, on loopback ports: Quiver's server
 * properties ({@link RaftNode#serverProperties}) and shard state machines, and Ratis clients over
 * Quiver's transport with a 3 s request timeout. For tests that need a group without whole nodes.
 */
final class ShardGroupCluster implements AutoCloseable {

  private final Path dir;
  private final VectorsConfig vectors;
  private final List<RaftServer> servers = new ArrayList<>();
  private final List<RaftClient> clients = new ArrayList<>();
  private RaftGroup group;

  /**
   * Ratis' transport of the servers and clients: Quiver's (gRPC), or Netty to reproduce a defect of
   * it.
   */
  private final org.apache.ratis.rpc.SupportedRpcType transport;

  ShardGroupCluster(Path dir, VectorsConfig vectors) {
    this(dir, vectors, org.apache.ratis.rpc.SupportedRpcType.GRPC);
  }

  ShardGroupCluster(
      Path dir, VectorsConfig vectors, org.apache.ratis.rpc.SupportedRpcType transport) {
    this.dir = dir;
    this.vectors = vectors;
    this.transport = transport;
  }

  /**
   * Starts one server per id; {@code tune} may change a server's properties before it starts
   * (election timeouts, lease).
   */
  RaftGroup start(List<String> ids, BiConsumer<RaftPeerId, RaftProperties> tune)
      throws IOException {
    RaftGroup built = build(ids, tune);
    for (RaftServer server : servers) {
      server.start();
    }
    return built;
  }

  /**
   * As {@link #start}, without starting the servers: a test starts them ({@link RaftServer#start})
   * when it needs them.
   */
  RaftGroup build(List<String> ids, BiConsumer<RaftPeerId, RaftProperties> tune)
      throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (String id : ids) {
      int port = TestNodes.freePort();
      ports.add(port);
      peers.add(RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:" + port).build());
    }
    group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
    for (int i = 0; i < peers.size(); i++) {
      RaftPeer peer = peers.get(i);
      RaftProperties p =
          RaftNode.serverProperties(
              RaftNodeConfig.builder(1, dir.resolve(peer.getId().toString()))
                  .raftAddress("127.0.0.1", ports.get(i))
                  .httpAddress("127.0.0.1:1")
                  .snapshotThreshold(1000)
                  .logSegmentBytes(1 << 20)
                  .build());
      if (transport == org.apache.ratis.rpc.SupportedRpcType.NETTY) {
        org.apache.ratis.RaftConfigKeys.Rpc.setType(p, transport);
        org.apache.ratis.netty.NettyConfigKeys.Server.setPort(p, ports.get(i));
      }
      tune.accept(peer.getId(), p);
      RaftServer server =
          RaftServer.newBuilder()
              .setServerId(peer.getId())
              .setGroup(group)
              .setProperties(p)
              .setStateMachineRegistry(gid -> new ShardStateMachine(g -> ShardConfig.of(vectors)))
              .build();
      servers.add(server);
    }
    return group;
  }

  List<RaftServer> servers() {
    return servers;
  }

  RaftServer server(RaftPeerId id) {
    return servers.stream().filter(s -> s.getId().equals(id)).findFirst().orElseThrow();
  }

  /** {@code server}'s view of the group. */
  DivisionInfo info(RaftServer server) {
    try {
      return server.getDivision(group.getGroupId()).getInfo();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A client that sends to {@code leader} first, retrying {@code retries} times 100 ms apart;
   * closed with the cluster.
   */
  RaftClient client(RaftPeerId leader, int retries) {
    RaftProperties p = RaftNode.clientProperties(TimeDuration.valueOf(3, TimeUnit.SECONDS));
    org.apache.ratis.RaftConfigKeys.Rpc.setType(p, transport);
    RaftClient client =
        CallMatchingClientRpc.newClientBuilder(
                org.apache.ratis.protocol.ClientId.randomId(), p, null)
            .setRaftGroup(group)
            .setLeaderId(leader)
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    retries, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
            .build();
    clients.add(client);
    return client;
  }

  @Override
  public void close() throws IOException {
    for (RaftClient c : clients) {
      c.close();
    }
    for (RaftServer s : servers) {
      s.close();
    }
  }
}
