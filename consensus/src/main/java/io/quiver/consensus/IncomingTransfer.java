package io.quiver.consensus;

import java.util.UUID;

/**
 * A shard snapshot this node is receiving, or received within the last seconds (a replica transfer
 * into this node): bytes of the leader's checkpoint arrived so far of its total, from which node,
 * since when ({@link IncomingSnapshots}).
 */
public record IncomingTransfer(
    UUID groupId,
    Long fromNode,
    long bytesDone,
    long bytesTotal,
    long snapshotIndex,
    long startedMillis,
    long updatedMillis,
    boolean done) {

  /** Bytes per second since the first chunk (0 before a second chunk). */
  public double bytesPerSecond() {
    long elapsed = updatedMillis - startedMillis;
    return elapsed <= 0 ? 0 : bytesDone * 1000.0 / elapsed;
  }

  /** Seconds left at the rate so far, 0 when done, or -1 while unknown. */
  public double etaSeconds() {
    double rate = bytesPerSecond();
    return done ? 0 : rate <= 0 ? -1 : (bytesTotal - bytesDone) / rate;
  }
}
