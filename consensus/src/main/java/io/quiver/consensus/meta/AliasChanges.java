package io.quiver.consensus.meta;

import io.quiver.sharding.AliasAction;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Applies a list of alias actions to the cluster state's aliases, in order and all or nothing, as
 * Qdrant's {@code POST /collections/aliases} does. A pure function of its input: every node of the
 * meta group computes the same result in apply.
 */
public final class AliasChanges {

  /** The new aliases, or (aliases null) the refusal of the first invalid action. */
  record Result(SortedMap<String, String> aliases, MetaOutcome refusal) {}

  private AliasChanges() {}

  static Result apply(ClusterState state, List<AliasAction> actions) {
    TreeMap<String, String> aliases = new TreeMap<>(state.aliases());
    for (AliasAction action : actions) {
      switch (action) {
        case AliasAction.Create c -> {
          if (!state.collections().containsKey(c.collection())) {
            return new Result(null, MetaOutcome.collectionNotFound(c.collection()));
          }
          String problem = checkName(state, c.alias());
          if (problem != null) {
            return bad(problem);
          }
          aliases.put(c.alias(), c.collection());
        }
        case AliasAction.Delete d -> {
          if (aliases.remove(d.alias()) == null) {
            return new Result(null, MetaOutcome.aliasNotFound(d.alias()));
          }
        }
        case AliasAction.Rename r -> {
          String target = aliases.remove(r.from());
          if (target == null) {
            return new Result(null, MetaOutcome.aliasNotFound(r.from()));
          }
          String problem = checkName(state, r.to());
          if (problem != null) {
            return bad(problem);
          }
          aliases.put(r.to(), target);
        }
      }
    }
    return new Result(aliases, null);
  }

  private static String checkName(ClusterState state, String alias) {
    if (alias.isEmpty()) {
      return "Wrong input: an alias name must not be empty";
    }
    if (state.collections().containsKey(alias)) {
      return "Wrong input: alias `" + alias + "` would have the name of an existing collection";
    }
    return null;
  }

  private static Result bad(String message) {
    return new Result(null, MetaOutcome.badRequest(message));
  }
}
