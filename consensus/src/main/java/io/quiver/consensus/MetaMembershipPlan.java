package io.quiver.consensus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Plans the meta group's configuration one step at a time, from the configuration Ratis holds now
 * towards the registered nodes: up to {@code maxVoters} voters, every other registered node a
 * listener. Pure and deterministic.
 *
 * <p>Why one step: Ratis refuses a change whose new voters are as many as the voters it keeps
 * ({@code RaftConfigurationImpl.changeMajority}, RATIS-1912; the one exception is one voter to
 * two), so five nodes started at once cannot be added in one change. Each step therefore
 * <ol>
 *   <li>drops voters and listeners that are no longer registered, and adds nothing else as a
 *       voter (dropping {@code b} from {@code {a, b}} and adding {@code c} together would be one
 *       new voter against one kept, and refused);</li>
 *   <li>otherwise promotes at most one node to voter while there are fewer than {@code maxVoters}
 *       (a current listener first: it already has the log, so Ratis' staging is short; then the
 *       lowest node id);</li>
 *   <li>and in either case makes every other registered node a listener (listeners do not count
 *       towards Ratis' rule) and carries address changes.</li>
 * </ol>
 * The caller applies a step, then plans again from the configuration that results, so a refused
 * or interrupted change is re-planned from what Ratis holds, never retried as it was.
 */
final class MetaMembershipPlan {

  /** A configuration of the meta group: node id to Raft address, voters and listeners apart. */
  record Configuration(Map<Long, String> voters, Map<Long, String> listeners) {
    Configuration {
      voters = Map.copyOf(voters);
      listeners = Map.copyOf(listeners);
    }
  }

  private MetaMembershipPlan() {}

  /**
   * The next configuration to ask Ratis for, or empty when the current one already matches the
   * registered nodes.
   *
   * @param current the configuration Ratis holds (stable: no change in progress)
   * @param registered every registered node's Raft address, by node id
   * @param maxVoters the most voters the meta group may have (at least 1)
   */
  static Optional<Configuration> nextStep(Configuration current, SortedMap<Long, String> registered, int maxVoters) {
    Map<Long, String> voters = new LinkedHashMap<>();
    boolean votersDropped = false;
    for (Long id : current.voters().keySet()) {
      String address = registered.get(id);
      if (address == null) {
        votersDropped = true;
      } else {
        voters.put(id, address);
      }
    }
    if (!votersDropped && voters.size() < maxVoters) {
      promoteOne(current, registered, voters);
    }
    Map<Long, String> listeners = new LinkedHashMap<>();
    registered.forEach((id, address) -> {
      if (!voters.containsKey(id)) {
        listeners.put(id, address);
      }
    });
    Configuration next = new Configuration(voters, listeners);
    return next.equals(current) ? Optional.empty() : Optional.of(next);
  }

  private static void promoteOne(Configuration current, SortedMap<Long, String> registered, Map<Long, String> voters) {
    List<Long> candidates = new ArrayList<>();
    registered.keySet().stream().filter(id -> !voters.containsKey(id) && current.listeners().containsKey(id))
        .forEach(candidates::add);
    registered.keySet().stream().filter(id -> !voters.containsKey(id) && !current.listeners().containsKey(id))
        .forEach(candidates::add);
    if (!candidates.isEmpty()) {
      Long id = candidates.getFirst();
      voters.put(id, registered.get(id));
    }
  }
}
