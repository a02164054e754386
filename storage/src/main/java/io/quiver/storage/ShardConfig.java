package io.quiver.storage;

import java.util.Objects;

/**
 * Everything a shard's storage engine is configured with: the vectors every point carries, how
 * sealed segments index them (collection-wide {@link HnswConfig}; a vector's own
 * {@link VectorParams#hnsw()} overrides it), and when the optimizer works.
 */
public record ShardConfig(VectorsConfig vectors, HnswConfig hnsw, OptimizersConfig optimizers) {

  public ShardConfig {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(hnsw, "hnsw");
    Objects.requireNonNull(optimizers, "optimizers");
  }

  /** The vectors with Qdrant's default HNSW and optimizer settings. */
  public static ShardConfig of(VectorsConfig vectors) {
    return new ShardConfig(vectors, HnswConfig.DEFAULT, OptimizersConfig.DEFAULT);
  }

  /** The HNSW settings of one vector: its own when it has them, else the collection's. */
  public HnswConfig hnswOf(String vectorName) {
    VectorParams params = vectors.get(vectorName);
    return params != null && params.hnsw() != null ? params.hnsw() : hnsw;
  }

  /** Bytes of vector data per point (all vectors). */
  public long bytesPerPoint() {
    long n = 0;
    for (VectorParams p : vectors.vectors().values()) {
      n += 4L * p.size();
    }
    return n;
  }
}
