package io.quiver.storage;

import java.util.List;
import java.util.Map;

/**
 * Checks points against a collection's {@link VectorsConfig}: the unnamed vector present (named
 * vectors, dense or sparse, are optional), the right dimensions, no unknown names, only finite
 * numbers. Used at the HTTP edge (fast 4xx, nothing written) and again by the state machine before
 * a command enters the log.
 */
public final class PointValidator {

  private final VectorsConfig config;

  public PointValidator(VectorsConfig config) {
    this.config = config;
  }

  /** Throws {@link BadRequestException} naming the first bad point and field. */
  public void validate(List<Point> points) {
    for (Point p : points) {
      validate(p);
    }
  }

  public void validate(Point point) {
    validateVectors(point.id(), point.vectors());
    validateSparse(point.id(), point.sparse());
    // Named vectors are optional (a point may omit any of them); the unnamed vector is not.
    if ((config.vectors().containsKey(VectorsConfig.DEFAULT)
            || config.multi().containsKey(VectorsConfig.DEFAULT))
        && !point.vectors().containsKey(VectorsConfig.DEFAULT)) {
      throw new BadRequestException(
          "Wrong input: point "
              + point.id()
              + " is missing vector "
              + displayName(VectorsConfig.DEFAULT));
    }
  }

  /**
   * Checks sparse vectors given for a point: every name a sparse vector of the collection, every
   * value one its datatype can store (float16: |x| &le; 65,504).
   */
  public void validateSparse(PointId id, Map<String, io.quiver.index.sparse.SparseVector> sparse) {
    for (Map.Entry<String, io.quiver.index.sparse.SparseVector> e : sparse.entrySet()) {
      String name = e.getKey();
      SparseVectorParams params = config.getSparse(name);
      if (params == null) {
        throw new BadRequestException(
            "Wrong input: Not existing vector name error: "
                + displayName(name)
                + " (point "
                + id
                + ")"
                + (config.get(name) != null ? ": it is a dense vector" : ""));
      }
      int bad =
          io.quiver.storage.sparse.SparseValues.firstUnstorable(
              params.storedDatatype(), e.getValue());
      if (bad >= 0) {
        throw new BadRequestException(
            "Wrong input: sparse vector "
                + displayName(name)
                + " has datatype float16,"
                + " which stores numbers from -65504 to 65504; the value of index "
                + Integer.toUnsignedString(e.getValue().index(bad))
                + " is "
                + e.getValue().value(bad)
                + of(id));
      }
    }
  }

  /**
   * Checks the names of a vector deletion: each a vector of the collection, and not the unnamed
   * vector (a point of a collection with an unnamed vector always has it).
   */
  public void validateVectorNames(List<String> names) {
    if (names.isEmpty()) {
      throw new BadRequestException(
          "Validation error in JSON body: `vector` must name at least one vector");
    }
    for (String name : names) {
      if (config.get(name) == null
          && config.getSparse(name) == null
          && config.getMulti(name) == null) {
        throw new BadRequestException(
            "Wrong input: Not existing vector name error: " + displayName(name));
      }
      if (name.equals(VectorsConfig.DEFAULT)) {
        throw new BadRequestException(
            "Wrong input: the unnamed vector cannot be deleted from a point; delete the point");
      }
    }
  }

  /**
   * A multivector, flat: a positive number of rows of the configured size, at most {@link
   * MultiVectorParams#MAX_ROWS}, finite numbers; when {@code stored}, values the datatype can
   * store. (The HTTP edge checks each row's length and names the row; here only the flat length can
   * be checked.)
   */
  private static void validateMulti(
      PointId id, String name, MultiVectorParams params, float[] v, boolean stored) {
    if (v.length == 0 || v.length % params.size() != 0) {
      throw new BadRequestException(
          "Wrong input: Vector dimension error: expected dim: "
              + params.size()
              + " per vector of multivector "
              + displayName(name)
              + ", got "
              + v.length
              + " numbers"
              + of(id));
    }
    if (v.length / params.size() > MultiVectorParams.MAX_ROWS) {
      throw new BadRequestException(
          "Wrong input: multivector "
              + displayName(name)
              + " has "
              + v.length / params.size()
              + " vectors, at most "
              + MultiVectorParams.MAX_ROWS
              + " are allowed"
              + of(id));
    }
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new BadRequestException(
            "Wrong input: multivector "
                + displayName(name)
                + " contains a non-finite number"
                + of(id));
      }
    }
    if (stored) { // queries stay float32
      validateDatatype(id, name, params.vector().storedDatatype(), v, params.size());
    }
  }

  private static String of(PointId id) {
    return id == null ? "" : " (point " + id + ")";
  }

  /**
   * Checks the vectors given for a point (names known, right dimensions, finite numbers) without
   * requiring every configured vector: for updates of some vectors of an existing point.
   */
  public void validateVectors(PointId id, Map<String, float[]> vectors) {
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      VectorParams params = config.get(e.getKey());
      MultiVectorParams multi = config.getMulti(e.getKey());
      if (multi != null) {
        validateMulti(id, e.getKey(), multi, e.getValue(), true);
        continue;
      }
      if (params == null) {
        throw new BadRequestException(
            "Wrong input: Not existing vector name error: "
                + displayName(e.getKey())
                + " (point "
                + id
                + ")");
      }
      float[] v = e.getValue();
      if (v.length != params.size()) {
        throw new BadRequestException(
            "Wrong input: Vector dimension error: expected dim: "
                + params.size()
                + ", got "
                + v.length
                + " (point "
                + id
                + ", vector "
                + displayName(e.getKey())
                + ")");
      }
      for (float x : v) {
        if (!Float.isFinite(x)) {
          throw new BadRequestException(
              "Wrong input: vector of point " + id + " contains a non-finite number");
        }
      }
      validateDatatype(id, e.getKey(), params.storedDatatype(), v, 0);
    }
  }

  /**
   * Checks that every value can be stored as {@code datatype}: uint8 takes integers 0..255 (Qdrant
   * would silently cast others, e.g. 1.7 to 1 and 300 to 255; Quiver refuses them), float16 takes
   * values whose half is finite (|x| &le; 65,504). {@code rowSize}: a multivector's row length (the
   * message names row and element), 0 for a plain vector.
   */
  private static void validateDatatype(
      PointId id,
      String name,
      io.quiver.index.vector.VectorDatatype datatype,
      float[] v,
      int rowSize) {
    if (datatype == io.quiver.index.vector.VectorDatatype.FLOAT32) {
      return;
    }
    for (int i = 0; i < v.length; i++) {
      if (!datatype.canStore(v[i])) {
        String rule =
            datatype == io.quiver.index.vector.VectorDatatype.UINT8
                ? "integers from 0 to 255"
                : "numbers from -65504 to 65504";
        throw new BadRequestException(
            "Wrong input: vector "
                + displayName(name)
                + " has datatype "
                + datatype.qdrantName()
                + ", which stores "
                + rule
                + "; "
                + (rowSize == 0
                    ? "element " + i
                    : "vector " + i / rowSize + " element " + i % rowSize)
                + " is "
                + v[i]
                + of(id));
      }
    }
  }

  /** Validates a query vector for {@code vectorName}. */
  public void validateQuery(String vectorName, float[] vector) {
    MultiVectorParams multi = config.getMulti(vectorName);
    if (multi != null) {
      validateMulti(null, vectorName, multi, vector, false);
      return;
    }
    VectorParams params = config.get(vectorName);
    if (params == null) {
      throw new BadRequestException(
          "Wrong input: Not existing vector name error: " + displayName(vectorName));
    }
    if (vector.length != params.size()) {
      throw new BadRequestException(
          "Wrong input: Vector dimension error: expected dim: "
              + params.size()
              + ", got "
              + vector.length);
    }
  }

  private static String displayName(String name) {
    return name.isEmpty() ? "(unnamed)" : name;
  }
}
