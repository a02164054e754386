package io.quiver.index.vector;

/**
 * The float32 distance kernels every other part of Quiver calls. Implementations are stateless
 * and thread-safe; they do not check that the two arrays have the same length beyond an assert:
 * callers validate dimensions once, at the edge.
 *
 * <p>Obtain the implementation chosen for this JVM from {@link VectorizationProvider#kernels()}.
 */
public interface VectorKernels {

  /** Sum of {@code a[i] * b[i]}. */
  float dot(float[] a, float[] b);

  /** Sum of {@code (a[i] - b[i])^2}: the squared Euclidean distance. */
  float squareDistance(float[] a, float[] b);

  /** Sum of {@code |a[i] - b[i]|}: the Manhattan (L1) distance. */
  float l1Distance(float[] a, float[] b);
}
