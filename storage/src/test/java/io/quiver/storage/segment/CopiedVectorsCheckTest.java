package io.quiver.storage.segment;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.PointId;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.StorageException;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a segment is handed back only when every vector it holds is its origin's. Built for real
 * (plain and indexed, through {@link SegmentBuilder}); then checked against origins that hold other
 * vectors at one ord, which must be refused naming that point.
 */
class CopiedVectorsCheckTest {

  private static final int DIM = 8;

  @TempDir Path dir;

  private final ShardConfig config =
      new ShardConfig(
          VectorsConfig.single(new VectorParams(DIM, Distance.EUCLID, true)),
          new HnswConfig(8, 32, 0, true),
          new OptimizersConfig(0.2, 1000, 2, null, 1_000, 0));

  private AppendableSegment segmentOf(int points, long seed) {
    AppendableSegment s = new AppendableSegment(config);
    Random random = new Random(seed);
    for (int i = 0; i < points; i++) {
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = random.nextFloat();
      }
      s.append(PointId.of(i), 1, Map.of("", v));
    }
    s.freeze();
    return s;
  }

  @Test
  void builtSegmentsPassAndASegmentWhoseVectorDiffersFromItsOriginIsRefused() throws Exception {
    AppendableSegment source = segmentOf(300, 1);
    List<SealedSegment.Origin> origins = ShardSegments.liveOrigins(source);
    SegmentBuilder builder = new SegmentBuilder(dir, config, 1);
    SealedSegment plain = builder.buildPlain(SegmentFiles.newName(true), origins, () -> false);
    SealedSegment indexed = builder.build(SegmentFiles.newName(false), origins, () -> false);
    assertNotNull(plain);
    assertNotNull(indexed); // the builder checked both already; checking again passes
    CopiedVectorsCheck.verify(indexed, origins, config.vectors().vectors().keySet());

    // The same ids, one vector changed at ord 137: what a copy loop that skipped a point would
    // leave.
    AppendableSegment other = new AppendableSegment(config);
    for (int i = 0; i < 300; i++) {
      float[] v = new float[DIM];
      source.vectors("").copyVector(i, v);
      if (i == 137) {
        v[3] += 1f;
      }
      other.append(PointId.of(i), 1, Map.of("", v));
    }
    List<SealedSegment.Origin> wrong = ShardSegments.liveOrigins(other);
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> CopiedVectorsCheck.verify(indexed, wrong, config.vectors().vectors().keySet()));
    assertTrue(e.getMessage().contains("of point 137"), e.getMessage());
    assertTrue(e.getMessage().contains("was written wrong"), e.getMessage());
    plain.close();
    indexed.close();
  }
}
