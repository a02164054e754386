package io.quiver.storage;

import java.util.Objects;

/**
 * Everything a shard's storage engine is configured with: the vectors every point carries, how
 * sealed segments index them (collection-wide {@link HnswConfig}; a vector's own {@link
 * VectorParams#hnsw()} overrides it), when the optimizer works, and Qdrant's {@code payload.memory}
 * placement of the payload storage ({@code payloadMemory}, null when not given): {@code cold} (what
 * Quiver always does: payloads are read from RocksDB on demand, through its block cache) or {@code
 * cached} (every payload is also read once when the shard opens, so RocksDB's block cache and the
 * page cache hold them, evictable); {@code pinned} is refused, as Qdrant refuses it.
 */
public record ShardConfig(
    VectorsConfig vectors,
    HnswConfig hnsw,
    OptimizersConfig optimizers,
    QuantizationConfig quantization,
    Memory payloadMemory) {

  /** A config without a payload placement. */
  public ShardConfig(
      VectorsConfig vectors,
      HnswConfig hnsw,
      OptimizersConfig optimizers,
      QuantizationConfig quantization) {
    this(vectors, hnsw, optimizers, quantization, null);
  }

  /** This config with another payload placement (null: none given). */
  public ShardConfig withPayloadMemory(Memory memory) {
    return new ShardConfig(vectors, hnsw, optimizers, quantization, memory);
  }

  public ShardConfig {
    if (payloadMemory == Memory.PINNED) {
      throw new BadRequestException(
          "payload.memory: `pinned` is not supported for payload storage");
    }
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(hnsw, "hnsw");
    Objects.requireNonNull(optimizers, "optimizers");
    java.util.Map<String, VectorParams> quantizable =
        new java.util.LinkedHashMap<>(vectors.vectors());
    vectors.multi().forEach((name, p) -> quantizable.put(name, p.vector()));
    for (var e : quantizable.entrySet()) {
      QuantizationConfig q =
          e.getValue().quantization() != null ? e.getValue().quantization() : quantization;
      if ((q instanceof QuantizationConfig.Product || q instanceof QuantizationConfig.Turbo)
          && e.getValue().distance() == io.quiver.index.vector.Distance.MANHATTAN) {
        throw new BadRequestException(
            (q instanceof QuantizationConfig.Product ? "product" : "turbo")
                + " quantization does not support the Manhattan distance (vector "
                + (e.getKey().isEmpty() ? "\"\"" : e.getKey())
                + ")");
      }
    }
  }

  /** A config without collection-wide quantization. */
  public ShardConfig(VectorsConfig vectors, HnswConfig hnsw, OptimizersConfig optimizers) {
    this(vectors, hnsw, optimizers, null);
  }

  /**
   * The quantization of one dense vector or multivector (whose rows are quantized): its own when it
   * has one, else the collection's; null: none.
   */
  public QuantizationConfig quantizationOf(String vectorName) {
    VectorParams params = vectors.get(vectorName);
    if (params == null && vectors.getMulti(vectorName) != null) {
      params = vectors.getMulti(vectorName).vector();
    }
    return params != null && params.quantization() != null ? params.quantization() : quantization;
  }

  /** The vectors with Qdrant's default HNSW and optimizer settings. */
  public static ShardConfig of(VectorsConfig vectors) {
    return new ShardConfig(vectors, HnswConfig.DEFAULT, OptimizersConfig.DEFAULT);
  }

  /**
   * The HNSW settings of one vector (dense or multivector): its own when it has them, else the
   * collection's.
   */
  public HnswConfig hnswOf(String vectorName) {
    VectorParams params = vectors.get(vectorName);
    if (params == null && vectors.getMulti(vectorName) != null) {
      params = vectors.getMulti(vectorName).vector();
    }
    return params != null && params.hnsw() != null ? params.hnsw() : hnsw;
  }

  /** Bytes of vector data per point (all vectors). */
  public long bytesPerPoint() {
    long n = 0;
    for (VectorParams p : vectors.vectors().values()) {
      n += (long) p.storedDatatype().bytesPerDimension() * p.size();
    }
    return n;
  }
}
