package io.quiver.consensus;

import io.quiver.consensus.shard.RaftShardClient;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The part of {@link ClockStepTest} that runs in a JVM under libfaketime, whose wall clock it steps
 * by writing libfaketime's file. Exits 0 when a shard client's write and linearizable read complete
 * after the wall clock stepped back; 1 (with the reason on stdout) when they do not; 2 when the
 * clock could not be stepped (libfaketime not in effect).
 *
 * <p>Steps: a one-replica group whose server is built but not started, so that every attempt of a
 * write is refused at once and retried 100 ms later; the wall clock goes one hour ahead before the
 * write, and back one second later, while the write keeps being retried; then the server starts.
 * The write must complete within 20 s, and a linearizable read through the same client (the
 * client's ordered stream, behind the write) within 10 s more.
 */
final class ClockStepProbe {

  private static final long HOUR_MS = 3_600_000;

  private ClockStepProbe() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path skewFile = Path.of(args[1]);
    ExecutorService replies = Executors.newSingleThreadExecutor();
    int code;
    try (ShardGroupCluster cluster =
        new ShardGroupCluster(
            dir, VectorsConfig.single(new VectorParams(2, Distance.DOT, false)))) {
      cluster.build(List.of("a"), (id, p) -> {});
      RaftShardClient client =
          new RaftShardClient(
              "shard",
              cluster.client(RaftPeerId.valueOf("a"), 600),
              null,
              () -> {},
              replies,
              4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES);
      code = run(cluster, client, skewFile);
    } finally {
      replies.shutdownNow();
    }
    System.out.flush();
    System.exit(code);
  }

  private static int run(ShardGroupCluster cluster, RaftShardClient client, Path skewFile)
      throws Exception {
    long before = System.currentTimeMillis();
    step(skewFile, "+3600");
    if (System.currentTimeMillis() - before < HOUR_MS - 60_000) {
      System.out.println("the wall clock did not step ahead (is libfaketime preloaded?)");
      return 2;
    }
    CompletableFuture<Long> write =
        client.upsert(
            List.of(new Point(PointId.of(7), Map.of("", new float[] {1, 2}), Payload.EMPTY)));
    Thread.sleep(1_000);
    step(skewFile, "+0");
    System.out.println(
        "wall clock stepped back an hour; write done before the server started: " + write.isDone());
    cluster.servers().getFirst().start();
    long started = System.nanoTime();
    try {
      write.get(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      System.out.println(
          "the write did not complete within 20 s of the server starting: its retry, scheduled"
              + " while the wall clock was an hour ahead, waits for the wall clock to catch up");
      return 1;
    }
    System.out.printf(
        "write completed %d ms after the server started%n",
        (System.nanoTime() - started) / 1_000_000);
    try {
      int found =
          client
              .retrieve(List.of(PointId.of(7)), false, false, ReadConsistency.LINEARIZABLE)
              .get(10, TimeUnit.SECONDS)
              .size();
      if (found != 1) {
        System.out.println("the linearizable read found " + found + " points, expected 1");
        return 1;
      }
    } catch (TimeoutException e) {
      System.out.println("the linearizable read did not complete within 10 s");
      return 1;
    }
    System.out.println("linearizable read done");
    return 0;
  }

  /** Sets the wall clock's offset (libfaketime's syntax), replacing the file at once. */
  private static void step(Path skewFile, String offset) throws Exception {
    Path tmp = skewFile.resolveSibling(skewFile.getFileName() + ".tmp");
    Files.writeString(tmp, offset);
    Files.move(tmp, skewFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Thread.sleep(50);
  }
}
