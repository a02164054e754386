package io.quiver.storage;

import io.quiver.index.vector.Distance;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The in-memory segment that takes writes: dense ords, the vectors of each ord (already prepared
 * for their distance), the id tracker (PointId &lt;-&gt; ord, version) and a live bitset. An update
 * is a delete of the old ord plus an insert of a new one. Search is an exact SIMD scan over live ords.
 *
 * <p>Not thread-safe: {@link Shard} guards it with a read-write lock.
 */
final class AppendableSegment {

  private final VectorsConfig config;
  private final Map<String, List<float[]>> vectorsByName = new HashMap<>();
  private final List<PointId> idByOrd = new ArrayList<>();
  private final List<Long> versionByOrd = new ArrayList<>();
  private final Map<PointId, Integer> ordById = new HashMap<>();
  private final BitSet live = new BitSet();

  AppendableSegment(VectorsConfig config) {
    this.config = config;
    for (String name : config.vectors().keySet()) {
      vectorsByName.put(name, new ArrayList<>());
    }
  }

  /** Inserts or replaces a point whose vectors are already prepared. */
  void put(PointId id, long version, Map<String, float[]> preparedVectors) {
    remove(id);
    int ord = idByOrd.size();
    idByOrd.add(id);
    versionByOrd.add(version);
    for (Map.Entry<String, List<float[]>> e : vectorsByName.entrySet()) {
      e.getValue().add(preparedVectors.get(e.getKey()));
    }
    ordById.put(id, ord);
    live.set(ord);
  }

  /** Returns true when the point existed. */
  boolean remove(PointId id) {
    Integer ord = ordById.remove(id);
    if (ord == null) {
      return false;
    }
    live.clear(ord);
    for (List<float[]> vectors : vectorsByName.values()) {
      vectors.set(ord, null); // free the memory; the ord stays allocated until the segment is rebuilt
    }
    return true;
  }

  boolean contains(PointId id) {
    return ordById.containsKey(id);
  }

  int liveCount() {
    return ordById.size();
  }

  /** Every live point's id, in ord order. */
  List<PointId> liveIds() {
    List<PointId> ids = new ArrayList<>(ordById.size());
    for (int ord = live.nextSetBit(0); ord >= 0; ord = live.nextSetBit(ord + 1)) {
      ids.add(idByOrd.get(ord));
    }
    return ids;
  }

  long version(PointId id) {
    Integer ord = ordById.get(id);
    return ord == null ? -1 : versionByOrd.get(ord);
  }

  /** The stored (prepared) vectors of a point, or null when it is absent. */
  Map<String, float[]> vectors(PointId id) {
    Integer ord = ordById.get(id);
    if (ord == null) {
      return null;
    }
    Map<String, float[]> out = new HashMap<>();
    for (Map.Entry<String, List<float[]>> e : vectorsByName.entrySet()) {
      out.put(e.getKey(), e.getValue().get(ord));
    }
    return out;
  }

  /**
   * Exact top-{@code limit} by scanning every live ord. Hits come back best first, ties by id.
   * The query must be prepared for the vector's distance.
   */
  List<ScoredPoint> search(String vectorName, float[] preparedQuery, int limit, Float scoreThreshold,
      java.util.function.Predicate<PointId> accept) {
    Distance distance = config.get(vectorName).distance();
    List<float[]> vectors = vectorsByName.get(vectorName);
    var bestFirst = ScoredPoint.bestFirst(distance.higherIsBetter());
    // A bounded heap whose head is the worst hit kept so far.
    PriorityQueue<ScoredPoint> heap = new PriorityQueue<>(Math.max(1, limit), bestFirst.reversed());
    if (limit == 0) {
      return List.of();
    }
    for (int ord = live.nextSetBit(0); ord >= 0; ord = live.nextSetBit(ord + 1)) {
      if (accept != null && !accept.test(idByOrd.get(ord))) {
        continue;
      }
      float score = distance.score(preparedQuery, vectors.get(ord));
      if (scoreThreshold != null && distance.isBetter(scoreThreshold, score)) {
        continue;
      }
      if (heap.size() == limit) {
        ScoredPoint worst = heap.peek();
        if (!distance.isBetter(score, worst.score())
            && !(score == worst.score() && idByOrd.get(ord).compareTo(worst.id()) < 0)) {
          continue;
        }
      }
      heap.add(new ScoredPoint(idByOrd.get(ord), versionByOrd.get(ord), score, null, null));
      if (heap.size() > limit) {
        heap.poll();
      }
    }
    List<ScoredPoint> hits = new ArrayList<>(heap);
    hits.sort(bestFirst);
    return hits;
  }

  /**
   * Exact top-{@code limit} of the live ords by {@code scorer} (higher first, ties by id), keeping
   * scores at or above {@code minScore} when it is given. The scorer must be prepared for the
   * vector's distance.
   */
  List<ScoredPoint> scan(String vectorName, io.quiver.storage.scoring.Scorer scorer, int limit, Float minScore,
      java.util.function.Predicate<PointId> accept) {
    if (limit == 0) {
      return List.of();
    }
    Distance distance = config.get(vectorName).distance();
    List<float[]> vectors = vectorsByName.get(vectorName);
    boolean readsVector = scorer.usesVector();
    var bestFirst = ScoredPoint.HIGHER_FIRST;
    PriorityQueue<ScoredPoint> heap = new PriorityQueue<>(Math.max(1, limit), bestFirst.reversed());
    for (int ord = live.nextSetBit(0); ord >= 0; ord = live.nextSetBit(ord + 1)) {
      PointId id = idByOrd.get(ord);
      if (accept != null && !accept.test(id)) {
        continue;
      }
      float score = scorer.score(id, readsVector ? vectors.get(ord) : null, distance);
      if (minScore != null && score < minScore) {
        continue;
      }
      if (heap.size() == limit) {
        ScoredPoint worst = heap.peek();
        if (score < worst.score() || (score == worst.score() && id.compareTo(worst.id()) > 0)) {
          continue;
        }
      }
      heap.add(new ScoredPoint(id, versionByOrd.get(ord), score, null, null));
      if (heap.size() > limit) {
        heap.poll();
      }
    }
    List<ScoredPoint> hits = new ArrayList<>(heap);
    hits.sort(bestFirst);
    return hits;
  }
}
