package io.quiver.consensus.snapshot;

import java.util.UUID;

/**
 * A shard snapshot this node is fetching, or fetched within the last seconds (a replica transfer
 * into this node): bytes of the snapshot on this node so far of its total, how many of them were
 * already here when the fetch (re)started ({@code bytesResumed}: kept from a fetch cut short), from
 * which node, since when ({@link IncomingSnapshots}), the receiving node's limit on incoming
 * snapshot bytes per second (0: none), and the points the snapshot holds (-1: not known; a snapshot
 * is files, and its points are counted when it was taken, not as its bytes arrive). Its times are
 * on the clock of the node that reads it: a transfer into another node ({@link
 * SnapshotMessages#decodeTransfers}) is shifted onto it.
 */
public record IncomingTransfer(
    UUID groupId,
    Long fromNode,
    long bytesDone,
    long bytesTotal,
    long bytesResumed,
    long snapshotIndex,
    long startedMillis,
    long updatedMillis,
    boolean done,
    long rateLimitBytesPerSecond,
    long pointsTotal) {

  /** Bytes per second fetched since the fetch (re)started (0 before a second chunk). */
  public double bytesPerSecond() {
    long elapsed = updatedMillis - startedMillis;
    return elapsed <= 0 ? 0 : (bytesDone - bytesResumed) * 1000.0 / elapsed;
  }

  /** Seconds left at the rate so far, 0 when done, or -1 while unknown. */
  public double etaSeconds() {
    double rate = bytesPerSecond();
    return done ? 0 : rate <= 0 ? -1 : (bytesTotal - bytesDone) / rate;
  }
}
