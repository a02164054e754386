package io.quiver.jepsen.workload;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jepsen's set: every operation inserts a fresh point id (payload {@code v} = the id); after the
 * cluster has healed and been quiet, one linearizable read of every id ever attempted. Judged by
 * the set checker (lost, unexpected, recovered).
 *
 * <p>It carries a conditional-upsert mix ({@code update_mode}): one operation in ten is an {@link
 * OpFunction#INSERT_ONLY} of an id whose insert was already acknowledged, with another value, and
 * one in ten an {@link OpFunction#UPDATE_ONLY} of a fresh id that is never inserted. Neither may
 * change anything: the final read counts a point only while it holds its inserted value (a changed
 * one shows as lost), and an id only ever sent update-only shows as unexpected when it exists.
 *
 * <p>One point in three also carries a sparse vector ({@link PointCalls#carriesSparse}), so sparse
 * data travels through the shard Raft logs, snapshots and transfers under the faults; the final
 * read counts such a point only while its sparse vector is exactly the one written (a lost or
 * damaged one shows as lost, and a sparse vector on a point written without one as well).
 */
public final class SetWorkload implements Workload {

  private final AtomicLong ids = new AtomicLong();

  /** Ids whose insert completed {@code ok}: the targets of insert-only upserts. */
  private final List<Long> acknowledged = new CopyOnWriteArrayList<>();

  @Override
  public String name() {
    return "set";
  }

  @Override
  public Op next(int process, long nowNanos, Random random) {
    int mix = random.nextInt(10);
    if (mix == 0 && !acknowledged.isEmpty()) {
      long id = acknowledged.get(random.nextInt(acknowledged.size()));
      return Op.invoke(process, OpFunction.INSERT_ONLY, id, -(id + 1), nowNanos);
    }
    long id = ids.getAndIncrement();
    return Op.invoke(
        process, mix == 1 ? OpFunction.UPDATE_ONLY : OpFunction.INSERT, id, id, nowNanos);
  }

  @Override
  public Op perform(Op invocation, String baseUrl, PointCalls calls) {
    if (invocation.f() == OpFunction.READ_ALL) {
      return calls.readAll(invocation, everyId(), baseUrl, true);
    }
    Op done = Workload.super.perform(invocation, baseUrl, calls);
    if (done.f() == OpFunction.INSERT && done.type() == OpType.OK) {
      acknowledged.add(done.key());
    }
    return done;
  }

  @Override
  public List<Op> finalReads(int process, long nowNanos) {
    return List.of(Op.invoke(process, OpFunction.READ_ALL, null, null, nowNanos));
  }

  @Override
  public List<Long> everyId() {
    List<Long> all = new ArrayList<>();
    for (long id = 0; id < ids.get(); id++) {
      all.add(id);
    }
    return all;
  }
}
