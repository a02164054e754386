package io.quiver.jepsen.nemesis;

import io.quiver.jepsen.harness.Command;
import io.quiver.jepsen.harness.NodeHost;
import io.quiver.jepsen.harness.QuiverCluster;
import io.quiver.jepsen.harness.TestNetwork;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Injects faults into nodes that run in network namespaces: nftables rules inside each node's
 * namespace (table {@code inet qjfault}; the root namespace's firewall is never touched) for
 * partitions, one-way drops and random packet loss ({@code numgen random}), signals by PID for kill
 * and pause, and the libfaketime file for clock skew. The client namespace is never cut off: the
 * workload can always reach every node, as in Jepsen.
 */
public final class NamespaceNemesis implements Nemesis {

  private static final String TABLE = "qjfault";

  private final QuiverCluster cluster;

  /** Per node: sources whose packets it drops. */
  private final Map<Integer, Set<String>> dropFrom = new HashMap<>();

  /** Per node: destinations its packets to are dropped. */
  private final Map<Integer, Set<String>> dropTo = new HashMap<>();

  /** Per node: percent of packets from other nodes dropped at random. */
  private final Map<Integer, Integer> lossPercent = new HashMap<>();

  private final Map<Integer, Long> skews = new HashMap<>();

  public NamespaceNemesis(QuiverCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public synchronized void partition(List<Set<Integer>> sides) {
    for (Set<Integer> side : sides) {
      for (int node : side) {
        for (Set<Integer> other : sides) {
          if (other != side) {
            for (int peer : other) {
              dropFrom.computeIfAbsent(node, k -> new TreeSet<>()).add(TestNetwork.address(peer));
              dropTo.computeIfAbsent(node, k -> new TreeSet<>()).add(TestNetwork.address(peer));
            }
          }
        }
      }
    }
    applyRules();
  }

  @Override
  public synchronized void deafen(int node) {
    for (NodeHost peer : cluster.nodes()) {
      if (peer.index() != node) {
        dropFrom.computeIfAbsent(node, k -> new TreeSet<>()).add(peer.address());
      }
    }
    applyRules();
  }

  @Override
  public synchronized void loss(Set<Integer> nodes, int percent) {
    if (percent < 1 || percent > 100) {
      throw new IllegalArgumentException("percent 1..100: " + percent);
    }
    for (int node : nodes) {
      lossPercent.put(node, percent);
    }
    applyRules();
  }

  @Override
  public synchronized void healNetwork() {
    dropFrom.clear();
    dropTo.clear();
    lossPercent.clear();
    applyRules();
  }

  /** Rewrites the whole fault table of every node from the current state (atomic per node). */
  private void applyRules() {
    for (NodeHost node : cluster.nodes()) {
      int i = node.index();
      StringBuilder input = new StringBuilder();
      StringBuilder output = new StringBuilder();
      Set<String> from = dropFrom.getOrDefault(i, Set.of());
      Set<String> to = dropTo.getOrDefault(i, Set.of());
      if (!from.isEmpty()) {
        input.append("    ip saddr { ").append(String.join(", ", from)).append(" } drop\n");
      }
      if (!to.isEmpty()) {
        output.append("    ip daddr { ").append(String.join(", ", to)).append(" } drop\n");
      }
      Integer loss = lossPercent.get(i);
      if (loss != null) {
        List<String> peers = new ArrayList<>();
        for (NodeHost peer : cluster.nodes()) {
          if (peer.index() != i) {
            peers.add(peer.address());
          }
        }
        input
            .append("    ip saddr { ")
            .append(String.join(", ", peers))
            .append(" } numgen random mod 100 < ")
            .append(loss)
            .append(" drop\n");
        output
            .append("    ip daddr { ")
            .append(String.join(", ", peers))
            .append(" } numgen random mod 100 < ")
            .append(loss)
            .append(" drop\n");
      }
      String script =
          "table inet "
              + TABLE
              + "\n"
              + "delete table inet "
              + TABLE
              + "\n"
              + "table inet "
              + TABLE
              + " {\n"
              + "  chain input {\n    type filter hook input priority 0; policy accept;\n"
              + input
              + "  }\n"
              + "  chain output {\n    type filter hook output priority 0; policy accept;\n"
              + output
              + "  }\n"
              + "}\n";
      Command.check(
          List.of("ip", "netns", "exec", TestNetwork.namespace(i), "nft", "-f", "-"), script);
    }
  }

  @Override
  public void kill(int node) {
    cluster.node(node).kill();
  }

  @Override
  public void restart(int node) {
    NodeHost host = cluster.node(node);
    if (!host.isRunning()) {
      host.start();
      cluster.awaitReady(host, QuiverCluster.READY_TIMEOUT);
    }
  }

  @Override
  public void pause(int node) {
    cluster.node(node).pause();
  }

  @Override
  public void resume(int node) {
    cluster.node(node).resume();
  }

  @Override
  public synchronized void skew(int node, long seconds) {
    cluster.node(node).skew(seconds);
    skews.put(node, seconds);
  }

  @Override
  public boolean canSkewClocks() {
    return cluster.nodes().getFirst().fakesTime();
  }

  @Override
  public synchronized void healAll() {
    healNetwork();
    for (NodeHost node : cluster.nodes()) {
      node.resume();
    }
    for (Map.Entry<Integer, Long> e : skews.entrySet()) {
      if (e.getValue() != 0) {
        cluster.node(e.getKey()).skew(0);
      }
    }
    skews.clear();
    for (NodeHost node : cluster.nodes()) {
      restart(node.index());
    }
  }
}
