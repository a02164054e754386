package io.quiver.index.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.index.vector.Distance;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a graph built with an insert filter (points that lack the vector) never reaches the ords
 * left out, neither in memory nor after the file round trip, still finds the inserted ones, and a
 * graph with nothing inserted is empty. Oracle: the ords' own membership; brute force for recall.
 */
class HnswPartialInsertTest {

  @TempDir Path dir;

  @Test
  void leftOutOrdsAreNeverReached() throws Exception {
    Random random = new Random(3);
    int n = 2_000;
    int dim = 8;
    float[] data = new float[n * dim];
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextFloat();
    }
    // Left-out ords hold zeros, as segments store absent vectors: Euclid queries near 0 would love
    // them.
    OrdFilter inserted = ord -> ord % 3 != 0;
    for (int ord = 0; ord < n; ord += 3) {
      java.util.Arrays.fill(data, ord * dim, (ord + 1) * dim, 0f);
    }
    HeapFloatVectors vectors = new HeapFloatVectors(data, dim, Distance.EUCLID);
    HnswIndex built = HnswIndex.build(vectors, new HnswParams(8, 64, 7L, 2), () -> false, inserted);
    built.write(dir.resolve("g.hnsw"));
    try (HnswIndex mapped = HnswIndex.open(dir.resolve("g.hnsw"))) {
      for (HnswIndex index : new HnswIndex[] {built, mapped}) {
        int found = 0;
        for (int q = 0; q < 50; q++) {
          float[] query = new float[dim];
          for (int i = 0; i < dim; i++) {
            query[i] = random.nextFloat() * 0.2f;
          }
          TopHits hits = index.search(query, 10, 64, OrdFilter.ALL);
          for (int i = 0; i < hits.size(); i++) {
            assertTrue(
                inserted.accept(hits.ords()[i]), "a left-out ord was returned: " + hits.ords()[i]);
          }
          found += hits.size();
        }
        assertEquals(500, found, "every search returns 10 inserted ords");
      }
    }
    HnswIndex empty =
        HnswIndex.build(vectors, new HnswParams(8, 64, 7L, 1), () -> false, ord -> false);
    assertEquals(-1, empty.graph().entryPoint());
    assertEquals(0, empty.search(new float[dim], 5, 16, OrdFilter.ALL).size());
    empty.write(dir.resolve("e.hnsw"));
    try (HnswIndex reopened = HnswIndex.open(dir.resolve("e.hnsw"))) {
      assertEquals(0, reopened.search(new float[dim], 5, 16, OrdFilter.ALL).size());
    }
  }
}
