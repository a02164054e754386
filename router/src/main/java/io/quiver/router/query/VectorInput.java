package io.quiver.router.query;

import io.quiver.storage.PointId;
import java.util.Objects;

/** A vector in a query: given as numbers, or as the id of a point whose vector is used. */
public sealed interface VectorInput {

  /**
   * Numbers: one vector ({@code rowLength} 0), or a multivector given as a list of vectors, flat,
   * each row {@code rowLength} numbers (for a multivector name).
   */
  record Dense(float[] vector, int rowLength) implements VectorInput {
    public Dense {
      Objects.requireNonNull(vector, "vector");
      if (rowLength < 0 || (rowLength > 0 && vector.length % rowLength != 0)) {
        throw new IllegalArgumentException(
            "rows of " + rowLength + " do not divide " + vector.length + " numbers");
      }
    }

    /** One vector. */
    public Dense(float[] vector) {
      this(vector, 0);
    }

    /** True when the input was a list of vectors. */
    public boolean isMulti() {
      return rowLength > 0;
    }
  }

  /** A sparse vector (for a sparse vector name). */
  record Sparse(io.quiver.index.sparse.SparseVector vector) implements VectorInput {
    public Sparse {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /**
   * The vector of point {@code id}, looked up in the stage's {@code lookup_from} collection or the
   * queried one.
   */
  record Id(PointId id) implements VectorInput {
    public Id {
      Objects.requireNonNull(id, "id");
    }
  }
}
