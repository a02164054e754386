package io.quiver.consensus.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.quiver.consensus.shard.ShardMessages;
import io.quiver.consensus.shard.ShardQuery;
import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.scoring.ScoreRequest;
import io.quiver.storage.scoring.Scorer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: scored-scan requests survive the wire encoding with every scorer, over dense examples (one
 * vector, or a multivector's rows flat) and over sparse examples. Oracle: equality with what was
 * encoded (float arrays compared element by element).
 */
@Timeout(10)
class ScoringCodecTest {

  private static final SparseVector A = SparseVector.of(new int[] {5, -1}, new float[] {0.5f, 2f});
  private static final SparseVector B = SparseVector.of(new int[] {0}, new float[] {-1f});

  @Test
  void sparseExamplesRoundTrip() throws Exception {
    List<Scorer<SparseVector>> scorers =
        List.of(
            new Scorer.RecommendBestScore<>(List.of(A, B), List.of(B)),
            new Scorer.RecommendSumScores<>(List.of(A), List.of()),
            new Scorer.Discover<>(A, List.of(new Scorer.Pair<>(A, B))),
            new Scorer.Context<>(
                List.of(new Scorer.Pair<>(B, A), new Scorer.Pair<>(A, SparseVector.EMPTY))));
    for (Scorer<SparseVector> scorer : scorers) {
      assertEquals(
          scorer, roundTrip(new ScoreRequest("s", scorer, 7, 0.5f, null, true, false)).scorer());
    }
  }

  @Test
  void denseExamplesRoundTrip() throws Exception {
    float[] p = {1, 2, 3, 4, 5, 6};
    float[] n = {-1, 0, 1};
    Scorer<?> decoded =
        roundTrip(
                new ScoreRequest(
                    "m",
                    new Scorer.Discover<>(p, List.of(new Scorer.Pair<>(n, p))),
                    3,
                    null,
                    null,
                    false,
                    true))
            .scorer();
    var discover = assertInstanceOf(Scorer.Discover.class, decoded);
    assertArrayEquals(p, (float[]) discover.target());
    var pair = (Scorer.Pair<?>) discover.pairs().getFirst();
    assertArrayEquals(n, (float[]) pair.positive());
    assertArrayEquals(p, (float[]) pair.negative());
    var best =
        assertInstanceOf(
            Scorer.RecommendBestScore.class,
            roundTrip(
                    new ScoreRequest(
                        "",
                        new Scorer.RecommendBestScore<>(List.of(p), List.of(n)),
                        3,
                        null,
                        null,
                        false,
                        false))
                .scorer());
    assertArrayEquals(n, (float[]) best.negatives().getFirst());
    assertEquals(
        new Scorer.Random<>(42),
        roundTrip(new ScoreRequest("", new Scorer.Random<>(42), 3, null, null, false, false))
            .scorer());
  }

  private static ScoreRequest roundTrip(ScoreRequest request) throws Exception {
    var query =
        assertInstanceOf(
            ShardQuery.Score.class,
            ShardMessages.decodeQuery(
                ShardMessages.encode(new ShardQuery.Score(request)).getContent()));
    assertEquals(
        List.of(request.vectorName(), request.limit(), request.withPayload(), request.withVector()),
        List.of(
            query.request().vectorName(),
            query.request().limit(),
            query.request().withPayload(),
            query.request().withVector()));
    assertEquals(request.scoreThreshold(), query.request().scoreThreshold());
    return query.request();
  }
}
