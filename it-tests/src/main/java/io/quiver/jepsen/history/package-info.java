/**
 * The recorded history of a run: {@link io.quiver.jepsen.history.Op} (one client operation or one
 * fault), {@link io.quiver.jepsen.history.History} (the completed operations of a run), {@link
 * io.quiver.jepsen.history.HistoryWriter} and {@link io.quiver.jepsen.history.HistoryReader} (JSON
 * lines, one event per line, crash-safe), and {@link io.quiver.jepsen.history.FaultWindow}.
 *
 * <p>All timestamps are nanoseconds relative to the start of the run, taken from {@code
 * System.nanoTime()} of the single client JVM, never from the nodes (whose clocks may be skewed on
 * purpose).
 */
package io.quiver.jepsen.history;
