package io.quiver.index.vector;

/** Plain Java kernels: the reference for tests and the fallback where the Vector API is absent. */
final class ScalarVectorKernels implements VectorKernels {

  @Override
  public float dot(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    float sum = 0f;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Override
  public float squareDistance(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    float sum = 0f;
    for (int i = 0; i < a.length; i++) {
      float diff = a[i] - b[i];
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1Distance(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    float sum = 0f;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum;
  }
}
