package io.quiver.sharding;

import java.util.Objects;

/** One change of Qdrant's {@code POST /collections/aliases}; a list of them applies atomically. */
public sealed interface AliasAction {

  /** Points {@code alias} at {@code collection} (replacing where it pointed before). */
  record Create(String alias, String collection) implements AliasAction {
    public Create {
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(collection, "collection");
    }
  }

  record Delete(String alias) implements AliasAction {
    public Delete {
      Objects.requireNonNull(alias, "alias");
    }
  }

  record Rename(String from, String to) implements AliasAction {
    public Rename {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }
}
