package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: the rule for creating and deleting named vectors, case by case (valid and invalid). Oracle:
 * the rule as documented.
 */
class VectorNameChangeTest {

  private static final VectorParams DOT4 = new VectorParams(4, Distance.DOT, false);
  private static final VectorsConfig NAMED =
      new VectorsConfig(Map.of("a", DOT4), Map.of("s", SparseVectorParams.DEFAULT));

  @Test
  void creationsAndDeletions() {
    VectorsConfig addB = new VectorsConfig(Map.of("b", DOT4));
    assertNull(VectorNameChange.problem(NAMED, "b", addB));
    VectorsConfig after = VectorNameChange.apply(NAMED, "b", addB);
    assertEquals(List.of("a", "b"), List.copyOf(after.vectors().keySet()));
    VectorsConfig addT = new VectorsConfig(Map.of(), Map.of("t", SparseVectorParams.DEFAULT));
    assertEquals(
        List.of("s", "t"), List.copyOf(VectorNameChange.apply(NAMED, "t", addT).sparse().keySet()));
    assertTrue(
        VectorNameChange.problem(NAMED, "a", new VectorsConfig(Map.of("a", DOT4)))
            .contains("already exists"));
    assertTrue(
        VectorNameChange.problem(NAMED, "s", new VectorsConfig(Map.of("s", DOT4)))
            .contains("already exists"));
    assertTrue(VectorNameChange.problem(NAMED, "c", addB).contains("exactly the vector `c`"));

    assertNull(VectorNameChange.problem(NAMED, "s", null));
    assertEquals(Map.of(), VectorNameChange.apply(NAMED, "s", null).sparse());
    assertTrue(VectorNameChange.problem(NAMED, "x", null).contains("x"));
    VectorsConfig one = new VectorsConfig(Map.of("a", DOT4));
    assertTrue(VectorNameChange.problem(one, "a", null).contains("last vector"));

    VectorsConfig unnamed = VectorsConfig.single(DOT4);
    assertTrue(VectorNameChange.problem(unnamed, VectorsConfig.DEFAULT, null) != null);
    assertTrue(VectorNameChange.problem(unnamed, "b", addB).contains("unnamed"));
    assertNull(
        VectorNameChange.problem(unnamed, "t", addT),
        "a sparse vector may join an unnamed dense one");
  }

  @Test
  void multivectorsAreCreatedAndDeletedLikeDenseVectors() {
    MultiVectorParams multi = new MultiVectorParams(DOT4, MultiVectorParams.Comparator.MAX_SIM);
    VectorsConfig addM = new VectorsConfig(Map.of(), Map.of(), Map.of("m", multi));
    assertNull(VectorNameChange.problem(NAMED, "m", addM));
    VectorsConfig after = VectorNameChange.apply(NAMED, "m", addM);
    assertEquals(multi, after.getMulti("m"));
    assertEquals(NAMED.vectors(), after.vectors());
    assertTrue(VectorNameChange.problem(after, "m", addM).contains("already exists"));
    assertTrue(
        VectorNameChange.problem(
                after, "a", new VectorsConfig(Map.of(), Map.of(), Map.of("a", multi)))
            .contains("already exists"));
    assertTrue(VectorNameChange.problem(VectorsConfig.single(DOT4), "m", addM).contains("unnamed"));
    VectorsConfig unnamedMulti =
        new VectorsConfig(Map.of(), Map.of(), Map.of(VectorsConfig.DEFAULT, multi));
    assertTrue(
        VectorNameChange.problem(unnamedMulti, "b", new VectorsConfig(Map.of("b", DOT4)))
            .contains("unnamed"));
    assertNull(VectorNameChange.problem(after, "m", null));
    assertEquals(Map.of(), VectorNameChange.apply(after, "m", null).multi());
    assertTrue(
        VectorNameChange.problem(
                new VectorsConfig(Map.of(), Map.of(), Map.of("m", multi)), "m", null)
            .contains("last vector"));
  }
}
