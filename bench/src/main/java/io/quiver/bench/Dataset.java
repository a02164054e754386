package io.quiver.bench;

import io.quiver.index.vector.Distance;

/**
 * A benchmark data set: base vectors and query vectors, both flat row-major float arrays.
 *
 * @param name as given on the command line
 * @param key identifies the exact content (for the ground-truth cache)
 */
public record Dataset(
    String name, String key, Distance distance, int dim, float[] base, float[] queries) {

  public int size() {
    return base.length / dim;
  }

  public int queryCount() {
    return queries.length / dim;
  }

  public float[] baseVector(int i) {
    float[] v = new float[dim];
    System.arraycopy(base, i * dim, v, 0, dim);
    return v;
  }

  public float[] query(int i) {
    float[] v = new float[dim];
    System.arraycopy(queries, i * dim, v, 0, dim);
    return v;
  }

  /** The same data set with only the first {@code n} queries. */
  public Dataset withQueries(int n) {
    if (n >= queryCount()) {
      return this;
    }
    float[] q = new float[n * dim];
    System.arraycopy(queries, 0, q, 0, q.length);
    return new Dataset(name, key + "-q" + n, distance, dim, base, q);
  }
}
