package io.quiver.storage.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.Shard;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard's scored scan and facet counts equal a brute-force computation over the points it
 * holds. Oracle: every point scored with the same scorer and sorted (higher first, ties by id);
 * facet counts tallied from the inserted payloads.
 */
@Timeout(60)
class ShardScoreTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void scoredScanEqualsBruteForceForEveryScorer() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    for (Distance distance : Distance.values()) {
      try (Shard shard =
          Shard.open(
              dir.resolve(distance.name()),
              VectorsConfig.single(new VectorParams(4, distance, false)))) {
        Map<PointId, float[]> stored = new HashMap<>();
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          float[] v = randomVector(random);
          ObjectNode payload = JSON.createObjectNode().put("even", i % 2 == 0);
          points.add(new Point(PointId.of(i), Map.of("", v), Payload.of(payload)));
          stored.put(PointId.of(i), distance.prepare(v));
        }
        shard.upsert(points, 1);
        List<Scorer<float[]>> scorers =
            List.of(
                new Scorer.RecommendBestScore<>(
                    List.of(randomVector(random), randomVector(random)),
                    List.of(randomVector(random))),
                new Scorer.RecommendSumScores<>(
                    List.of(randomVector(random)), List.of(randomVector(random))),
                new Scorer.Discover<>(
                    randomVector(random),
                    List.of(new Scorer.Pair<>(randomVector(random), randomVector(random)))),
                new Scorer.Context<>(
                    List.of(new Scorer.Pair<>(randomVector(random), randomVector(random)))),
                new Scorer.Random<>(seed),
                new Scorer.ById<>());
        Filter even =
            Filter.allOf(
                new Condition.Field(JsonPath.of("even"), new FieldPredicate.MatchBool(true)));
        for (Scorer<float[]> scorer : scorers) {
          for (Filter filter : new Filter[] {null, even}) {
            List<ScoredPoint> hits =
                shard.score(new ScoreRequest("", scorer, 15, null, filter, false, false));
            Scorer<float[]> prepared = scorer.map(distance::prepare);
            List<ScoredPoint> expected = new ArrayList<>();
            stored.forEach(
                (id, v) -> {
                  if (filter == null || id.number() % 2 == 0) {
                    expected.add(
                        new ScoredPoint(
                            id, 1, Scorer.scoreDense(prepared, id, v, distance), null, null));
                  }
                });
            expected.sort(ScoredPoint.HIGHER_FIRST);
            assertEquals(
                ids(expected.subList(0, 15)),
                ids(hits),
                "seed " + seed + " " + distance + " " + scorer);
            assertEquals(expected.getFirst().score(), hits.getFirst().score(), 1e-6);
          }
        }
      }
    }
  }

  @Test
  void facetCountsEachValueOncePerPoint() {
    try (Shard shard =
        Shard.open(
            dir.resolve("facet"), VectorsConfig.single(new VectorParams(2, Distance.DOT, false)))) {
      List<Point> points = new ArrayList<>();
      String[] bodies = {
        "{\"tag\":[\"a\",\"b\",\"a\"],\"n\":1}", "{\"tag\":\"a\",\"n\":2}",
            "{\"tag\":[\"c\"],\"n\":2.5}",
        "{\"tag\":true}", "{\"other\":1}", "{\"tag\":[{\"x\":1}, 7]}"
      };
      for (int i = 0; i < bodies.length; i++) {
        points.add(
            new Point(PointId.of(i), Map.of("", new float[] {1, 0}), Payload.of(parse(bodies[i]))));
      }
      shard.upsert(points, 1);
      Map<FacetValue, Long> counts = shard.facet(JsonPath.of("tag"), null);
      assertEquals(
          Map.of(
              FacetValue.of("a"),
              2L,
              FacetValue.of("b"),
              1L,
              FacetValue.of("c"),
              1L,
              FacetValue.of(true),
              1L,
              FacetValue.of(7),
              1L),
          counts);
      Filter firstTwo =
          Filter.allOf(new Condition.HasId(java.util.Set.of(PointId.of(0), PointId.of(1))));
      assertEquals(
          Map.of(FacetValue.of("a"), 2L, FacetValue.of("b"), 1L),
          shard.facet(JsonPath.of("tag"), firstTwo));
      assertEquals(
          Map.of(FacetValue.of(1), 1L, FacetValue.of(2), 1L), shard.facet(JsonPath.of("n"), null));
    }
  }

  private static ObjectNode parse(String s) {
    try {
      return (ObjectNode) JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<PointId> ids(List<ScoredPoint> hits) {
    return hits.stream().map(ScoredPoint::id).toList();
  }

  private static float[] randomVector(Random random) {
    float[] v = new float[4];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
