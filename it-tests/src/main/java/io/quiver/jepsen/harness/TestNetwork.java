package io.quiver.jepsen.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The test network: one Linux network namespace per node ({@code qjn1..qjnN}, addresses
 * 198.18.77.11..) and one for the client workload ({@code qjc}, 198.18.77.100), their veth ends on
 * one bridge ({@code qjbr}) that has no address in the root namespace. No namespace has a default
 * route, there is no NAT and no forwarding, so nothing sent inside can leave the test network, even
 * after teardown.
 *
 * <p>198.18.0.0/15 is reserved for benchmarking (RFC 2544/6890); {@link #up} refuses to run if the
 * machine already uses 198.18.77.0/24. {@link #up} tears leftovers down first; {@link #down} is
 * idempotent, kills every process left in the namespaces (by PID) and checks that nothing is left.
 * Names derive from the fixed prefix, so no state file is needed. Needs root.
 */
public final class TestNetwork {

  /** The /24 the test network uses. */
  public static final String NET = "198.18.77";

  /** Most node hosts the network can have. */
  public static final int HOSTS_MAX = 9;

  /** The client namespace's address. */
  public static final String CLIENT_ADDRESS = NET + ".100";

  /** The client namespace's name. */
  public static final String CLIENT_NAMESPACE = "qjc";

  private static final String PREFIX = "qj";
  private static final String BRIDGE = PREFIX + "br";
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private TestNetwork() {}

  /**
   * @return the namespace of node {@code i} (1-based)
   */
  public static String namespace(int node) {
    return PREFIX + "n" + node;
  }

  /**
   * @return the address of node {@code i} (1-based)
   */
  public static String address(int node) {
    return NET + "." + (10 + node);
  }

  private static String hostVeth(String suffix) {
    return PREFIX + "h" + suffix;
  }

  /**
   * @return every namespace name this class may create
   */
  static List<String> allNamespaces() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= HOSTS_MAX; i++) {
      names.add(namespace(i));
    }
    names.add(CLIENT_NAMESPACE);
    return names;
  }

  /**
   * @return why this machine cannot run the test network (not root, {@code ip netns} unusable), or
   *     empty if it can
   */
  public static Optional<String> unavailableReason() {
    Command.Result id = Command.run(List.of("id", "-u"));
    if (!id.ok() || !id.output().strip().equals("0")) {
      return Optional.of(
          "not root (network namespaces, nftables and kill of node processes need root)");
    }
    String probe = PREFIX + "probe";
    Command.run(List.of("ip", "netns", "del", probe));
    Command.Result add = Command.run(List.of("ip", "netns", "add", probe));
    Command.run(List.of("ip", "netns", "del", probe));
    if (!add.ok()) {
      return Optional.of("cannot create a network namespace: " + add.output().strip());
    }
    return Optional.empty();
  }

  /**
   * Tears down leftovers, then creates {@code nodes} node namespaces and the client namespace.
   *
   * @throws IllegalStateException if the machine already uses the range, or setup fails (after
   *     tearing down what it made)
   */
  public static void up(int nodes) {
    if (nodes < 1 || nodes > HOSTS_MAX) {
      throw new IllegalArgumentException("1.." + HOSTS_MAX + " nodes, got " + nodes);
    }
    down();
    String addresses =
        Command.check(List.of("ip", "-o", "addr", "show"))
            + Command.check(List.of("ip", "-4", "route", "show", "table", "all"));
    if (addresses.contains(NET + ".")) {
      throw new IllegalStateException(
          "this machine already uses "
              + NET
              + ".0/24; refusing to build the test network:\n"
              + addresses);
    }
    checkBridgeFirewall();
    try {
      Command.check(List.of("ip", "link", "add", BRIDGE, "type", "bridge"));
      disableIpv6("/proc/sys/net/ipv6/conf/" + BRIDGE + "/disable_ipv6");
      Command.check(List.of("ip", "link", "set", BRIDGE, "up"));
      for (int i = 1; i <= nodes; i++) {
        addHost(namespace(i), hostVeth(Integer.toString(i)), address(i));
      }
      addHost(CLIENT_NAMESPACE, hostVeth("c"), CLIENT_ADDRESS);
    } catch (RuntimeException e) {
      down();
      throw new IllegalStateException("cannot build the test network", e);
    }
  }

  private static void addHost(String ns, String veth, String address) {
    Command.check(List.of("ip", "netns", "add", ns));
    Command.check(
        List.of(
            "ip",
            "netns",
            "exec",
            ns,
            "sysctl",
            "-qw",
            "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1"));
    Command.check(
        List.of(
            "ip",
            "link",
            "add",
            veth,
            "type",
            "veth",
            "peer",
            "name",
            PREFIX + "tmp",
            "netns",
            ns));
    disableIpv6("/proc/sys/net/ipv6/conf/" + veth + "/disable_ipv6");
    Command.check(List.of("ip", "-n", ns, "link", "set", PREFIX + "tmp", "name", "eth0"));
    Command.check(List.of("ip", "link", "set", veth, "master", BRIDGE, "up"));
    Command.check(List.of("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0"));
    Command.check(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
    Command.check(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
  }

  private static void disableIpv6(String sysctlFile) {
    Path p = Path.of(sysctlFile);
    if (Files.exists(p)) {
      try {
        Files.writeString(p, "1");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Bridged frames go through the root namespace's iptables FORWARD chain when
   * bridge-nf-call-iptables is on; a DROP policy there (e.g. left by Docker) would cut every link.
   */
  private static void checkBridgeFirewall() {
    Path bridgeNf = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");
    try {
      if (Files.exists(bridgeNf) && Files.readString(bridgeNf).strip().equals("1")) {
        Command.Result forward = Command.run(List.of("iptables", "-S", "FORWARD"));
        if (forward.ok() && forward.output().contains("-P FORWARD DROP")) {
          throw new IllegalStateException(
              "bridged traffic passes the root iptables FORWARD chain, whose policy is "
                  + "DROP; set net.bridge.bridge-nf-call-iptables=0 for the run");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Removes everything {@link #up} may have made: stops (SIGCONT, SIGKILL) every process in the
   * namespaces by PID, deletes the namespaces, the host veths and the bridge. Idempotent, bounded.
   *
   * @return true if nothing is left afterwards
   */
  public static synchronized boolean down() {
    List<String> present = existingNamespaces();
    List<Long> pids = new ArrayList<>();
    for (String ns : present) {
      Command.Result r = Command.run(List.of("ip", "netns", "pids", ns));
      for (String line : r.output().split("\\s+")) {
        if (line.matches("\\d+")) {
          pids.add(Long.parseLong(line));
        }
      }
    }
    long self = ProcessHandle.current().pid();
    for (long pid : pids) {
      if (pid != self) {
        Command.run(List.of("kill", "-CONT", Long.toString(pid)));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    long deadline = System.nanoTime() + KILL_WAIT.toNanos();
    for (long pid : pids) {
      while (pid != self
          && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
          && System.nanoTime() < deadline) {
        sleep(20);
      }
    }
    for (String ns : present) {
      Command.run(List.of("ip", "netns", "del", ns));
    }
    String links = Command.run(List.of("ip", "-o", "link", "show")).output();
    for (String line : links.split("\n")) {
      String[] parts = line.split(":\\s+", 3);
      if (parts.length >= 2) {
        String name = parts[1].split("@")[0];
        if (name.startsWith(PREFIX + "h") || name.equals(BRIDGE)) {
          Command.run(List.of("ip", "link", "del", name));
        }
      }
    }
    return existingNamespaces().isEmpty()
        && !Command.run(List.of("ip", "-o", "link", "show"))
            .output()
            .matches("(?s).*\\d+: " + PREFIX + "(h|br).*");
  }

  private static List<String> existingNamespaces() {
    String list = Command.run(List.of("ip", "netns", "list")).output();
    List<String> present = new ArrayList<>();
    for (String line : list.split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (allNamespaces().contains(name)) {
        present.add(name);
      }
    }
    return present;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
