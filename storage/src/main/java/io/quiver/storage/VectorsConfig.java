package io.quiver.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The vectors every point of a collection carries: one unnamed vector (name {@link #DEFAULT}) or
 * several named ones, each with its own {@link VectorParams}; and named sparse vectors ({@code
 * sparse}, Qdrant's {@code sparse_vectors}), which a point may leave out; and named multivectors
 * ({@code multi}: dense vectors with Qdrant's {@code multivector_config}, a list of rows per point,
 * flat in the point's dense vector map). The three name sets are disjoint; a collection has at
 * least one vector of some kind.
 */
public record VectorsConfig(
    Map<String, VectorParams> vectors,
    Map<String, SparseVectorParams> sparse,
    Map<String, MultiVectorParams> multi) {

  /** The name of the single unnamed vector. */
  public static final String DEFAULT = "";

  public VectorsConfig {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(sparse, "sparse");
    Objects.requireNonNull(multi, "multi");
    if (vectors.isEmpty() && sparse.isEmpty() && multi.isEmpty()) {
      throw new IllegalArgumentException("a collection needs at least one vector");
    }
    for (String name : sparse.keySet()) {
      if (vectors.containsKey(name)) {
        throw new BadRequestException(
            "Wrong input: vector name " + name + " is both a dense and a sparse vector");
      }
    }
    for (String name : multi.keySet()) {
      if (vectors.containsKey(name) || sparse.containsKey(name)) {
        throw new BadRequestException("Wrong input: vector name " + name + " is configured twice");
      }
    }
    vectors = Collections.unmodifiableMap(new LinkedHashMap<>(vectors));
    sparse = Collections.unmodifiableMap(new LinkedHashMap<>(sparse));
    multi = Collections.unmodifiableMap(new LinkedHashMap<>(multi));
  }

  /** Dense and sparse vectors, no multivectors. */
  public VectorsConfig(Map<String, VectorParams> vectors, Map<String, SparseVectorParams> sparse) {
    this(vectors, sparse, Map.of());
  }

  /** The params of a multivector, or null when the collection has no multivector of that name. */
  public MultiVectorParams getMulti(String name) {
    return multi.get(name);
  }

  /** The same dense and sparse vectors with these multivectors. */
  public VectorsConfig withMulti(Map<String, MultiVectorParams> newMulti) {
    return new VectorsConfig(vectors, sparse, newMulti);
  }

  /** Dense vectors only. */
  public VectorsConfig(Map<String, VectorParams> vectors) {
    this(vectors, Map.of());
  }

  /**
   * The params of a sparse vector, or null when the collection has no sparse vector of that name.
   */
  public SparseVectorParams getSparse(String name) {
    return sparse.get(name);
  }

  /** The same dense vectors with these sparse vectors. */
  public VectorsConfig withSparse(Map<String, SparseVectorParams> newSparse) {
    return new VectorsConfig(vectors, newSparse, multi);
  }

  public static VectorsConfig single(VectorParams params) {
    return new VectorsConfig(Map.of(DEFAULT, params));
  }

  /** True when the collection has one unnamed vector. */
  public boolean isSingleUnnamed() {
    return vectors.size() == 1 && vectors.containsKey(DEFAULT);
  }

  /** The params of a vector, or null when the collection has no vector of that name. */
  public VectorParams get(String name) {
    return vectors.get(name);
  }
}
