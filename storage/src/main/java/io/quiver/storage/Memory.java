package io.quiver.storage;

import java.util.Locale;

/**
 * Qdrant's memory placement of a component's data ({@code memory: cold|cached|pinned}). Data is
 * always persisted; the placement says how it is held in RAM. What each value does depends on the
 * component (docs/design/storage.md, "Memory placement"); a component that cannot honour a value
 * refuses it at the REST edge, so a config never holds a placement that is ignored.
 *
 * <p>The ordinals are part of the stored config format ({@link ShardConfigCodec}): only append.
 */
public enum Memory {
  /** Not pre-loaded: mapped and paged in on demand. */
  COLD,
  /** Pre-loaded at open (page cache or process memory), may be evicted under memory pressure. */
  CACHED,
  /** Held in process memory (heap or native), never evicted. */
  PINNED;

  public String qdrantName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The placement of this Qdrant name, or null. */
  public static Memory fromQdrantName(String name) {
    for (Memory m : values()) {
      if (m.qdrantName().equals(name)) {
        return m;
      }
    }
    return null;
  }
}
