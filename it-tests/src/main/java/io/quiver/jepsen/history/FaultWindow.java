package io.quiver.jepsen.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The time during which one fault was active, for reports.
 *
 * @param startNanos when the fault started, nanoseconds since the start of the run
 * @param endNanos when it was healed ({@code >= startNanos}), or {@link Op#NEVER} if never healed
 * @param label a short description, e.g. {@code "partition n1,n2 | n3"}
 */
public record FaultWindow(long startNanos, long endNanos, String label) {

  public FaultWindow {
    Objects.requireNonNull(label, "label");
    if (startNanos < 0 || endNanos != Op.NEVER && endNanos < startNanos) {
      throw new IllegalArgumentException("bad window [" + startNanos + ", " + endNanos + "]");
    }
  }

  /**
   * @return the windows of the {@link OpFunction#FAULT} operations of {@code history}, in start
   *     order
   */
  public static List<FaultWindow> of(History history) {
    List<FaultWindow> windows = new ArrayList<>();
    for (Op op : history.ops()) {
      if (op.f() == OpFunction.FAULT) {
        windows.add(
            new FaultWindow(
                op.invokeNanos(), op.completeNanos(), op.note() == null ? "fault" : op.note()));
      }
    }
    return windows;
  }
}
