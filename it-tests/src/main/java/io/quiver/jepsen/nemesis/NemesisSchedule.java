package io.quiver.jepsen.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded plan of faults, one at a time: a quiet gap, a fault held for a while, its heal, and so
 * on until shortly before the end of the run. The same seed, kinds and duration give the same plan;
 * the targets of a fault (which node, which leader) are drawn at injection time from the fault's
 * own seed, since leadership is only known then.
 *
 * @param faults the planned faults, in start order
 */
public record NemesisSchedule(List<Planned> faults) {

  /** The first fault starts after this much quiet, so the cluster serves some operations first. */
  public static final Duration LEAD_IN = Duration.ofSeconds(5);

  /** No fault is active during the last part of the run. */
  public static final Duration TAIL = Duration.ofSeconds(3);

  /**
   * One fault of the plan.
   *
   * @param kind what to inject
   * @param startMillis when, since the start of the run
   * @param holdMillis how long before healing it
   * @param seed seeds the choice of targets
   */
  public record Planned(FaultKind kind, long startMillis, long holdMillis, long seed) {
    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "+%.1fs %s for %.1fs (seed %d)",
          startMillis / 1e3,
          kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
          holdMillis / 1e3,
          seed);
    }
  }

  public NemesisSchedule {
    faults = List.copyOf(faults);
  }

  /**
   * @param kinds the kinds to draw from; empty gives an empty plan
   * @param runLength the length of the workload phase
   */
  public static NemesisSchedule plan(long seed, Set<FaultKind> kinds, Duration runLength) {
    List<FaultKind> choices = List.copyOf(kinds);
    List<Planned> faults = new ArrayList<>();
    if (choices.isEmpty()) {
      return new NemesisSchedule(faults);
    }
    Random random = new Random(seed);
    long end = runLength.toMillis() - TAIL.toMillis();
    long t = LEAD_IN.toMillis();
    while (true) {
      long hold = 4_000 + random.nextInt(6_001);
      if (t + hold > end) {
        break;
      }
      faults.add(
          new Planned(choices.get(random.nextInt(choices.size())), t, hold, random.nextLong()));
      t += hold + 2_000 + random.nextInt(4_001);
    }
    return new NemesisSchedule(faults);
  }
}
