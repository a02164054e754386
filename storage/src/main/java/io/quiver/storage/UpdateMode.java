package io.quiver.storage;

/**
 * What an upsert does with points that exist and points that do not (Qdrant's {@code update_mode}).
 * Decided per point by each replica when it applies the entry, from its own state: every replica
 * applies the same log to the same state, so all decide alike.
 *
 * <p>Part of the shard log format by {@link #ordinal()}: only append.
 */
public enum UpdateMode {
  /** Inserts new points and replaces existing ones (the default). */
  UPSERT("upsert"),
  /** Inserts new points; an existing point keeps its vectors and payload. */
  INSERT_ONLY("insert_only"),
  /** Replaces existing points; an id that does not exist is not inserted. */
  UPDATE_ONLY("update_only");

  private final String apiName;

  UpdateMode(String apiName) {
    this.apiName = apiName;
  }

  /** Qdrant's name: {@code upsert}, {@code insert_only}, {@code update_only}. */
  public String apiName() {
    return apiName;
  }

  /** The mode of Qdrant name {@code name}, or null when there is none. */
  public static UpdateMode ofApiName(String name) {
    for (UpdateMode mode : values()) {
      if (mode.apiName.equals(name)) {
        return mode;
      }
    }
    return null;
  }
}
