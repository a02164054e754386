package io.quiver.jepsen.workload;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registers: a few point ids, each written with unique values ({@code {"v": n}}) and read with
 * {@code consistency=linearizable}, half and half; judged by the linearizability checker per key.
 * Ends with a read of every key.
 */
public final class RegisterWorkload implements Workload {

  private final int keys;
  private final AtomicLong values = new AtomicLong();

  public RegisterWorkload(int keys) {
    this.keys = keys;
  }

  @Override
  public String name() {
    return "register";
  }

  @Override
  public Op next(int process, long nowNanos, Random random) {
    long key = random.nextInt(keys);
    return random.nextBoolean()
        ? Op.invoke(process, OpFunction.WRITE, key, values.incrementAndGet(), nowNanos)
        : Op.invoke(process, OpFunction.READ, key, null, nowNanos);
  }

  @Override
  public List<Op> finalReads(int process, long nowNanos) {
    List<Op> reads = new ArrayList<>();
    for (long key = 0; key < keys; key++) {
      reads.add(Op.invoke(process, OpFunction.READ, key, null, nowNanos));
    }
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
