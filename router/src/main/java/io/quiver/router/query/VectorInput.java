package io.quiver.router.query;

import io.quiver.storage.PointId;
import java.util.Objects;

/** A vector in a query: given as numbers, or as the id of a point whose vector is used. */
public sealed interface VectorInput {

  record Dense(float[] vector) implements VectorInput {
    public Dense {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** A sparse vector (for a sparse vector name). */
  record Sparse(io.quiver.index.sparse.SparseVector vector) implements VectorInput {
    public Sparse {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** The vector of point {@code id}, looked up in the stage's {@code lookup_from} collection or the queried one. */
  record Id(PointId id) implements VectorInput {
    public Id {
      Objects.requireNonNull(id, "id");
    }
  }
}
