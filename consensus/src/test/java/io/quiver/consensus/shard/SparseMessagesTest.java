package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.quiver.consensus.codec.PointCodec;
import io.quiver.index.sparse.SparseVector;
import io.quiver.index.vector.Distance;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.ShardConfigCodec;
import io.quiver.storage.SparseVectorParams;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: sparse vectors survive the log and wire encodings: upserts with and without sparse vectors
 * (the latter still in the old upsert form), sparse searches, statistics, results carrying sparse
 * vectors, and shard configs with sparse settings (read beside the older config versions). Oracle:
 * equality with what was encoded.
 */
class SparseMessagesTest {

  private static final SparseVector V =
      SparseVector.of(new int[] {5, -1, 0}, new float[] {0.5f, 2f, -1f});

  @Test
  void upsertsRoundTrip() throws Exception {
    Point sparse =
        new Point(PointId.of(7), Map.of("d", new float[] {1, 2}), Payload.EMPTY, Map.of("s", V));
    Point dense = new Point(PointId.of(8), Map.of("d", new float[] {3, 4}), Payload.EMPTY);
    for (List<Point> points : List.of(List.of(sparse, dense), List.of(dense))) {
      var message = ShardMessages.encode(new ShardCommand.Upsert(points));
      var decoded =
          assertInstanceOf(
              ShardCommand.Upsert.class, ShardMessages.decodeCommand(message.getContent()));
      for (int i = 0; i < points.size(); i++) {
        assertEquals(points.get(i).sparse(), decoded.points().get(i).sparse());
        assertArrayEquals(
            points.get(i).vectors().get("d"), decoded.points().get(i).vectors().get("d"));
      }
    }
    // a point without sparse vectors keeps the upsert form written before sparse vectors existed
    assertEquals(
        1, ShardMessages.encode(new ShardCommand.Upsert(List.of(dense))).getContent().byteAt(5));
  }

  @Test
  void queriesAndRepliesRoundTrip() throws Exception {
    Filter filter =
        Filter.allOf(new Condition.Field(JsonPath.of("g"), new FieldPredicate.MatchKeyword("x")));
    SearchRequest request = SearchRequest.sparse("s", V, 12, true, false, 0.25f, filter);
    var decoded =
        assertInstanceOf(
                ShardQuery.Search.class,
                ShardMessages.decodeQuery(
                    ShardMessages.encode(new ShardQuery.Search(request)).getContent()))
            .request();
    assertEquals(V, decoded.sparseVector());
    assertEquals(
        List.of("s", 12, true, false, 0.25f, filter),
        List.of(
            decoded.vectorName(),
            decoded.limit(),
            decoded.withPayload(),
            decoded.withVector(),
            decoded.scoreThreshold(),
            decoded.filter()));

    var stats =
        assertInstanceOf(
            ShardQuery.SparseStatistics.class,
            ShardMessages.decodeQuery(
                ShardMessages.encode(new ShardQuery.SparseStatistics("s", new int[] {3, -1}))
                    .getContent()));
    assertArrayEquals(new int[] {3, -1}, stats.indices());
    assertArrayEquals(
        new long[] {10, 2, 0},
        ShardMessages.readLongs(
            ShardMessages.openReply(ShardMessages.okLongs(new long[] {10, 2, 0}).getContent())));

    ScoredPoint hit = new ScoredPoint(PointId.of(3), 4, 1.5f, null, Map.of(), null, Map.of("s", V));
    ScoredPoint plain = new ScoredPoint(PointId.of(4), 5, 1f, null, Map.of("d", new float[] {1}));
    List<ScoredPoint> hits =
        PointCodec.readScored(
            ShardMessages.openReply(ShardMessages.okScored(List.of(hit, plain)).getContent()));
    assertEquals(Map.of("s", V), hits.get(0).sparse());
    assertEquals(Map.of(), hits.get(1).sparse());
    PointRecord record = new PointRecord(PointId.of(3), 4, null, Map.of(), null, Map.of("s", V));
    assertEquals(
        Map.of("s", V),
        PointCodec.readRecords(
                ShardMessages.openReply(ShardMessages.okRecords(List.of(record)).getContent()))
            .get(0)
            .sparse());
  }

  @Test
  void configsWithSparseVectorsRoundTrip() throws Exception {
    for (VectorsConfig vectors :
        List.of(
            new VectorsConfig(Map.of(), Map.of("s", SparseVectorParams.DEFAULT)),
            new VectorsConfig(
                Map.of("d", new VectorParams(3, Distance.COSINE, false)),
                Map.of(
                    "a",
                        new SparseVectorParams(
                            true, 10L, false, "float32", SparseVectorParams.Modifier.IDF),
                    "b",
                        new SparseVectorParams(
                            true, null, null, null, SparseVectorParams.Modifier.NONE))),
            VectorsConfig.single(new VectorParams(3, Distance.DOT, true)))) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ShardConfigCodec.write(ShardConfig.of(vectors), new DataOutputStream(bytes));
      ShardConfig read =
          ShardConfigCodec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertEquals(vectors.sparse(), read.vectors().sparse());
      assertEquals(vectors.vectors().keySet(), read.vectors().vectors().keySet());
    }
  }
}
