package io.quiver.storage;

import java.util.Map;
import java.util.Objects;

/**
 * A point to write: its id, its vectors by name ({@link VectorsConfig#DEFAULT} for the unnamed
 * one), and its payload. Vectors are as the user sent them; the shard prepares them (normalizes
 * for Cosine) when it stores them.
 */
public record Point(PointId id, Map<String, float[]> vectors, Payload payload) {
  public Point {
    Objects.requireNonNull(id, "id");
    vectors = Map.copyOf(vectors);
    payload = payload == null ? Payload.EMPTY : payload;
  }
}
