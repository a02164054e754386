package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.consensus.RaftNode;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Payload;
import io.quiver.storage.PayloadUpdate;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Changes to existing points larger than one log entry: split by ids, each point whole, or refused
 * naming the limit.
 */
@Timeout(60)
class ApplyEntriesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LIMIT = 4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES;
  private static final Filter EMPTY_N = Filter.allOf(new Condition.IsEmpty(JsonPath.of("n")));

  @Test
  void aLargeVectorUpdateIsSplitByIdsWithItsFilter() throws Exception {
    List<PointsOperation.PointVectors> vectors = new ArrayList<>();
    for (Point p : UpsertEntriesTest.points(1000, 1536, new Random(9))) {
      vectors.add(new PointsOperation.PointVectors(p.id(), p.vectors()));
    }
    List<Message> entries =
        ApplyEntries.split(new PointsOperation.UpdateVectors(vectors, EMPTY_N), LIMIT);
    assertTrue(entries.size() >= 2, entries.size() + " entries");
    List<PointId> ids = new ArrayList<>();
    for (Message entry : entries) {
      assertTrue(entry.getContent().size() <= LIMIT);
      var apply =
          assertInstanceOf(
              ShardCommand.Apply.class, ShardMessages.decodeCommand(entry.getContent()));
      var update = assertInstanceOf(PointsOperation.UpdateVectors.class, apply.operation());
      assertEquals(EMPTY_N, update.updateFilter());
      update.points().forEach(pv -> ids.add(pv.id()));
    }
    assertEquals(
        vectors.stream().map(PointsOperation.PointVectors::id).toList(),
        ids,
        "every point once, in order");
    assertEquals(
        1,
        ApplyEntries.split(new PointsOperation.DeletePoints(new PointSelector.Ids(ids)), LIMIT)
            .size());
  }

  @Test
  void whatCannotBeSplitIsRefusedNamingTheLimit() {
    Payload huge = Payload.of(JSON.createObjectNode().put("text", "x".repeat(LIMIT)));
    BadRequestException byFilter =
        assertThrows(
            BadRequestException.class,
            () ->
                ApplyEntries.split(
                    new PointsOperation.UpdatePayload(
                        new PointSelector.ByFilter(EMPTY_N), new PayloadUpdate.Overwrite(huge)),
                    LIMIT));
    assertTrue(
        byFilter.getMessage().startsWith("the operation is too large to be written"),
        byFilter.getMessage());
    assertTrue(
        byFilter
            .getMessage()
            .contains("at most 4.00 MB (" + LIMIT + " bytes); it selects points by filter"),
        byFilter.getMessage());
    BadRequestException byIds =
        assertThrows(
            BadRequestException.class,
            () ->
                ApplyEntries.split(
                    new PointsOperation.UpdatePayload(
                        new PointSelector.Ids(List.of(PointId.of(1), PointId.of(2))),
                        new PayloadUpdate.Overwrite(huge)),
                    LIMIT));
    assertTrue(
        byIds.getMessage().startsWith("the change to point 1 is too large to be written"),
        byIds.getMessage());
  }
}
