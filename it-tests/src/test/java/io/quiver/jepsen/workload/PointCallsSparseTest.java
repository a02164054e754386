package io.quiver.jepsen.workload;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: the set workload's final read recognises a point's sparse vector exactly: as a node returns
 * it (dimensions sorted, u32 above 2^31), and refuses a missing, changed or unexpected one. Oracle:
 * the vectors {@link PointCalls} writes, spelled out as JSON here.
 */
@Timeout(10)
class PointCallsSparseTest {

  @Test
  void recognisesOnlyTheSparseVectorAPointWasWrittenWith() throws Exception {
    long id = 12; // carries one: dimensions 4000000005, 12, 1000004; values 0.5, 3, -0.25
    assertTrue(PointCalls.carriesSparse(id));
    assertTrue(
        PointCalls.holdsOwnSparse(
            id, json("{\"indices\":[12,1000004,4000000005],\"values\":[3,-0.25,0.5]}")));
    assertFalse(
        PointCalls.holdsOwnSparse(
            id, json("{\"indices\":[12,1000004,4000000005],\"values\":[3,-0.25,0.75]}")));
    assertFalse(
        PointCalls.holdsOwnSparse(id, json("{\"indices\":[12,1000004],\"values\":[3,-0.25]}")));
    assertFalse(PointCalls.holdsOwnSparse(id, MissingNode.getInstance()));
    assertFalse(PointCalls.carriesSparse(13));
    assertTrue(PointCalls.holdsOwnSparse(13, MissingNode.getInstance()));
    assertFalse(PointCalls.holdsOwnSparse(13, json("{\"indices\":[1],\"values\":[1]}")));
  }

  private static JsonNode json(String s) throws Exception {
    return QuiverClient.JSON.readTree(s);
  }
}
