package io.quiver.index.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: {@link SparseVector#combine} is Qdrant's {@code combine_aggregate}. Oracle: Qdrant's own
 * cases (sparse_vector.rs, {@code combine_aggregate_test}), and the union and unsigned order of
 * dimensions written out by hand.
 */
@Timeout(10)
class SparseVectorCombineTest {

  @Test
  void combinesOverTheUnionOfDimensionsWithZeroForAMissingOne() {
    SparseVector a = SparseVector.of(new int[] {1, 2, 3}, new float[] {0.1f, 0.2f, 0.3f});
    SparseVector b = SparseVector.of(new int[] {2, 3, 4}, new float[] {2.0f, 3.0f, 4.0f});
    SparseVector sum = a.combine(b, (x, y) -> x + 2.0f * y);
    assertArrayEquals(new int[] {1, 2, 3, 4}, sum.indices());
    assertArrayEquals(new float[] {0.1f, 4.2f, 6.3f, 8.0f}, sum.values());
    SparseVector reversed = b.combine(a, (x, y) -> x + 2.0f * y);
    assertArrayEquals(new int[] {1, 2, 3, 4}, reversed.indices());
    assertArrayEquals(new float[] {0.2f, 2.4f, 3.6f, 4.0f}, reversed.values());
    SparseVector unsorted = SparseVector.of(new int[] {4, 2, 3}, new float[] {4.0f, 2.0f, 3.0f});
    assertArrayEquals(
        new float[] {0.1f, 4.2f, 6.3f, 8.0f}, a.combine(unsorted, (x, y) -> x + 2.0f * y).values());
  }

  @Test
  void keepsZerosAndUnsignedOrderAndRefusesNonFiniteResults() {
    SparseVector a =
        SparseVector.of(new int[] {-1, 5}, new float[] {1f, 2f}); // -1 is u32 4294967295
    SparseVector b = SparseVector.of(new int[] {5}, new float[] {2f});
    SparseVector difference = a.combine(b, (x, y) -> x - y);
    assertArrayEquals(new int[] {5, -1}, difference.indices());
    assertArrayEquals(new float[] {0f, 1f}, difference.values());
    assertEquals(
        SparseVector.EMPTY, SparseVector.EMPTY.combine(SparseVector.EMPTY, (x, y) -> x + y));
    SparseVector big = SparseVector.of(new int[] {1}, new float[] {Float.MAX_VALUE});
    assertThrows(IllegalArgumentException.class, () -> big.combine(big, (x, y) -> x + y));
  }
}
