package io.quiver.router.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.filter.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: group_by as Qdrant groups: by string/integer values, arrays join several groups, order of
 * best hit.
 */
@Timeout(30)
class PointGroupsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ScoredPoint hit(long id, float score, String payload) throws Exception {
    return new ScoredPoint(
        PointId.of(id), 1, score, Payload.of((ObjectNode) JSON.readTree(payload)), null);
  }

  @Test
  void groupsByValueInOrderOfBestHit() throws Exception {
    List<ScoredPoint> hits =
        List.of(
            hit(1, 0.9f, "{\"g\":\"a\"}"),
            hit(2, 0.8f, "{\"g\":[\"b\",\"a\"]}"),
            hit(3, 0.7f, "{\"g\":7}"),
            hit(4, 0.6f, "{\"g\":1.5}"),
            hit(5, 0.5f, "{}"),
            hit(6, 0.4f, "{\"g\":\"a\"}"),
            hit(7, 0.3f, "{\"g\":\"c\"}"),
            hit(8, 0.2f, "{\"g\":\"b\"}"));
    List<PointGroups.Group> groups = PointGroups.group(hits, JsonPath.of("g"), 2, 3);
    assertEquals(3, groups.size());
    assertEquals("a", groups.get(0).id().string());
    assertEquals(
        List.of(PointId.of(1), PointId.of(2)),
        groups.get(0).hits().stream().map(ScoredPoint::id).toList());
    assertEquals("b", groups.get(1).id().string());
    assertEquals(
        List.of(PointId.of(2), PointId.of(8)),
        groups.get(1).hits().stream().map(ScoredPoint::id).toList());
    assertEquals(7L, groups.get(2).id().integer());
    assertFalse(PointGroups.complete(groups, 2, 3), "group 7 has one hit");
    assertTrue(PointGroups.complete(PointGroups.group(hits, JsonPath.of("g"), 1, 3), 1, 3));
    assertEquals(PointId.of(7), groups.get(2).id().asPointId());
    assertEquals(null, groups.get(0).id().asPointId());
  }
}
