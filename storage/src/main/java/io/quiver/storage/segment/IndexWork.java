package io.quiver.storage.segment;

import java.util.function.BooleanSupplier;

/**
 * Background index work of a shard kept outside its segments (the multivector graphs), run by the
 * shard's {@link SegmentOptimizer} on the optimizer pool when no segment job applies: one unit (one
 * graph build) at a time, never on the Raft apply thread, cancelled when the shard closes.
 */
public interface IndexWork {

  /**
   * True when a unit is due. Called often and from any thread: cheap, and never waits for the
   * shard's lock.
   */
  boolean isDue();

  /**
   * Runs one unit if one is due (returns false at once otherwise), asking {@code cancelled} between
   * its steps (e.g. before each graph node) and stopping when it says true.
   */
  boolean runOnce(BooleanSupplier cancelled) throws Exception;

  /**
   * The work of all of {@code works} as one: a unit of the first that has one due, taking turns
   * (the one after the last that ran is asked first), so none starves the others.
   */
  static IndexWork of(java.util.List<IndexWork> works) {
    if (works.size() == 1) {
      return works.get(0);
    }
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    return new IndexWork() {
      @Override
      public boolean isDue() {
        for (IndexWork w : works) {
          if (w.isDue()) {
            return true;
          }
        }
        return false;
      }

      @Override
      public boolean runOnce(BooleanSupplier cancelled) throws Exception {
        int n = works.size();
        int first = next.get();
        for (int i = 0; i < n; i++) {
          int at = (first + i) % n;
          if (works.get(at).isDue() && works.get(at).runOnce(cancelled)) {
            next.set((at + 1) % n);
            return true;
          }
        }
        return false;
      }
    };
  }
}
