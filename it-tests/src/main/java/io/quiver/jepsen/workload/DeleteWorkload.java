package io.quiver.jepsen.workload;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deletes: a small set of point ids that are written (unique values), deleted and read ({@code
 * consistency=linearizable}) at random, so ids are deleted and written again many times while nodes
 * are killed, paused and cut off. Ends with a read of every id and a read-all. Judged by the
 * no-resurrection checker (and, per id, by the linearizability checker).
 */
public final class DeleteWorkload implements Workload {

  private final int keys;
  private final AtomicLong values = new AtomicLong();

  public DeleteWorkload(int keys) {
    this.keys = keys;
  }

  @Override
  public String name() {
    return "delete";
  }

  @Override
  public Op next(int process, long nowNanos, Random random) {
    long key = random.nextInt(keys);
    int dice = random.nextInt(100);
    if (dice < 35) {
      return Op.invoke(process, OpFunction.WRITE, key, values.incrementAndGet(), nowNanos);
    }
    if (dice < 60) {
      return Op.invoke(process, OpFunction.DELETE, key, null, nowNanos);
    }
    return Op.invoke(process, OpFunction.READ, key, null, nowNanos);
  }

  @Override
  public List<Op> finalReads(int process, long nowNanos) {
    List<Op> reads = new ArrayList<>();
    for (long key = 0; key < keys; key++) {
      reads.add(Op.invoke(process, OpFunction.READ, key, null, nowNanos));
    }
    reads.add(Op.invoke(process, OpFunction.READ_ALL, null, null, nowNanos));
    return reads;
  }

  @Override
  public List<Long> everyId() {
    List<Long> ids = new ArrayList<>();
    for (long key = 0; key < keys; key++) {
      ids.add(key);
    }
    return ids;
  }
}
