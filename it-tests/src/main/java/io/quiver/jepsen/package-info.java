/**
 * A Jepsen-style fault-injection suite for Quiver: a recorded history of client operations,
 * checkers that judge it, and the run's report.
 *
 * <ul>
 *   <li>{@link io.quiver.jepsen.history}: operations, histories and their JSON-lines form;
 *   <li>{@link io.quiver.jepsen.checker}: the linearizability, set, search-after-write and delete
 *       checkers;
 *   <li>{@link io.quiver.jepsen.report}: the latency plot.
 * </ul>
 *
 * Terms follow Jepsen: a <em>process</em> is one logical client that has at most one operation in
 * flight; an operation is <em>invoked</em> and then completes as {@code ok} (it took effect),
 * {@code fail} (it certainly did not take effect) or {@code info} (indeterminate: it may take
 * effect at any time after its invocation, or never).
 */
package io.quiver.jepsen;
