package io.quiver.consensus.snapshot;

import io.quiver.consensus.raft.TransferRate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shard snapshots this node is fetching (a new or lagging replica's transfer, see {@link
 * SnapshotFetcher}): how many bytes of how many are here, from which node, since when; and the
 * node's {@link TransferRate}, which every shard snapshot's chunks wait for. The metadata group's
 * own snapshots are neither listed nor held back.
 */
public final class IncomingSnapshots {

  /** A finished transfer stays visible this long. */
  private static final long KEEP_DONE_MS = 10_000;

  private final TransferRate rate;
  private final Map<UUID, Transfer> transfers = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong fetched =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong kept =
      new java.util.concurrent.atomic.AtomicLong();

  public IncomingSnapshots(TransferRate rate) {
    this.rate = rate;
  }

  public TransferRate rate() {
    return rate;
  }

  /** One fetch of a snapshot into a shard group, as it goes. */
  public final class Transfer {
    private final UUID group;
    private final Long fromNode;
    private final long bytesTotal;
    private final long bytesResumed;
    private final long snapshotIndex;
    private final long pointsTotal;
    private final long startedMillis = System.currentTimeMillis();
    private long bytesDone; // guarded by this
    private long updatedMillis = startedMillis; // guarded by this
    private boolean done; // guarded by this
    private boolean ended; // guarded by this

    private Transfer(
        UUID group,
        Long fromNode,
        long bytesTotal,
        long bytesResumed,
        long snapshotIndex,
        long pointsTotal) {
      this.group = group;
      this.pointsTotal = pointsTotal;
      this.fromNode = fromNode;
      this.bytesTotal = bytesTotal;
      this.bytesResumed = bytesResumed;
      this.snapshotIndex = snapshotIndex;
      this.bytesDone = bytesResumed;
    }

    /** {@code bytes} more arrived. */
    public synchronized void add(long bytes) {
      fetched.addAndGet(bytes);
      bytesDone += bytes;
      updatedMillis = System.currentTimeMillis();
    }

    /** Every byte arrived: the transfer stays listed, as done, for a few seconds. */
    public synchronized void finish() {
      done = true;
      updatedMillis = System.currentTimeMillis();
    }

    /** The fetch stopped without finishing (it starts again, resuming, on Ratis' next notice). */
    public void abandon() {
      synchronized (this) {
        ended = true;
      }
      transfers.remove(group, this);
    }

    synchronized IncomingTransfer view() {
      return new IncomingTransfer(
          group,
          fromNode,
          bytesDone,
          bytesTotal,
          bytesResumed,
          snapshotIndex,
          startedMillis,
          updatedMillis,
          done,
          rate.bytesPerSecond(),
          pointsTotal);
    }

    synchronized boolean expired(long now) {
      return ended || (done && now - updatedMillis > KEEP_DONE_MS);
    }
  }

  /**
   * A fetch into shard group {@code group} (re)starts with {@code bytesResumed} already here; the
   * snapshot holds {@code pointsTotal} points (-1: not known).
   */
  public Transfer begin(
      UUID group,
      Long fromNode,
      long bytesTotal,
      long bytesResumed,
      long snapshotIndex,
      long pointsTotal) {
    Transfer t =
        new Transfer(group, fromNode, bytesTotal, bytesResumed, snapshotIndex, pointsTotal);
    kept.addAndGet(bytesResumed);
    transfers.put(group, t);
    return t;
  }

  /** Bytes of shard snapshots fetched from peers since this node started. */
  public long bytesFetched() {
    return fetched.get();
  }

  /** Bytes of shard snapshots kept from fetches cut short since this node started. */
  public long bytesKept() {
    return kept.get();
  }

  /** The transfers into this node now (and those finished within the last seconds). */
  public List<IncomingTransfer> transfers() {
    long now = System.currentTimeMillis();
    transfers.values().removeIf(t -> t.expired(now));
    List<IncomingTransfer> out = new ArrayList<>();
    for (Transfer t : transfers.values()) {
      out.add(t.view());
    }
    return out;
  }
}
