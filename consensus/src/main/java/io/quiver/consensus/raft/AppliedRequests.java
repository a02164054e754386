package io.quiver.consensus.raft;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ratis.protocol.ClientInvocationId;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.statemachine.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client invocations (Ratis client id and call id) a group's state machine applied recently, so
 * that its leader can refuse a stale copy of a request that was already applied.
 *
 * <p>Why: Ratis' retry cache makes a retried request take effect once, but a Ratis 3.2 server drops
 * a request's cache entry as soon as the client reports, on a later request, that it received the
 * reply ({@code RetryCacheImpl.invalidateRepliedRequests}). With Ratis' Netty transport (Quiver's
 * until it moved to gRPC; the check stays, as nothing in Ratis rules it out on gRPC), an older copy
 * of the request can still be in flight on a previous connection (queued in TCP during a partition
 * and delivered when it heals); it then finds no cache entry and is appended and applied a second
 * time, after newer writes: an acknowledged write overwritten by an old one. The Jepsen register
 * workload found this under partitions. See {@link
 * io.quiver.consensus.shard.ShardStateMachine#startTransaction}.
 *
 * <p>Bounded by count and age (the oldest are forgotten first); only the leader's check uses it and
 * a refused request never enters the log, so forgetting never makes replicas diverge. Thread-safe.
 */
public final class AppliedRequests {

  private static final Logger LOG = LoggerFactory.getLogger(AppliedRequests.class);

  /** Invocations remembered at most. */
  static final int CAPACITY_DEFAULT = 1 << 15;

  /** Invocations older than this are forgotten (TCP gives up retransmitting well before). */
  static final long MAX_AGE_NANOS_DEFAULT = 15L * 60 * 1_000_000_000L;

  private final int capacity;
  private final long maxAgeNanos;

  /** Invocation to the {@link System#nanoTime()} it was applied at, oldest first. */
  private final LinkedHashMap<ClientInvocationId, Long> applied = new LinkedHashMap<>();

  public AppliedRequests() {
    this(CAPACITY_DEFAULT, MAX_AGE_NANOS_DEFAULT);
  }

  AppliedRequests(int capacity, long maxAgeNanos) {
    if (capacity < 1 || maxAgeNanos < 1) {
      throw new IllegalArgumentException("capacity and age must be positive");
    }
    this.capacity = capacity;
    this.maxAgeNanos = maxAgeNanos;
  }

  /** Records that the entry of {@code invocation} was applied now. */
  public synchronized void record(ClientInvocationId invocation) {
    long now = System.nanoTime();
    applied.put(invocation, now);
    forgetOld(now);
  }

  /**
   * @return true if {@code invocation} was applied and is still remembered
   */
  public synchronized boolean contains(ClientInvocationId invocation) {
    forgetOld(System.nanoTime());
    return applied.containsKey(invocation);
  }

  /**
   * Refuses {@code context} (a transaction a leader's state machine is starting for {@code
   * request}) when the request was already applied: the stale copy then never enters the log, and
   * only it gets the refusal (its client already has its reply). {@code group} names the state
   * machine in the warning logged.
   */
  public void refuseIfApplied(TransactionContext context, RaftClientRequest request, Object group) {
    if (!contains(ClientInvocationId.valueOf(request))) {
      return;
    }
    LOG.warn(
        "{}: refused a second copy of request {} of {}, which was already applied",
        group,
        request.getCallId(),
        request.getClientId());
    context.setException(
        new IOException(
            "request "
                + request.getCallId()
                + " of "
                + request.getClientId()
                + " was already applied; this copy is stale"));
  }

  synchronized int size() {
    return applied.size();
  }

  private void forgetOld(long now) {
    Iterator<Map.Entry<ClientInvocationId, Long>> it = applied.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ClientInvocationId, Long> oldest = it.next();
      if (applied.size() > capacity || now - oldest.getValue() > maxAgeNanos) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
