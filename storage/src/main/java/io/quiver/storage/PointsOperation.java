package io.quiver.storage;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A change to existing points, beyond a plain upsert: applied by {@link Shard#apply} in log order.
 * Operations that select points by filter resolve the filter when they are applied, so every
 * replica, applying the same log to the same state, changes the same points.
 */
public sealed interface PointsOperation {

  /** The points the operation touches, for routing. */
  PointSelector selector();

  /**
   * This operation narrowed to {@code ids} (for an operation that selects by ids: to route it to a
   * shard, or to split it into log entries); a filter selector is replaced by the ids.
   */
  default PointsOperation restrictedTo(List<PointId> ids) {
    PointSelector.Ids selector = new PointSelector.Ids(ids);
    return switch (this) {
      case DeletePoints d -> new DeletePoints(selector);
      case UpdatePayload p -> new UpdatePayload(selector, p.update());
      case UpdateVectors u -> {
        java.util.Set<PointId> keep = new java.util.HashSet<>(ids);
        yield new UpdateVectors(
            u.points().stream().filter(pv -> keep.contains(pv.id())).toList(), u.updateFilter());
      }
      case DeleteVectors v -> new DeleteVectors(selector, v.names());
    };
  }

  /**
   * Removes the named vectors (dense or sparse) from the selected points, keeping their other
   * vectors and payload (Qdrant's {@code POST .../points/vectors/delete}). A point that had none of
   * them is left as it is.
   */
  record DeleteVectors(PointSelector selector, List<String> names) implements PointsOperation {
    public DeleteVectors {
      Objects.requireNonNull(selector, "selector");
      names = List.copyOf(names);
    }
  }

  /** Deletes the selected points. */
  record DeletePoints(PointSelector selector) implements PointsOperation {
    public DeletePoints {
      Objects.requireNonNull(selector, "selector");
    }
  }

  /** Changes the payload of the selected points (see {@link PayloadUpdate}). */
  record UpdatePayload(PointSelector selector, PayloadUpdate update) implements PointsOperation {
    public UpdatePayload {
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(update, "update");
    }
  }

  /**
   * Replaces some named vectors of existing points, keeping their other vectors and payload; a
   * point that does not exist, or whose payload does not match {@code updateFilter} (Qdrant's
   * {@code update_filter}; null: no filter) when the operation is applied, is skipped.
   */
  record UpdateVectors(List<PointVectors> points, io.quiver.storage.filter.Filter updateFilter)
      implements PointsOperation {
    public UpdateVectors {
      points = List.copyOf(points);
    }

    public UpdateVectors(List<PointVectors> points) {
      this(points, null);
    }

    @Override
    public PointSelector selector() {
      return new PointSelector.Ids(points.stream().map(PointVectors::id).toList());
    }
  }

  /** The new vectors of one point, by name: dense ones and sparse ones. */
  record PointVectors(
      PointId id,
      Map<String, float[]> vectors,
      Map<String, io.quiver.index.sparse.SparseVector> sparse) {
    public PointVectors {
      Objects.requireNonNull(id, "id");
      vectors = Map.copyOf(vectors);
      sparse = sparse == null ? Map.of() : Map.copyOf(sparse);
    }

    /** Dense vectors only. */
    public PointVectors(PointId id, Map<String, float[]> vectors) {
      this(id, vectors, Map.of());
    }
  }
}
