package io.quiver.jepsen.history;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One client operation (or one fault) of a run, as recorded by the client. Immutable.
 *
 * <p>An invocation is {@code Op.invoke(...)}; its completion is derived from it with {@link
 * #complete(OpType, long)} and, for reads and searches, {@link #withValue(Long)}, {@link
 * #withIds(List)}, {@link #withRequired(List)}, {@link #withError(String)}.
 *
 * @param process the logical client; at most one operation per process is in flight; faults use
 *     {@link #NEMESIS_PROCESS}
 * @param type how far the operation got
 * @param f what it does
 * @param key the point id for point operations, null for collection-wide ones
 * @param value the value written, or the value read (null = the point is absent)
 * @param ids the point ids returned by {@link OpFunction#SEARCH} or {@link OpFunction#READ_ALL},
 *     else null
 * @param required for {@link OpFunction#SEARCH}, the ids the query must match, else null
 * @param invokeNanos invocation time, nanoseconds since the start of the run, {@code >= 0}
 * @param completeNanos completion time ({@code >= invokeNanos}), or {@link #NEVER} when the
 *     operation has not completed (type {@code invoke}) or its completion was never recorded (type
 *     {@code info})
 * @param error why the operation failed or is indeterminate, null if it did not
 * @param note free text; for {@link OpFunction#FAULT}, the fault's description
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Op(
    int process,
    OpType type,
    OpFunction f,
    Long key,
    Long value,
    List<Long> ids,
    List<Long> required,
    long invokeNanos,
    long completeNanos,
    String error,
    String note) {

  /** {@link #completeNanos()} of an operation that has no recorded completion. */
  public static final long NEVER = -1;

  /** The process id of the nemesis, which records faults. */
  public static final int NEMESIS_PROCESS = -1;

  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    if (invokeNanos < 0) {
      throw new IllegalArgumentException("invokeNanos < 0: " + invokeNanos);
    }
    boolean completed = completeNanos != NEVER;
    if (completed && completeNanos < invokeNanos) {
      throw new IllegalArgumentException(
          "completeNanos " + completeNanos + " before invokeNanos " + invokeNanos);
    }
    if (type == OpType.INVOKE && completed) {
      throw new IllegalArgumentException("an invocation has no completion time");
    }
    if ((type == OpType.OK || type == OpType.FAIL) && !completed) {
      throw new IllegalArgumentException(type + " needs a completion time");
    }
    ids = ids == null ? null : List.copyOf(ids);
    required = required == null ? null : List.copyOf(required);
  }

  /**
   * @return the invocation of operation {@code f} by {@code process} at {@code invokeNanos}
   */
  public static Op invoke(int process, OpFunction f, Long key, Long value, long invokeNanos) {
    return new Op(
        process, OpType.INVOKE, f, key, value, null, null, invokeNanos, NEVER, null, null);
  }

  /**
   * @return a fault that started at {@code startNanos} and was healed at {@code endNanos} ({@link
   *     #NEVER} if it was never healed)
   */
  public static Op fault(String description, long startNanos, long endNanos) {
    Objects.requireNonNull(description, "description");
    return new Op(
        NEMESIS_PROCESS,
        OpType.INFO,
        OpFunction.FAULT,
        null,
        null,
        null,
        null,
        startNanos,
        endNanos,
        null,
        description);
  }

  /**
   * @return this operation completed as {@code type} at {@code completeNanos}
   */
  public Op complete(OpType type, long completeNanos) {
    if (!type.isCompletion()) {
      throw new IllegalArgumentException("not a completion: " + type);
    }
    return new Op(
        process, type, f, key, value, ids, required, invokeNanos, completeNanos, error, note);
  }

  /**
   * @return a copy with {@code value} (for a read: the value read, null = absent)
   */
  public Op withValue(Long value) {
    return new Op(
        process, type, f, key, value, ids, required, invokeNanos, completeNanos, error, note);
  }

  /**
   * @return a copy with the ids returned by a search or a read-all
   */
  public Op withIds(List<Long> ids) {
    return new Op(
        process, type, f, key, value, ids, required, invokeNanos, completeNanos, error, note);
  }

  /**
   * @return a copy with the ids a search must return (see {@link OpFunction#SEARCH})
   */
  public Op withRequired(List<Long> required) {
    return new Op(
        process, type, f, key, value, ids, required, invokeNanos, completeNanos, error, note);
  }

  /**
   * @return a copy with a note (free text)
   */
  public Op withNote(String note) {
    return new Op(
        process, type, f, key, value, ids, required, invokeNanos, completeNanos, error, note);
  }

  /**
   * @return a copy with an error message
   */
  public Op withError(String error) {
    return new Op(
        process, type, f, key, value, ids, required, invokeNanos, completeNanos, error, note);
  }

  /**
   * @return true if the completion time is known
   */
  @JsonIgnore
  public boolean hasCompletion() {
    return completeNanos != NEVER;
  }

  /**
   * @return the latest time at which the operation may take effect: the completion time for {@code
   *     ok} and {@code fail}, {@link Long#MAX_VALUE} for {@code info} (it may take effect at any
   *     later time)
   */
  @JsonIgnore
  public long effectDeadlineNanos() {
    return type == OpType.INFO || type == OpType.INVOKE ? Long.MAX_VALUE : completeNanos;
  }

  /**
   * @return completion minus invocation, or {@link #NEVER} without a completion
   */
  @JsonIgnore
  public long latencyNanos() {
    return hasCompletion() ? completeNanos - invokeNanos : NEVER;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append('p')
        .append(process)
        .append(' ')
        .append(type.name().toLowerCase(Locale.ROOT))
        .append(' ')
        .append(f.name().toLowerCase(Locale.ROOT));
    if (key != null) {
      s.append(" key=").append(key);
    }
    if (value != null || f == OpFunction.READ && type == OpType.OK) {
      s.append(" value=").append(value);
    }
    if (ids != null) {
      s.append(" ids=").append(ids.size() <= 20 ? ids.toString() : ids.size() + " ids");
    }
    if (required != null) {
      s.append(" required=")
          .append(required.size() <= 20 ? required.toString() : required.size() + " ids");
    }
    s.append(String.format(Locale.ROOT, " [%.3f ms", invokeNanos / 1e6));
    s.append(
        hasCompletion()
            ? String.format(Locale.ROOT, ", %.3f ms]", completeNanos / 1e6)
            : ", never]");
    if (error != null) {
      s.append(" error=").append(error);
    }
    if (note != null) {
      s.append(" note=").append(note);
    }
    return s.toString();
  }
}
