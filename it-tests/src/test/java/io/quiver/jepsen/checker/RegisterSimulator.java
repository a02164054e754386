package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates histories that are linearizable by construction: clients run reads, writes (unique
 * values) and deletes against a real sequential register per key, with random interleaving. Each
 * operation takes effect at one instant between its invocation and its completion, so that instant
 * order is a linearization. Some operations fail before taking effect; some time out (info) before
 * or after taking effect, and their process is retired, as Jepsen does.
 */
final class RegisterSimulator {

  private enum Phase {
    INVOKED,
    APPLIED
  }

  private static final class Client {
    final int process;
    Op op;
    Phase phase;

    Client(int process) {
      this.process = process;
    }
  }

  private RegisterSimulator() {}

  /**
   * @param clients concurrent clients, at least 1
   * @param keys distinct keys, at least 1
   * @param operations operations to invoke
   */
  static History generate(Random random, int clients, int keys, int operations) {
    Map<Long, Long> register = new HashMap<>();
    List<Client> active = new ArrayList<>();
    for (int p = 0; p < clients; p++) {
      active.add(new Client(p));
    }
    int nextProcess = clients;
    long nextValue = 1;
    long now = 0;
    int invoked = 0;
    List<Op> history = new ArrayList<>();
    while (invoked < operations || active.stream().anyMatch(c -> c.op != null)) {
      now += 1 + random.nextInt(1_000);
      int index = random.nextInt(active.size());
      Client client = active.get(index);
      if (client.op == null) {
        if (invoked < operations) {
          client.op = invoke(random, client.process, keys, nextValue++, now);
          client.phase = Phase.INVOKED;
          invoked++;
        }
      } else if (client.phase == Phase.INVOKED) {
        int dice = random.nextInt(100);
        if (dice < 4) {
          history.add(client.op.complete(OpType.FAIL, now).withError("simulated failure"));
          client.op = null;
        } else if (dice < 7) {
          history.add(client.op.complete(OpType.INFO, now).withError("timed out before applying"));
          active.set(index, new Client(nextProcess++));
        } else {
          client.op = apply(register, client.op);
          client.phase = Phase.APPLIED;
        }
      } else {
        if (random.nextInt(100) < 4) {
          history.add(client.op.complete(OpType.INFO, now).withError("timed out after applying"));
          active.set(index, new Client(nextProcess++));
        } else {
          history.add(client.op.complete(OpType.OK, now));
          client.op = null;
        }
      }
    }
    return History.of(history);
  }

  private static Op invoke(Random random, int process, int keys, long value, long now) {
    long key = random.nextInt(keys);
    int dice = random.nextInt(100);
    if (dice < 50) {
      return Op.invoke(process, OpFunction.READ, key, null, now);
    }
    if (dice < 90) {
      return Op.invoke(process, OpFunction.WRITE, key, value, now);
    }
    return Op.invoke(process, OpFunction.DELETE, key, null, now);
  }

  /** Applies {@code op} to the register now; for a read, returns it with the value read. */
  private static Op apply(Map<Long, Long> register, Op op) {
    switch (op.f()) {
      case READ -> {
        return op.withValue(register.get(op.key()));
      }
      case WRITE -> register.put(op.key(), op.value());
      case DELETE -> register.remove(op.key());
      default -> throw new IllegalStateException("not simulated: " + op);
    }
    return op;
  }
}
