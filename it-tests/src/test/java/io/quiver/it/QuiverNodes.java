package io.quiver.it;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The node processes of a test class or of one test, stopped and their data directories deleted
 * after it: the start and stop code every IT would otherwise repeat. Registered as a static field,
 * its nodes live for the whole class (stopped after all its tests); as an instance field, for one
 * test (stopped after it):
 *
 * <pre>
 * &#64;RegisterExtension static final QuiverNodes NODES = new QuiverNodes();
 *
 * &#64;BeforeAll
 * static void start() throws Exception {
 *   node = NODES.start();                      // one node, ready
 *   cluster = NODES.startCluster(3, n -> {});  // three nodes launched at once, all ready
 * }
 * </pre>
 *
 * A cluster starts as operators start one: every node launched at the same moment, pointed at the
 * first one's Raft port, then waited for. Nodes are stopped in reverse order, each by its PID
 * ({@link NodeProcess#close()}); their logs stay registered with {@link NodeLogsOnFailure}, which
 * copies them on a failure before this extension deletes the directories.
 */
final class QuiverNodes implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

  private final List<NodeProcess> nodes = new ArrayList<>();
  private Path root;
  private boolean classScoped;

  @Override
  public void beforeAll(ExtensionContext context) {
    // Class-scoped when held by a static field. In a PER_CLASS test class JUnit calls an instance
    // field's extension here too; that one still serves one test at a time.
    classScoped =
        AnnotationSupport.findAnnotatedFieldValues(
                context.getRequiredTestClass(), RegisterExtension.class)
            .contains(this);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!classScoped) {
      stopAll();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stopAll();
  }

  /**
   * A node (not started) with its data directory {@code name} under this extension's directory,
   * stopped with the others; for tests that configure it before {@link NodeProcess#start}.
   */
  synchronized NodeProcess node(String name) throws IOException {
    return track(new NodeProcess(directory().resolve(name)));
  }

  /** As {@link #node(String)}, on the given ports (a restart on the ports a node had before). */
  synchronized NodeProcess node(String name, int httpPort, int raftPort) throws IOException {
    return track(new NodeProcess(directory().resolve(name), httpPort, raftPort));
  }

  /** Starts a single node (a cluster of one) and waits until it is ready. */
  NodeProcess start(String... args) throws IOException, InterruptedException {
    return start(n -> {}, args);
  }

  /** Starts a single node configured by {@code configure} and waits until it is ready. */
  NodeProcess start(Consumer<NodeProcess> configure, String... args)
      throws IOException, InterruptedException {
    NodeProcess node = node("n" + size());
    configure.accept(node);
    return node.start(args);
  }

  /**
   * Launches {@code count} nodes at the same moment, each configured by {@code configure} and
   * pointed at the first one's Raft port ({@code --bootstrap}), and waits until every one is ready.
   */
  List<NodeProcess> startCluster(int count, Consumer<NodeProcess> configure, String... args)
      throws IOException, InterruptedException {
    List<NodeProcess> cluster = cluster(count);
    cluster.forEach(configure);
    return launch(cluster, args);
  }

  /**
   * As {@link #startCluster(int, Consumer, String...)}, for nodes set up by their index in the
   * cluster (0 is the seed), a set-up that may throw: each node with its own certificate, say.
   */
  List<NodeProcess> startCluster(int count, Setup setUp, String... args) throws Exception {
    List<NodeProcess> cluster = cluster(count);
    for (int i = 0; i < count; i++) {
      setUp.accept(i, cluster.get(i));
    }
    return launch(cluster, args);
  }

  /** The set-up of a cluster's node before it is launched, given its index in the cluster. */
  @FunctionalInterface
  interface Setup {
    void accept(int index, NodeProcess node) throws Exception;
  }

  /** {@code count} nodes (not started), the first one's Raft port the cluster's seed. */
  private List<NodeProcess> cluster(int count) throws IOException {
    List<NodeProcess> cluster = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      cluster.add(node("n" + size(), NodeProcess.freePort(), NodeProcess.freePort()));
    }
    return cluster;
  }

  /** Launches every node of {@code cluster} pointed at the first one, then waits for each. */
  private static List<NodeProcess> launch(List<NodeProcess> cluster, String... args)
      throws IOException, InterruptedException {
    List<String> withSeed = new ArrayList<>(List.of(args));
    withSeed.addAll(List.of("--bootstrap", "http://127.0.0.1:" + cluster.get(0).raftPort()));
    for (NodeProcess node : cluster) {
      node.launch(withSeed.toArray(String[]::new));
    }
    for (NodeProcess node : cluster) {
      node.awaitReady();
    }
    return cluster;
  }

  private synchronized int size() {
    return nodes.size();
  }

  private NodeProcess track(NodeProcess node) {
    nodes.add(node);
    return node;
  }

  private Path directory() throws IOException {
    if (root == null) {
      root = Files.createTempDirectory("quiver-it-");
    }
    return root;
  }

  /** Stops every node (the last started first), then deletes their directories. */
  private synchronized void stopAll() throws Exception {
    Exception failure = null;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        nodes.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    nodes.clear();
    if (root != null) {
      deleteTree(root);
      root = null;
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
