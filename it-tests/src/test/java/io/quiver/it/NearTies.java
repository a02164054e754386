package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Compares a node's top k with a reference computed in double: the node scores in float32, so two
 * points whose float scores are equal (or a last bit apart) may come in either order, and the k-th
 * may be either of them (ThreeNodeClusterIT, seed 9103673844398397750: ids 14 and 132 both at
 * 55.9689 in float, 1.3e-7 apart in double).
 */
final class NearTies {

  private NearTies() {}

  /**
   * {@code actual} equals {@code expected}, or holds as many distinct points and at every rank a
   * point whose reference score is the expected one's to 1e-5 relative.
   */
  static void assertTop(
      List<Integer> expected,
      List<Integer> actual,
      ToDoubleFunction<Integer> score,
      String context) {
    if (expected.equals(actual)) {
      return;
    }
    assertEquals(expected.size(), actual.size(), context + ": " + actual + " vs " + expected);
    assertEquals(
        actual.size(), new HashSet<>(actual).size(), context + ": a point twice in " + actual);
    for (int r = 0; r < expected.size(); r++) {
      double want = score.applyAsDouble(expected.get(r));
      double got = score.applyAsDouble(actual.get(r));
      assertEquals(
          want,
          got,
          1e-5 * Math.max(1, Math.abs(want)),
          context
              + ": rank "
              + r
              + " holds "
              + actual.get(r)
              + " instead of "
              + expected.get(r)
              + ": "
              + actual
              + " vs "
              + expected);
    }
  }
}
