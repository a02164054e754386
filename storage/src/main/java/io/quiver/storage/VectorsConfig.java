package io.quiver.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The vectors every point of a collection carries: one unnamed vector (name {@link #DEFAULT}) or
 * several named ones, each with its own {@link VectorParams}.
 */
public record VectorsConfig(Map<String, VectorParams> vectors) {

  /** The name of the single unnamed vector. */
  public static final String DEFAULT = "";

  public VectorsConfig {
    Objects.requireNonNull(vectors, "vectors");
    if (vectors.isEmpty()) {
      throw new IllegalArgumentException("a collection needs at least one vector");
    }
    vectors = Collections.unmodifiableMap(new LinkedHashMap<>(vectors));
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
