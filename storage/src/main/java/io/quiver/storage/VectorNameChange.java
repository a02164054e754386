package io.quiver.storage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rule for creating or deleting a named vector of an existing collection (Qdrant's {@code PUT}
 * and {@code DELETE /collections/{c}/vectors/{name}}), as a pure function of the vectors config:
 * the metadata state machine applies it in log order, the REST edge checks it first for a fast 400.
 *
 * <p>A created name (dense, multivector or sparse) is new among all the collection's names;
 * existing points lack it. A deleted name exists, is not the unnamed vector, and is not the
 * collection's last vector. A dense vector or multivector cannot join an unnamed one (the points'
 * vectors would have no single JSON shape).
 */
public final class VectorNameChange {

  private VectorNameChange() {}

  /**
   * Why the change cannot apply, or null when it can. {@code added} holds exactly the new vector
   * (dense, multivector or sparse) for a creation, null for a deletion.
   */
  public static String problem(VectorsConfig current, String name, VectorsConfig added) {
    boolean exists =
        current.get(name) != null
            || current.getSparse(name) != null
            || current.getMulti(name) != null;
    if (added == null) {
      if (!exists) {
        return "Wrong input: Not existing vector name error: " + name;
      }
      if (name.equals(VectorsConfig.DEFAULT)) {
        return "Wrong input: the unnamed vector cannot be deleted";
      }
      if (current.vectors().size() + current.sparse().size() + current.multi().size() == 1) {
        return "Wrong input: vector `"
            + name
            + "` is the collection's last vector; delete the collection instead";
      }
      return null;
    }
    if (added.vectors().size() + added.sparse().size() + added.multi().size() != 1
        || (added.get(name) == null
            && added.getSparse(name) == null
            && added.getMulti(name) == null)) {
      return "Wrong input: the request must define exactly the vector `" + name + "`";
    }
    if (name.isEmpty()) {
      return "Wrong input: a vector name must not be empty";
    }
    if (exists) {
      return "Wrong input: Vector with name `" + name + "` already exists";
    }
    boolean unnamed =
        current.vectors().containsKey(VectorsConfig.DEFAULT)
            || current.multi().containsKey(VectorsConfig.DEFAULT);
    if ((added.get(name) != null || added.getMulti(name) != null) && unnamed) {
      return "Wrong input: the collection has an unnamed vector; it cannot take named dense vectors or multivectors"
          + " (sparse ones it can)";
    }
    return null;
  }

  /** The config after the change; call only when {@link #problem} said null. */
  public static VectorsConfig apply(VectorsConfig current, String name, VectorsConfig added) {
    Map<String, VectorParams> dense = new LinkedHashMap<>(current.vectors());
    Map<String, SparseVectorParams> sparse = new LinkedHashMap<>(current.sparse());
    Map<String, MultiVectorParams> multi = new LinkedHashMap<>(current.multi());
    if (added == null) {
      dense.remove(name);
      sparse.remove(name);
      multi.remove(name);
    } else if (added.get(name) != null) {
      dense.put(name, added.get(name));
    } else if (added.getMulti(name) != null) {
      multi.put(name, added.getMulti(name));
    } else {
      sparse.put(name, added.getSparse(name));
    }
    return new VectorsConfig(dense, sparse, multi);
  }
}
