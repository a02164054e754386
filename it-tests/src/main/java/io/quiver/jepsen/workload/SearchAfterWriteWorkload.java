package io.quiver.jepsen.workload;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Search after write: half the operations insert a fresh point (its vector unique to its id), the
 * other half run a linearizable exact search for the vector of an id inserted earlier (acknowledged
 * or still in flight), recording that id as required. Judged by the search-after-write checker; a
 * final read of every id also feeds the set checker.
 */
public final class SearchAfterWriteWorkload implements Workload {

  private final AtomicLong ids = new AtomicLong();

  @Override
  public String name() {
    return "search";
  }

  @Override
  public Op next(int process, long nowNanos, Random random) {
    long inserted = ids.get();
    if (inserted == 0 || random.nextBoolean()) {
      long id = ids.getAndIncrement();
      return Op.invoke(process, OpFunction.INSERT, id, id, nowNanos);
    }
    // Mostly recent ids: a search soon after the insert is where a stale replica would show.
    long target =
        random.nextInt(4) == 0
            ? random.nextLong(inserted)
            : Math.max(0, inserted - 1 - random.nextInt(8));
    return Op.invoke(process, OpFunction.SEARCH, null, null, nowNanos)
        .withRequired(List.of(target));
  }

  @Override
  public List<Op> finalReads(int process, long nowNanos) {
    return List.of(Op.invoke(process, OpFunction.READ_ALL, null, null, nowNanos));
  }

  @Override
  public List<Long> everyId() {
    List<Long> all = new ArrayList<>();
    for (long id = 0; id < ids.get(); id++) {
      all.add(id);
    }
    return all;
  }
}
