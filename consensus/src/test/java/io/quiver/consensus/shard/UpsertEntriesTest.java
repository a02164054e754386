package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.consensus.RaftNode;
import io.quiver.consensus.codec.PointCodec;
import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.UpdateMode;
import io.quiver.storage.UpsertCondition;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upsert entry format (version 2 with the condition; version 1 entries, already in logs, still
 * read as unconditional) and the split of a large upsert into entries that fit the log.
 */
@Timeout(60)
public class UpsertEntriesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LIMIT = 4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES;
  private static final Filter BELOW_5 =
      Filter.allOf(
          new Condition.Field(
              JsonPath.of("n"), new FieldPredicate.NumberRange(null, null, 5.0, null)));

  @Test
  void conditionRoundTripsAndVersion1EntriesReadAsPlainUpserts() throws Exception {
    List<Point> points = points(3, 4, new Random(1));
    for (UpsertCondition condition :
        List.of(
            UpsertCondition.NONE,
            new UpsertCondition(UpdateMode.INSERT_ONLY, null),
            new UpsertCondition(UpdateMode.UPDATE_ONLY, BELOW_5),
            new UpsertCondition(UpdateMode.UPSERT, BELOW_5))) {
      var decoded =
          assertInstanceOf(
              ShardCommand.Upsert.class,
              ShardMessages.decodeCommand(
                  ShardMessages.encode(new ShardCommand.Upsert(points, condition)).getContent()));
      assertEquals(condition, decoded.condition());
      assertSamePoints(points, decoded.points());
    }
    assertEquals(
        1,
        ShardMessages.encode(new ShardCommand.Upsert(points)).getContent().byteAt(4),
        "an unconditional upsert is written in version 1, which nodes of earlier builds read");
    assertEquals(
        2,
        ShardMessages.encode(
                new ShardCommand.Upsert(points, new UpsertCondition(UpdateMode.INSERT_ONLY, null)))
            .getContent()
            .byteAt(4));
    // An entry as the previous build wrote it: version 1, type 1, then the points.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(ShardMessages.COMMAND_MAGIC);
    out.writeByte(1);
    out.writeByte(1);
    PointCodec.writePoints(points, out);
    var old =
        assertInstanceOf(
            ShardCommand.Upsert.class,
            ShardMessages.decodeCommand(ByteString.copyFrom(bytes.toByteArray())));
    assertEquals(UpsertCondition.NONE, old.condition());
    assertSamePoints(points, old.points());
  }

  /** 1,000 OpenAI-sized embeddings (6.5 MB in one entry) are written as several entries. */
  @Test
  void aLargeUpsertIsSplitBetweenPointsIntoEntriesThatFit() throws Exception {
    List<Point> points = points(1000, 1536, new Random(2));
    UpsertCondition condition = new UpsertCondition(UpdateMode.UPSERT, BELOW_5);
    List<Message> entries = UpsertEntries.split(points, condition, LIMIT);
    assertEquals(2, entries.size(), "6.2 MB of points in entries of at most 4 MB");
    List<Point> decoded = new ArrayList<>();
    for (Message entry : entries) {
      assertTrue(
          entry.getContent().size() <= LIMIT, "entry of " + entry.getContent().size() + " bytes");
      var upsert =
          assertInstanceOf(
              ShardCommand.Upsert.class, ShardMessages.decodeCommand(entry.getContent()));
      assertEquals(condition, upsert.condition(), "every entry carries the condition");
      decoded.addAll(upsert.points());
    }
    assertSamePoints(points, decoded);
    assertEquals(1, UpsertEntries.split(points(1, 4, new Random(3)), condition, LIMIT).size());
    List<Message> plain = UpsertEntries.split(points, UpsertCondition.NONE, LIMIT);
    assertEquals(2, plain.size());
    assertEquals(
        1, plain.getFirst().getContent().byteAt(4), "split unconditional entries stay version 1");
    assertEquals(2, entries.getFirst().getContent().byteAt(4));
    assertEquals(
        1,
        UpsertEntries.split(List.of(), condition, LIMIT).size(),
        "an empty upsert is one empty entry");
    // Exactly at the limit: one entry; one byte less: two.
    List<Point> two = points(2, 8, new Random(4));
    int exact = ShardMessages.encode(new ShardCommand.Upsert(two, condition)).getContent().size();
    assertEquals(1, UpsertEntries.split(two, condition, exact).size());
    assertEquals(2, UpsertEntries.split(two, condition, exact - 1).size());
  }

  /**
   * Split entries keep sparse vectors (type 16), with or without a condition, across several
   * entries.
   */
  @Test
  void splitEntriesCarrySparseVectors() throws Exception {
    Random random = new Random(6);
    List<Point> points = new ArrayList<>();
    for (Point p : points(800, 1536, random)) {
      Map<String, SparseVector> sparse =
          p.id().number() % 3 == 0
              ? Map.of()
              : Map.of(
                  "text",
                  SparseVector.of(
                      new int[] {(int) p.id().number() + 100, 7, -1},
                      new float[] {0.5f, 1.5f, 2.5f}));
      points.add(new Point(p.id(), p.vectors(), p.payload(), sparse));
    }
    for (UpsertCondition condition :
        List.of(UpsertCondition.NONE, new UpsertCondition(UpdateMode.INSERT_ONLY, null))) {
      List<Message> entries = UpsertEntries.split(points, condition, LIMIT);
      assertEquals(2, entries.size());
      List<Point> decoded = new ArrayList<>();
      for (Message entry : entries) {
        var upsert =
            assertInstanceOf(
                ShardCommand.Upsert.class, ShardMessages.decodeCommand(entry.getContent()));
        assertEquals(condition, upsert.condition());
        decoded.addAll(upsert.points());
      }
      assertSamePoints(points, decoded);
      for (int i = 0; i < points.size(); i++) {
        assertEquals(
            points.get(i).sparse().keySet(),
            decoded.get(i).sparse().keySet(),
            "sparse names of point " + i);
        for (var e : points.get(i).sparse().entrySet()) {
          SparseVector got = decoded.get(i).sparse().get(e.getKey());
          assertEquals(e.getValue().size(), got.size());
          for (int k = 0; k < got.size(); k++) {
            assertEquals(e.getValue().index(k), got.index(k));
            assertEquals(e.getValue().value(k), got.value(k));
          }
        }
      }
    }
  }

  @Test
  void aPointLargerThanAnEntryIsRefusedNamingItAndTheLimit() {
    List<Point> points = new ArrayList<>(points(3, 4, new Random(5)));
    points.add(
        1,
        new Point(
            PointId.of(77),
            Map.of("", new float[] {1, 2, 3, 4}),
            Payload.of(JSON.createObjectNode().put("text", "x".repeat(LIMIT)))));
    BadRequestException e =
        assertThrows(
            BadRequestException.class,
            () -> UpsertEntries.split(points, UpsertCondition.NONE, LIMIT));
    assertTrue(e.getMessage().startsWith("point 77 is too large to be written"), e.getMessage());
    assertTrue(e.getMessage().contains("at most 4.00 MB (" + LIMIT + " bytes)"), e.getMessage());
  }

  public static List<Point> points(int n, int dim, Random random) {
    List<Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      for (int d = 0; d < dim; d++) {
        v[d] = random.nextFloat();
      }
      points.add(
          new Point(
              PointId.of(i),
              Map.of("", v),
              Payload.of(
                  JSON.createObjectNode()
                      .put("text", "chunk " + i + " of a document about vectors")
                      .put("n", i % 10))));
    }
    return points;
  }

  private static void assertSamePoints(List<Point> expected, List<Point> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).id(), actual.get(i).id());
      assertEquals(expected.get(i).payload(), actual.get(i).payload());
      assertTrue(
          Arrays.equals(expected.get(i).vectors().get(""), actual.get(i).vectors().get("")),
          "vector of " + i);
    }
  }
}
