package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard group whose add was interrupted by a crash (issue 17: the reconciler then retried it
 * forever, "Failed to FORMAT: One or more existing directories found") comes up when the node
 * starts again: the group's directory is taken up, and the shard takes writes and reads them back.
 * A real Ratis server and a real RocksDB shard; the crash is reproduced by stopping the node and
 * cutting the group's directory back to what an add leaves at each of its steps (Ratis formats
 * {@code current/} and writes {@code raft-meta}, then the state machine creates its shard
 * directory, then the shard's store writes its config), with the stale lock file of the dead
 * process.
 */
@Timeout(180)
class InterruptedGroupAddTest {

  @TempDir Path dir;

  @Test
  void anAddInterruptedBeforeRatisFormattedTheDirectoryComesUp() throws Exception {
    interruptAddAndRestart(
        current -> {
          deleteTree(current);
          Files.createDirectories(
              current); // Ratis' format clears current/ first, then writes raft-meta
        });
  }

  @Test
  void anAddInterruptedAfterTheFormatBeforeTheShardExistedComesUp() throws Exception {
    interruptAddAndRestart(
        current -> {
          keepOnly(current, "raft-meta");
        });
  }

  @Test
  void anAddInterruptedWhileTheShardStoreWasCreatedComesUp() throws Exception {
    interruptAddAndRestart(
        current -> {
          keepOnly(current, "raft-meta");
          // the store's directory exists (RocksDB creates it first), its config was never written
          Files.createDirectories(current.resolve("sm").resolve("shard"));
        });
  }

  private interface Damage {
    void apply(Path current) throws IOException;
  }

  private void interruptAddAndRestart(Damage damage) throws Exception {
    int port = TestNodes.freePort();
    RaftNodeConfig config =
        RaftNodeConfig.builder(1, dir.resolve("n1"))
            .raftAddress("127.0.0.1", port)
            .httpAddress("127.0.0.1:" + (port + 1))
            .snapshotThreshold(1000)
            .logSegmentBytes(1 << 20)
            .build();
    CollectionDescriptor c;
    ShardPlacement shard;
    try (RaftNode node = RaftNode.start(config)) {
      node.awaitCaughtUp(Duration.ofSeconds(60));
      c =
          node.catalog()
              .create(
                  "c",
                  new CollectionConfig(
                      VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 1, 1))
              .join();
      shard = c.shardMap().shards().get(0);
    }
    Path groupDir = config.raftDir().resolve(shard.groupId().toString());
    Path current = groupDir.resolve("current");
    assertTrue(Files.isDirectory(current), "the add created " + current);
    damage.apply(current);
    Files.writeString(
        groupDir.resolve("in_use.lock"), "4242@dead-host"); // the crashed process' lock file

    try (RaftNode node = RaftNode.start(config)) {
      node.awaitCaughtUp(Duration.ofSeconds(60));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try {
          node.shardClients()
              .forShard(c.name(), shard)
              .upsert(
                  List.of(new Point(PointId.of(1), Map.of("", new float[] {1, 1}), Payload.EMPTY)))
              .join();
          break;
        } catch (RuntimeException notYet) {
          assertTrue(
              System.nanoTime() < deadline,
              "the shard whose add was interrupted did not take a write within 60 s: " + notYet);
          Thread.sleep(200);
        }
      }
      for (int i = 2; i <= 10; i++) {
        node.shardClients()
            .forShard(c.name(), shard)
            .upsert(
                List.of(new Point(PointId.of(i), Map.of("", new float[] {i, 1}), Payload.EMPTY)))
            .join();
      }
      assertEquals(
          10,
          node.shardClients().forShard(c.name(), shard).count(ReadConsistency.LINEARIZABLE).join(),
          "the shard came up and holds the writes made since");
    }
  }

  private static void keepOnly(Path current, String name) throws IOException {
    try (Stream<Path> files = Files.list(current)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(name)) {
          deleteTree(f);
        }
      }
    }
    assertTrue(Files.exists(current.resolve(name)), current + " holds " + name);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
