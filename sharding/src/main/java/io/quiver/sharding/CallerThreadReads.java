package io.quiver.sharding;

import java.util.function.Supplier;

/**
 * Lets a {@link ShardClient} answer a read on the thread that asks for it, instead of handing it to
 * a pool and back. A caller that will only wait for the answer (the router, for the last shard of a
 * fan-out: the others run meanwhile) wraps its call in {@link #allow}; a client that may answer in
 * process checks {@link #allowed} and runs a read there only when it expects it to be quick.
 *
 * <p>Why: on the machines measured, waking a parked thread costs 50-130 µs, and far more in the
 * tail. A one-shard query on one node made two such hand-offs (the HTTP event loop to the shard's
 * read pool, and the pool back to the event loop to write the reply): its p99 through REST was
 * 2.3-3.3 ms, and 0.9-1.3 ms with the search on the event loop (see {@code docs/benchmarks.md}).
 *
 * <p>A scoped value: it holds only inside {@link #allow}, on that thread, and for whatever runs
 * synchronously there.
 */
public final class CallerThreadReads {

  private static final ScopedValue<Boolean> ALLOWED = ScopedValue.newInstance();

  private CallerThreadReads() {}

  /** Runs {@code call} with reads allowed on this thread, and returns what it returns. */
  public static <T> T allow(Supplier<T> call) {
    return ScopedValue.where(ALLOWED, Boolean.TRUE).call(call::get);
  }

  /** True inside {@link #allow} on this thread. */
  public static boolean allowed() {
    return ALLOWED.orElse(Boolean.FALSE);
  }
}
