package io.quiver.index.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the JDK's Vector API. The main loop keeps the accumulator in a vector register and
 * reduces once at the end; the tail (length not a multiple of the species) runs as scalar code.
 */
final class PanamaVectorKernels implements VectorKernels {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  static String describe() {
    return SPECIES.vectorBitSize() + "-bit (" + SPECIES.length() + " floats)";
  }

  @Override
  public float dot(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    int i = 0;
    int bound = SPECIES.loopBound(a.length);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (; i < bound; i += SPECIES.length()) {
      acc = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Override
  public float squareDistance(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    int i = 0;
    int bound = SPECIES.loopBound(a.length);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (; i < bound; i += SPECIES.length()) {
      FloatVector diff = FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i));
      acc = diff.fma(diff, acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < a.length; i++) {
      float diff = a[i] - b[i];
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1Distance(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    int i = 0;
    int bound = SPECIES.loopBound(a.length);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (; i < bound; i += SPECIES.length()) {
      acc = acc.add(FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i)).abs());
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum;
  }
}
