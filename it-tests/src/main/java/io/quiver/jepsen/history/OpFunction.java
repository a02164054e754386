package io.quiver.jepsen.history;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an operation does. Point operations carry the point id in {@link Op#key()}; collection-wide
 * ones ({@link #READ_ALL}, {@link #SEARCH}) have no key.
 */
public enum OpFunction {
  /** Read one point by id; {@link Op#value()} is the value read, null when the point is absent. */
  @JsonProperty("read")
  READ,
  /** Upsert one point with {@link Op#value()} (the register workload's write). */
  @JsonProperty("write")
  WRITE,
  /** Insert one point with a fresh id (the set workload); {@link Op#value()} may be null. */
  @JsonProperty("insert")
  INSERT,
  /** Delete one point by id. */
  @JsonProperty("delete")
  DELETE,
  /**
   * A search; {@link Op#ids()} are the ids it returned and {@link Op#required()} the ids whose
   * vectors the query must match (the search-after-write workload's oracle).
   */
  @JsonProperty("search")
  SEARCH,
  /**
   * An upsert with {@code "update_mode": "insert_only"} of a point the set workload inserted and
   * saw acknowledged, with another {@link Op#value()}: it must change nothing. Not a {@link
   * #isPointMutation() point mutation} for the register checkers: its effect is conditional.
   */
  @JsonProperty("insert-only")
  INSERT_ONLY,
  /**
   * An upsert with {@code "update_mode": "update_only"} of an id never inserted (the set workload):
   * it must create nothing, so the id must be absent from the final read.
   */
  @JsonProperty("update-only")
  UPDATE_ONLY,
  /**
   * Read every point of the collection (the set workload's final read); {@link Op#ids()} holds
   * them.
   */
  @JsonProperty("read-all")
  READ_ALL,
  /**
   * A fault injected by the nemesis, from invocation (fault starts) to completion (fault healed);
   * {@link Op#note()} describes it. Recorded with type {@link OpType#INFO} and process {@link
   * Op#NEMESIS_PROCESS}.
   */
  @JsonProperty("fault")
  FAULT;

  /**
   * @return true if the function changes a single point (write, insert, delete)
   */
  public boolean isPointMutation() {
    return this == WRITE || this == INSERT || this == DELETE;
  }
}
