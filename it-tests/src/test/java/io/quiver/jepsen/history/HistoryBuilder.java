package io.quiver.jepsen.history;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-made histories for tests, with times in milliseconds. Each method records one completed
 * operation and returns it, so that a test can point at it.
 */
public final class HistoryBuilder {

  private final List<Op> ops = new ArrayList<>();

  public static long ms(double millis) {
    return Math.round(millis * 1_000_000);
  }

  public Op add(Op op) {
    ops.add(op);
    return op;
  }

  public Op write(int process, long key, long value, double invokeMs, double completeMs) {
    return add(
        Op.invoke(process, OpFunction.WRITE, key, value, ms(invokeMs))
            .complete(OpType.OK, ms(completeMs)));
  }

  /** A write whose client timed out at {@code giveUpMs}: it may take effect later, or never. */
  public Op writeInfo(int process, long key, long value, double invokeMs, double giveUpMs) {
    return add(
        Op.invoke(process, OpFunction.WRITE, key, value, ms(invokeMs))
            .complete(OpType.INFO, ms(giveUpMs))
            .withError("timeout"));
  }

  public Op writeFail(int process, long key, long value, double invokeMs, double completeMs) {
    return add(
        Op.invoke(process, OpFunction.WRITE, key, value, ms(invokeMs))
            .complete(OpType.FAIL, ms(completeMs))
            .withError("rejected"));
  }

  /** An ok read that returned {@code value} (null = absent). */
  public Op read(int process, long key, Long value, double invokeMs, double completeMs) {
    return add(
        Op.invoke(process, OpFunction.READ, key, null, ms(invokeMs))
            .complete(OpType.OK, ms(completeMs))
            .withValue(value));
  }

  public Op insert(int process, long id, OpType type, double invokeMs, double completeMs) {
    return add(
        Op.invoke(process, OpFunction.INSERT, id, id, ms(invokeMs)).complete(type, ms(completeMs)));
  }

  /**
   * A conditional upsert ({@link OpFunction#INSERT_ONLY} or {@link OpFunction#UPDATE_ONLY}) of
   * {@code id}.
   */
  public Op conditional(
      int process,
      OpFunction f,
      long id,
      long value,
      OpType type,
      double invokeMs,
      double completeMs) {
    return add(Op.invoke(process, f, id, value, ms(invokeMs)).complete(type, ms(completeMs)));
  }

  public Op delete(int process, long id, OpType type, double invokeMs, double completeMs) {
    return add(
        Op.invoke(process, OpFunction.DELETE, id, null, ms(invokeMs))
            .complete(type, ms(completeMs)));
  }

  public Op readAll(int process, List<Long> ids, double invokeMs, double completeMs) {
    return add(
        Op.invoke(process, OpFunction.READ_ALL, null, null, ms(invokeMs))
            .complete(OpType.OK, ms(completeMs))
            .withIds(ids));
  }

  public Op search(
      int process, List<Long> returned, List<Long> required, double invokeMs, double completeMs) {
    return add(
        Op.invoke(process, OpFunction.SEARCH, null, null, ms(invokeMs))
            .complete(OpType.OK, ms(completeMs))
            .withIds(returned)
            .withRequired(required));
  }

  public History build() {
    return History.of(ops);
  }
}
