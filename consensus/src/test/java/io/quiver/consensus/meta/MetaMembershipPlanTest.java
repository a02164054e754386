package io.quiver.consensus.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The meta group's configuration is planned one step at a time. Oracle: Ratis' own admission rule
 * for a configuration change, restated here (a change is refused when its new voters are at least
 * as many as the voters it keeps, except one voter to two), and the target (min(n, 5) voters, every
 * other registered node a listener, no unregistered peer).
 */
class MetaMembershipPlanTest {

  private static final MetaMembershipPlan.Configuration BOOTSTRAPPED =
      new MetaMembershipPlan.Configuration(Map.of(1L, "h1:1"), Map.of());

  @Test
  void nodesRegisteredAtOnceBecomeVotersOneChangeAtATimeAndTheRestListeners() {
    for (int n = 1; n <= 9; n++) {
      SortedMap<Long, String> registered = nodes(n);
      MetaMembershipPlan.Configuration conf = BOOTSTRAPPED;
      int steps = 0;
      for (Optional<MetaMembershipPlan.Configuration> next;
          (next = MetaMembershipPlan.nextStep(conf, registered, 5)).isPresent(); ) {
        assertTrue(ratisAdmits(conf, next.get()), "step " + conf + " -> " + next.get());
        conf = next.get();
        assertTrue(++steps <= 8, "converges");
      }
      assertEquals(Math.min(n, 5), conf.voters().size(), "voters of " + n);
      assertEquals(n - Math.min(n, 5), conf.listeners().size(), "listeners of " + n);
      assertEquals(Math.min(n, 5) - 1, steps, "one change per new voter for " + n + " nodes");
    }
  }

  @Test
  void aRemovedVoterIsDroppedBeforeAListenerIsPromoted() {
    // Two voters, one of them removed, a third node registered: dropping b and adding c in one
    // change would be refused (one new voter against one kept).
    MetaMembershipPlan.Configuration conf =
        new MetaMembershipPlan.Configuration(Map.of(1L, "h1:1", 2L, "h2:1"), Map.of(3L, "h3:1"));
    SortedMap<Long, String> registered = new TreeMap<>(Map.of(1L, "h1:1", 3L, "h3:1"));
    MetaMembershipPlan.Configuration first =
        MetaMembershipPlan.nextStep(conf, registered, 5).orElseThrow();
    assertEquals(Set.of(1L), first.voters().keySet());
    assertEquals(
        Set.of(), first.listeners().keySet(), "the listener leaves before it is added as a voter");
    MetaMembershipPlan.Configuration second =
        MetaMembershipPlan.nextStep(first, registered, 5).orElseThrow();
    assertTrue(ratisAdmits(first, second));
    assertEquals(Set.of(1L, 3L), second.voters().keySet());
    assertFalse(MetaMembershipPlan.nextStep(second, registered, 5).isPresent());
  }

  @Test
  void aListenerIsNeverMadeAVoterInOneChangeAndAddressChangesAreCarried() {
    MetaMembershipPlan.Configuration conf =
        new MetaMembershipPlan.Configuration(Map.of(1L, "h1:1"), Map.of(9L, "h9:1"));
    SortedMap<Long, String> registered = new TreeMap<>(Map.of(1L, "h1:2", 2L, "h2:1", 9L, "h9:1"));
    MetaMembershipPlan.Configuration next =
        MetaMembershipPlan.nextStep(conf, registered, 5).orElseThrow();
    assertEquals(Map.of(1L, "h1:2", 2L, "h2:1"), next.voters());
    assertEquals(Map.of(), next.listeners(), "no listeners while there is room for voters");
    MetaMembershipPlan.Configuration then =
        MetaMembershipPlan.nextStep(next, registered, 5).orElseThrow();
    assertEquals(Map.of(1L, "h1:2", 2L, "h2:1", 9L, "h9:1"), then.voters());

    // Five voters and a listener, then a voter leaves: the listener leaves the configuration
    // before it is added as a voter, never both in one change.
    MetaMembershipPlan.Configuration full =
        new MetaMembershipPlan.Configuration(
            Map.of(1L, "h1:1", 2L, "h2:1", 3L, "h3:1", 4L, "h4:1", 5L, "h5:1"), Map.of(6L, "h6:1"));
    SortedMap<Long, String> fiveLeft = nodes(6);
    fiveLeft.remove(5L);
    MetaMembershipPlan.Configuration conf2 = full;
    int steps = 0;
    for (Optional<MetaMembershipPlan.Configuration> step;
        (step = MetaMembershipPlan.nextStep(conf2, fiveLeft, 5)).isPresent(); ) {
      for (Long id : step.get().voters().keySet()) {
        assertFalse(
            conf2.listeners().containsKey(id),
            "listener " + id + " made a voter in one change: " + conf2 + " -> " + step.get());
      }
      assertTrue(ratisAdmits(conf2, step.get()));
      conf2 = step.get();
      assertTrue(++steps <= 4, "converges");
    }
    assertEquals(Set.of(1L, 2L, 3L, 4L, 6L), conf2.voters().keySet());
  }

  @Test
  void aMatchingConfigurationNeedsNoChange() {
    MetaMembershipPlan.Configuration conf =
        new MetaMembershipPlan.Configuration(
            Map.of(1L, "h1:1", 2L, "h2:1", 3L, "h3:1", 4L, "h4:1", 5L, "h5:1"), Map.of(6L, "h6:1"));
    assertFalse(MetaMembershipPlan.nextStep(conf, nodes(6), 5).isPresent());
  }

  /** Ratis 3.2's admission rule (RaftConfigurationImpl.changeMajority, RATIS-1912), restated. */
  private static boolean ratisAdmits(
      MetaMembershipPlan.Configuration from, MetaMembershipPlan.Configuration to) {
    Set<Long> added = new HashSet<>(to.voters().keySet());
    added.removeAll(from.voters().keySet());
    long kept = to.voters().size() - added.size();
    if (from.voters().size() == 1 && to.voters().size() == 2 && added.size() == 1) {
      return true;
    }
    return added.size() < kept;
  }

  private static SortedMap<Long, String> nodes(int n) {
    Map<Long, String> m = new HashMap<>();
    for (long id = 1; id <= n; id++) {
      m.put(id, "h" + id + ":1");
    }
    return new TreeMap<>(m);
  }
}
