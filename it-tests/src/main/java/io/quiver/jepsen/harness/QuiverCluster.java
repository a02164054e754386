package io.quiver.jepsen.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.jepsen.workload.QuiverClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The node processes of one run, one per namespace: forms the cluster (all started at once; the
 * first node starts it, the others join through it), answers who leads the meta group and each
 * shard and where the replicas are, sends replica changes, and stops every process it started (by
 * PID) on {@link #close()}. Every wait is bounded.
 */
public final class QuiverCluster implements AutoCloseable {

  /** How long one node may take to answer {@code /readyz}. */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final List<NodeHost> nodes;
  private final QuiverClient client = new QuiverClient(Duration.ofSeconds(3));

  /** For replica changes, which answer once the new replica holds the shard's data. */
  private final QuiverClient slowClient = new QuiverClient(Duration.ofSeconds(60));

  private QuiverCluster(List<NodeHost> nodes) {
    this.nodes = nodes;
  }

  /**
   * Starts {@code count} nodes in namespaces {@code qjn1..} and waits until all are ready.
   *
   * @param runDir each node gets {@code runDir/nI}
   */
  public static QuiverCluster form(int count, Path runDir, Path nodeBuild, boolean fakeTime) {
    List<NodeHost> nodes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      nodes.add(
          new NodeHost(
              i,
              runDir.resolve("n" + i),
              nodeBuild,
              i == 1 ? null : TestNetwork.address(1) + ":" + NodeHost.RAFT_PORT,
              fakeTime));
    }
    QuiverCluster cluster = new QuiverCluster(List.copyOf(nodes));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "jepsen-cluster-stop"));
    try {
      // All at once, as a compose file or a StatefulSet starts them: the joiners keep asking
      // the first node until it is up (docs/design/cluster-membership.md, "Forming a cluster").
      for (NodeHost node : nodes) {
        node.start();
      }
      for (NodeHost node : nodes) {
        cluster.awaitReady(node, READY_TIMEOUT);
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public List<NodeHost> nodes() {
    return nodes;
  }

  public NodeHost node(int index) {
    return nodes.get(index - 1);
  }

  /** Waits until {@code node} answers {@code /readyz} with 200. */
  public void awaitReady(NodeHost node, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!node.isRunning()) {
        throw new IllegalStateException(node.name() + " exited; log:\n" + node.logTail(40));
      }
      try {
        if (client.get(node.baseUrl(), "/readyz").status() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
      sleep(200);
    }
    throw new IllegalStateException(
        node.name() + " not ready after " + timeout + "; log:\n" + node.logTail(40));
  }

  /**
   * @return the node that leads the meta group, as some running node sees it, if any
   */
  public OptionalInt metaLeader() {
    for (NodeHost node : reachable()) {
      try {
        QuiverClient.Reply r = client.get(node.baseUrl(), "/cluster");
        if (!r.ok()) {
          continue;
        }
        JsonNode leader = r.result().path("raft_info").path("leader");
        if (leader.isIntegralNumber()) {
          OptionalInt index = indexOfPeer(r.result().path("peers").path(leader.asText()));
          if (index.isPresent()) {
            return index;
          }
        }
      } catch (IOException e) {
        // try the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return OptionalInt.empty();
  }

  /**
   * @return the node on which shard {@code shardId} of {@code collection} reports the Leader role,
   *     if any
   */
  public OptionalInt shardLeader(String collection, int shardId) {
    for (NodeHost node : reachable()) {
      try {
        QuiverClient.Reply r =
            client.get(node.baseUrl(), "/collections/" + collection + "/cluster");
        if (!r.ok()) {
          continue;
        }
        for (JsonNode local : r.result().path("local_shards")) {
          if (local.path("shard_id").asInt(-1) == shardId
              && "Leader".equals(local.path("role").asText())) {
            return OptionalInt.of(node.index());
          }
        }
      } catch (IOException e) {
        // try the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return OptionalInt.empty();
  }

  /**
   * @return node index to Raft peer id, as the first reachable node that answers lists the members
   */
  public Map<Integer, Long> peerIds() {
    for (NodeHost node : reachable()) {
      try {
        QuiverClient.Reply r = client.get(node.baseUrl(), "/cluster");
        if (!r.ok()) {
          continue;
        }
        Map<Integer, Long> ids = new TreeMap<>();
        r.result()
            .path("peers")
            .properties()
            .forEach(
                e ->
                    indexOfPeer(e.getValue())
                        .ifPresent(i -> ids.put(i, Long.parseLong(e.getKey()))));
        return ids;
      } catch (IOException e) {
        // try the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("no reachable node lists the cluster's peers");
  }

  /**
   * Waits (at most {@code timeout}) until a reachable node reports no resharding of the collection
   * in progress; returns whether one did.
   */
  public boolean awaitNoResharding(String collection, java.time.Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (NodeHost node : reachable()) {
        try {
          QuiverClient.Reply r =
              client.get(node.baseUrl(), "/collections/" + collection + "/cluster");
          if (r.ok() && r.result().path("resharding_operations").isEmpty()) {
            return true;
          }
        } catch (IOException unreachable) {
          // the next node
        }
      }
      Thread.sleep(500);
    }
    return false;
  }

  /**
   * @return the nodes that hold a replica of the shard, as the first reachable node that answers
   *     places them
   */
  public Set<Integer> replicaHolders(String collection, int shardId) {
    Map<Integer, Long> ids = peerIds();
    for (NodeHost node : reachable()) {
      try {
        QuiverClient.Reply r =
            client.get(node.baseUrl(), "/collections/" + collection + "/cluster");
        if (!r.ok()) {
          continue;
        }
        Set<Long> peers = new java.util.HashSet<>();
        for (JsonNode local : r.result().path("local_shards")) {
          if (local.path("shard_id").asInt(-1) == shardId) {
            peers.add(r.result().path("peer_id").asLong());
          }
        }
        for (JsonNode remote : r.result().path("remote_shards")) {
          if (remote.path("shard_id").asInt(-1) == shardId) {
            peers.add(remote.path("peer_id").asLong());
          }
        }
        Set<Integer> holders = new TreeSet<>();
        ids.forEach(
            (index, peer) -> {
              if (peers.contains(peer)) {
                holders.add(index);
              }
            });
        return holders;
      } catch (IOException e) {
        // try the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException(
        "no reachable node places shard " + shardId + " of " + collection);
  }

  /**
   * Sends a cluster operation ({@code move_shard}, {@code replicate_shard}, {@code drop_replica})
   * through {@code via}, waiting up to 60 s for it to complete.
   *
   * @throws IllegalStateException if the node refuses it or does not answer in time
   */
  public void changeReplicas(NodeHost via, String collection, Map<String, Object> operation) {
    try {
      QuiverClient.Reply r =
          slowClient.send(
              via.baseUrl(), "POST", "/collections/" + collection + "/cluster", operation);
      if (!r.ok()) {
        throw new IllegalStateException(
            operation.keySet() + " through " + via.name() + " answered " + r.error());
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          operation.keySet() + " through " + via.name() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** {@code method path} of a cluster operation (a drain, a rebalance) through {@code via}. */
  public void clusterOperation(NodeHost via, String method, String path) {
    try {
      QuiverClient.Reply r = slowClient.send(via.baseUrl(), method, path, Map.of());
      if (!r.ok()) {
        throw new IllegalStateException(
            method + " " + path + " through " + via.name() + " answered " + r.error());
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          method + " " + path + " through " + via.name() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * {@code PATCH /collections/{c}} with {@code params.replication_factor}: the cluster adds or
   * drops replicas.
   */
  public void setReplicationFactor(NodeHost via, String collection, int factor) {
    try {
      QuiverClient.Reply r =
          slowClient.send(
              via.baseUrl(),
              "PATCH",
              "/collections/" + collection,
              Map.of("params", Map.of("replication_factor", factor)));
      if (!r.ok()) {
        throw new IllegalStateException(
            "replication_factor " + factor + " through " + via.name() + " answered " + r.error());
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "replication_factor " + factor + " through " + via.name() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * What each node says about itself, for a run that did not heal: process state, readiness, its
   * view of the meta group and the roles of its replicas of {@code collection}, and the warnings
   * and errors at the end of its log (CI keeps the console, not the run's directory).
   */
  public String describe(String collection) {
    StringBuilder out = new StringBuilder();
    for (NodeHost node : nodes) {
      out.append("== ")
          .append(node.name())
          .append(node.isRunning() ? node.isPaused() ? " paused" : " running" : " not running")
          .append('\n');
      if (node.isRunning() && !node.isPaused()) {
        String ready = answer(node, "/readyz");
        out.append("  readyz: ").append(ready).append('\n');
        if (ready.startsWith("no answer")) {
          out.append("  threads in Quiver's code (the node does not answer):\n")
              .append(node.quiverThreads(14));
        }
        out.append("  cluster: ").append(answer(node, "/cluster")).append('\n');
        out.append("  ")
            .append(collection)
            .append(": ")
            .append(answer(node, "/collections/" + collection + "/cluster"))
            .append('\n');
      }
      out.append("  last warnings and errors:\n");
      List<String> warnings =
          node.logTail(4000)
              .lines()
              .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
              .map(l -> l.length() > 400 ? l.substring(0, 400) + "..." : l)
              .toList();
      warnings
          .subList(Math.max(0, warnings.size() - 25), warnings.size())
          .forEach(l -> out.append("    ").append(l).append('\n'));
    }
    return out.toString();
  }

  private String answer(NodeHost node, String path) {
    try {
      QuiverClient.Reply r = client.get(node.baseUrl(), path);
      String body = String.valueOf(r.body());
      return r.status() + " " + (body.length() > 1500 ? body.substring(0, 1500) + "..." : body);
    } catch (IOException e) {
      return "no answer: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Waits until every shard of {@code collection} has a leader; returns false at the deadline. */
  public boolean awaitShardLeaders(String collection, int shards, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (int s = 0; s < shards && all; s++) {
        all = shardLeader(collection, s).isPresent();
      }
      if (all && metaLeader().isPresent()) {
        return true;
      }
      sleep(250);
    }
    return false;
  }

  private OptionalInt indexOfPeer(JsonNode peer) {
    String uri = peer.path("uri").asText("");
    for (NodeHost node : nodes) {
      if (uri.contains("//" + node.raftAddress())) {
        return OptionalInt.of(node.index());
      }
    }
    return OptionalInt.empty();
  }

  private List<NodeHost> reachable() {
    return nodes.stream().filter(n -> n.isRunning() && !n.isPaused()).toList();
  }

  /**
   * @return a running, unpaused node, preferring {@code preferred}
   */
  public Optional<NodeHost> anyRunning(int preferred) {
    NodeHost p = node(preferred);
    if (p.isRunning() && !p.isPaused()) {
      return Optional.of(p);
    }
    return reachable().stream().findFirst();
  }

  /** Kills every node process (SIGKILL by PID). Idempotent. */
  @Override
  public void close() {
    for (NodeHost node : nodes) {
      node.kill();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
