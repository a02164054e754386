package io.quiver.storage.segment;

import java.util.function.BooleanSupplier;

/**
 * Background index work of a shard kept outside its segments (the multivector graphs), run by the
 * shard's {@link SegmentOptimizer} on the optimizer pool when no segment job applies: one unit
 * (one graph build) at a time, never on the Raft apply thread, cancelled when the shard closes.
 */
public interface IndexWork {

  /** True when a unit is due. Called often and from any thread: cheap, and never waits for the shard's lock. */
  boolean isDue();

  /**
   * Runs one unit if one is due (returns false at once otherwise), asking {@code cancelled}
   * between its steps (e.g. before each graph node) and stopping when it says true.
   */
  boolean runOnce(BooleanSupplier cancelled) throws Exception;
}
