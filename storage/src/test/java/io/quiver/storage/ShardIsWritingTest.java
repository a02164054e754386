package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@link Shard#isWriting} is the signal a caller that must not block (an HTTP event loop with
 * a quick local read) checks: false on an idle shard, true while a write holds the shard, false
 * again once it is done. The write is a keyword index built over 100,000 stored payloads, which
 * holds the shard's write lock while it reads every one of them (a few hundred ms).
 */
@Timeout(120)
class ShardIsWritingTest {

  @TempDir Path dir;

  @Test
  void aWriteInProgressIsSeenAndItsEndToo() throws Exception {
    try (Shard shard =
        Shard.open(dir, VectorsConfig.single(new VectorParams(2, Distance.DOT, false)))) {
      long index = 0;
      for (int from = 0; from < 100_000; from += 10_000) {
        List<Point> batch = new ArrayList<>();
        for (int i = from; i < from + 10_000; i++) {
          batch.add(
              new Point(
                  PointId.of(i),
                  Map.of("", new float[] {i, 1}),
                  Payload.fromBytes(
                      ("{\"k\":\"v" + i % 100 + "\"}").getBytes(StandardCharsets.UTF_8))));
        }
        shard.upsert(batch, ++index);
      }
      assertFalse(shard.isWriting(), "an idle shard");
      long build = ++index;
      CompletableFuture<Void> indexing =
          CompletableFuture.runAsync(
              () ->
                  shard.createFieldIndex(
                      "k", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), build));
      boolean seen = false;
      while (!indexing.isDone()) {
        seen |= shard.isWriting();
      }
      indexing.join();
      assertTrue(seen, "the index build was never seen holding the shard");
      assertFalse(shard.isWriting(), "the build is over");
    }
  }
}
