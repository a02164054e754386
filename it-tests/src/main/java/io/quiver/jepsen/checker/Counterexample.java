package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.Op;
import java.util.List;
import java.util.Objects;

/**
 * Evidence of one violation: what is wrong, and the operations that show it.
 *
 * @param description one or two sentences, naming the key or ids involved
 * @param ops the operations that together cannot be explained, in history order
 */
public record Counterexample(String description, List<Op> ops) {

  public Counterexample {
    Objects.requireNonNull(description, "description");
    ops = List.copyOf(ops);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(description);
    for (Op op : ops) {
      s.append("\n    ").append(op);
    }
    return s.toString();
  }
}
