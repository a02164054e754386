package io.quiver.sharding;

/**
 * How fresh a read must be: a {@link Level} and, for {@link Level#ANY}, the lowest log index the
 * answering replica must have applied ({@code 0}: any replica state).
 *
 * <p>A write's {@code operation_id} is the highest log index among the shards it touched, so a
 * replica of any shard of that collection that has applied up to it has applied the write's part in
 * that shard (indexes of one shard's log only grow). A replica that has not is skipped for the
 * shard's leader: reading your own writes never needs a majority round trip.
 */
public record ReadConsistency(Level level, long minIndex) {

  public enum Level {
    /**
     * A read barrier (a no-op entry) committed through the shard's leader, then a read at its
     * index: sees every write acknowledged before the read began. Not Ratis' ReadIndex, which can
     * answer from a deposed leader in Ratis 3.2 (docs/design/ratis-defects.md).
     */
    LINEARIZABLE,
    /** Answered by the shard's current leader from its applied state: the default. */
    LEADER,
    /** Any live replica (the local one when there is one), possibly behind the leader. */
    ANY
  }

  public static final ReadConsistency LINEARIZABLE = new ReadConsistency(Level.LINEARIZABLE, 0);
  public static final ReadConsistency LEADER = new ReadConsistency(Level.LEADER, 0);
  public static final ReadConsistency ANY = new ReadConsistency(Level.ANY, 0);

  public ReadConsistency {
    java.util.Objects.requireNonNull(level, "level");
    if (minIndex < 0 || (minIndex > 0 && level != Level.ANY)) {
      throw new IllegalArgumentException("minIndex " + minIndex + " with level " + level);
    }
  }

  /** Any replica that has applied at least {@code operationId}; the leader otherwise. */
  public static ReadConsistency anyAfter(long operationId) {
    return new ReadConsistency(Level.ANY, operationId);
  }
}
