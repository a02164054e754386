package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.storage.PointId;
import io.quiver.storage.ScoreScale;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Goal: search scores stay right between builds while a cluster is upgraded one node at a time. A
 * router of this build asks for similarities (a query trailer older builds do not read) and a
 * replica of this build says it answered with them (a reply trailer); a query without the trailer
 * (an older router) is answered with the scores Qdrant reports, and a reply without it (an older
 * replica) is turned back into similarities with the vector's scale. Oracle: the bytes of this
 * build with their last byte cut off are exactly the older build's.
 */
class SearchScoresMessagesTest {

  private static final SearchRequest REQUEST =
      new SearchRequest("v", new float[] {1, 2, 3}, 7, true, false, 2.5f, null, 64, true, null);

  private static final List<ScoredPoint> HITS =
      List.of(
          new ScoredPoint(PointId.of(1), 3, -4f, null, null),
          new ScoredPoint(PointId.of(2), 5, -9f, null, null));

  @Test
  void aSearchOfThisBuildAsksForSimilaritiesAndAnOlderOneDoesNot() throws Exception {
    ByteString now = ShardMessages.encode(new ShardQuery.Search(REQUEST)).getContent();
    ShardQuery.Search asked = assertInstanceOf(ShardQuery.Search.class, decode(now));
    assertTrue(asked.similarities());
    ShardQuery.Search older =
        assertInstanceOf(ShardQuery.Search.class, decode(now.substring(0, now.size() - 1)));
    assertFalse(older.similarities(), "a query without the trailer is an older router's");
    for (ShardQuery.Search s : List.of(asked, older)) {
      SearchRequest r = s.request();
      assertEquals("v", r.vectorName());
      assertArrayEquals(REQUEST.vector(), r.vector());
      assertEquals(7, r.limit());
      assertEquals(2.5f, r.scoreThreshold());
      assertEquals(64, r.hnswEf());
      assertTrue(r.exact());
    }
  }

  @Test
  void aReplyWithTheTrailerCarriesSimilaritiesAndOneWithoutCarriesReportedScores()
      throws Exception {
    AtomicInteger asked = new AtomicInteger();
    ByteString now = ShardMessages.okSimilarities(HITS).getContent();
    List<ScoredPoint> same =
        ShardMessages.readSearchHits(
            ShardMessages.openReply(now),
            () -> {
              asked.incrementAndGet();
              return ScoreScale.NEGATED_SQUARED_DISTANCE;
            });
    assertEquals(HITS, same);
    assertEquals(0, asked.get(), "a reply of this build needs no scale");

    // An older replica's reply: Euclidean distances 2 and 3, as Qdrant reports them.
    List<ScoredPoint> reported =
        HITS.stream().map(ScoreScale.NEGATED_SQUARED_DISTANCE::reported).toList();
    assertEquals(2f, reported.get(0).score());
    ByteString older = ShardMessages.okScored(reported).getContent();
    assertEquals(now.substring(0, now.size() - 1).size(), older.size());
    List<ScoredPoint> back =
        ShardMessages.readSearchHits(
            ShardMessages.openReply(older), () -> ScoreScale.NEGATED_SQUARED_DISTANCE);
    assertEquals(HITS, back);
  }

  private static ShardQuery decode(ByteString content) throws Exception {
    return ShardMessages.decodeQuery(content);
  }
}
