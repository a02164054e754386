package io.quiver.jepsen.history;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How far an operation got, in Jepsen's vocabulary. */
public enum OpType {
  /** Invoked, not completed yet. Only appears in a history file, never in a {@link History}. */
  @JsonProperty("invoke")
  INVOKE,
  /** Completed and acknowledged: it took effect exactly once, between invocation and completion. */
  @JsonProperty("ok")
  OK,
  /** Completed with a definite failure: it never took effect. */
  @JsonProperty("fail")
  FAIL,
  /**
   * Indeterminate (timed out, connection lost, client crashed): it may take effect at any time
   * after its invocation, or never.
   */
  @JsonProperty("info")
  INFO;

  /**
   * @return true for {@link #OK}, {@link #FAIL} and {@link #INFO}
   */
  public boolean isCompletion() {
    return this != INVOKE;
  }
}
