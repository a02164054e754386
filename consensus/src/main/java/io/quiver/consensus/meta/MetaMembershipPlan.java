package io.quiver.consensus.meta;

import java.util.LinkedHashMap;
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
 *
 * <ol>
 *   <li>drops voters and listeners that are no longer registered, and adds nothing else as a voter
 *       (dropping {@code b} from {@code {a, b}} and adding {@code c} together would be one new
 *       voter against one kept, and refused);
 *   <li>otherwise adds at most one node as a voter while there are fewer than {@code maxVoters}
 *       (the lowest registered node id that is not a voter);
 *   <li>and makes every other registered node a listener only once the voters are full (listeners
 *       do not count towards Ratis' rule); it carries address changes.
 * </ol>
 *
 * <b>A listener is never made a voter in one change</b>: in Ratis 3.2.1 a listener added to a
 * running group is never marked caught up by its leader, whose appends then keep telling it that it
 * is initializing, so its division stays {@code STARTING}; promoted to voter, it still does, and
 * refuses to vote ({@code ServerNotReadyException}) until the leader changes. With the leader gone,
 * the group lost a voter it counted on: three nodes started at once, the third a listener then a
 * voter, lost their meta majority for good when the first died (PeerReconnectsTest). A listener to
 * be promoted therefore leaves the configuration first (while there is room for voters, there are
 * no listeners), and joins as a voter through Ratis' staging, which marks it caught up. The caller
 * applies a step, then plans again from the configuration that results, so a refused or interrupted
 * change is re-planned from what Ratis holds, never retried as it was.
 */
public final class MetaMembershipPlan {

  /** A configuration of the meta group: node id to Raft address, voters and listeners apart. */
  public record Configuration(Map<Long, String> voters, Map<Long, String> listeners) {
    public Configuration {
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
  public static Optional<Configuration> nextStep(
      Configuration current, SortedMap<Long, String> registered, int maxVoters) {
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
      addOneVoter(current, registered, voters);
    }
    Map<Long, String> listeners = new LinkedHashMap<>();
    if (voters.size() >= maxVoters) {
      registered.forEach(
          (id, address) -> {
            if (!voters.containsKey(id)) {
              listeners.put(id, address);
            }
          });
    }
    Configuration next = new Configuration(voters, listeners);
    return next.equals(current) ? Optional.empty() : Optional.of(next);
  }

  /**
   * Adds the lowest registered node id that is not a voter, unless it is a listener now: then it
   * leaves the configuration in this step (there is room for voters, so there are no listeners) and
   * is added in the next.
   */
  private static void addOneVoter(
      Configuration current, SortedMap<Long, String> registered, Map<Long, String> voters) {
    registered.keySet().stream()
        .filter(id -> !voters.containsKey(id))
        .findFirst()
        .filter(id -> !current.listeners().containsKey(id))
        .ifPresent(id -> voters.put(id, registered.get(id)));
  }
}
