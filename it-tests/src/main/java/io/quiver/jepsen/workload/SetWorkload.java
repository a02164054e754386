package io.quiver.jepsen.workload;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jepsen's set: every operation inserts a fresh point id; after the cluster has healed and been
 * quiet, one linearizable read of every id ever attempted. Judged by the set checker (lost,
 * unexpected, recovered).
 */
public final class SetWorkload implements Workload {

    private final AtomicLong ids = new AtomicLong();

    @Override
    public String name() {
        return "set";
    }

    @Override
    public Op next(int process, long nowNanos, Random random) {
        long id = ids.getAndIncrement();
        return Op.invoke(process, OpFunction.INSERT, id, id, nowNanos);
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
