package io.quiver.storage.scoring;

import io.quiver.storage.ScoredPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The best {@code limit} hits offered, higher score first, ties by id ascending (the order of
 * {@link ScoredPoint#HIGHER_FIRST}): a bounded heap whose root is the worst hit kept. Not
 * thread-safe.
 */
public final class HighestScores {

  private final int limit;
  private final PriorityQueue<ScoredPoint> heap;

  public HighestScores(int limit) {
    this.limit = limit;
    this.heap = new PriorityQueue<>(Math.max(1, limit), ScoredPoint.HIGHER_FIRST.reversed());
  }

  /** Keeps {@code hit} when it is among the best {@code limit} offered so far. */
  public void offer(ScoredPoint hit) {
    if (limit == 0
        || (heap.size() == limit && ScoredPoint.HIGHER_FIRST.compare(hit, heap.peek()) >= 0)) {
      return;
    }
    heap.add(hit);
    if (heap.size() > limit) {
      heap.poll();
    }
  }

  /** The hits kept, best first. */
  public List<ScoredPoint> sorted() {
    List<ScoredPoint> hits = new ArrayList<>(heap);
    hits.sort(ScoredPoint.HIGHER_FIRST);
    return hits;
  }
}
