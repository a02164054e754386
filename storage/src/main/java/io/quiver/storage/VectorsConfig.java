package io.quiver.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The vectors every point of a collection carries: one unnamed vector (name {@link #DEFAULT}) or
 * several named ones, each with its own {@link VectorParams}; and named sparse vectors
 * ({@code sparse}, Qdrant's {@code sparse_vectors}), which a point may leave out. Dense and sparse
 * names are disjoint; a collection has at least one vector of either kind.
 */
public record VectorsConfig(Map<String, VectorParams> vectors, Map<String, SparseVectorParams> sparse) {

  /** The name of the single unnamed vector. */
  public static final String DEFAULT = "";

  public VectorsConfig {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(sparse, "sparse");
    if (vectors.isEmpty() && sparse.isEmpty()) {
      throw new IllegalArgumentException("a collection needs at least one vector");
    }
    for (String name : sparse.keySet()) {
      if (vectors.containsKey(name)) {
        throw new BadRequestException("Wrong input: vector name " + name + " is both a dense and a sparse vector");
      }
    }
    vectors = Collections.unmodifiableMap(new LinkedHashMap<>(vectors));
    sparse = Collections.unmodifiableMap(new LinkedHashMap<>(sparse));
  }

  /** Dense vectors only. */
  public VectorsConfig(Map<String, VectorParams> vectors) {
    this(vectors, Map.of());
  }

  /** The params of a sparse vector, or null when the collection has no sparse vector of that name. */
  public SparseVectorParams getSparse(String name) {
    return sparse.get(name);
  }

  /** The same dense vectors with these sparse vectors. */
  public VectorsConfig withSparse(Map<String, SparseVectorParams> newSparse) {
    return new VectorsConfig(vectors, newSparse);
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
