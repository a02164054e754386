package io.quiver.jepsen.workload;

import io.quiver.jepsen.history.Op;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What the clients of a run do: the next operation of a process during the run, and the final reads
 * after the cluster has healed. Implementations are thread-safe (every client thread asks).
 */
public interface Workload {

  /**
   * @return the workload's name on the command line
   */
  String name();

  /**
   * @param process the process that will perform it
   * @param nowNanos the run's clock
   * @return the next invocation of {@code process}
   */
  Op next(int process, long nowNanos, Random random);

  /**
   * @param process the process that performs them
   * @return the final reads' invocations, performed one after another once the cluster has healed
   *     and been quiet
   */
  List<Op> finalReads(int process, long nowNanos);

  /**
   * @return the ids a {@code read-all} reads: every id the workload ever wrote or inserted
   */
  List<Long> everyId();

  /** Performs {@code invocation} through the node at {@code baseUrl}; never throws. */
  default Op perform(Op invocation, String baseUrl, PointCalls calls) {
    return switch (invocation.f()) {
      case WRITE, INSERT, INSERT_ONLY, UPDATE_ONLY -> calls.upsert(invocation, baseUrl);
      case DELETE -> calls.delete(invocation, baseUrl);
      case READ -> calls.read(invocation, baseUrl);
      case SEARCH -> calls.search(invocation, invocation.required().getFirst(), baseUrl);
      case READ_ALL -> calls.readAll(invocation, everyId(), baseUrl);
      case FAULT -> throw new IllegalArgumentException("a client does not perform faults");
    };
  }

  /** Workload names the command line accepts. */
  List<String> NAMES = List.of("register", "set", "search", "delete");

  /**
   * @return a fresh workload by name
   */
  static Workload named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "register" -> new RegisterWorkload(8);
      case "set" -> new SetWorkload();
      case "search", "search-after-write" -> new SearchAfterWriteWorkload();
      case "delete" -> new DeleteWorkload(20);
      default ->
          throw new IllegalArgumentException("unknown workload '" + name + "'; one of " + NAMES);
    };
  }
}
