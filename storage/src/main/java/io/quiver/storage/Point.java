package io.quiver.storage;

import io.quiver.index.sparse.SparseVector;
import java.util.Map;
import java.util.Objects;

/**
 * A point to write: its id, its dense vectors by name ({@link VectorsConfig#DEFAULT} for the
 * unnamed one), its sparse vectors by name (those it has; a point may leave any sparse vector out),
 * and its payload. Vectors are as the user sent them; the shard prepares them (normalizes for
 * Cosine) when it stores them.
 */
public record Point(
    PointId id, Map<String, float[]> vectors, Payload payload, Map<String, SparseVector> sparse) {
  public Point {
    Objects.requireNonNull(id, "id");
    vectors = Map.copyOf(vectors);
    payload = payload == null ? Payload.EMPTY : payload;
    sparse = sparse == null ? Map.of() : Map.copyOf(sparse);
  }

  /** A point without sparse vectors. */
  public Point(PointId id, Map<String, float[]> vectors, Payload payload) {
    this(id, vectors, payload, Map.of());
  }
}
