/**
 * Checkers that judge a recorded {@link io.quiver.jepsen.history.History}. Each implements {@link
 * io.quiver.jepsen.checker.Checker} and returns a {@link io.quiver.jepsen.checker.CheckResult} with
 * a {@link io.quiver.jepsen.checker.Verdict} and counterexamples.
 *
 * <ul>
 *   <li>{@link io.quiver.jepsen.checker.LinearizabilityChecker}: per-key linearizability of a
 *       register (Wing &amp; Gong's search with Lowe's memoization, as Porcupine and Knossos do);
 *   <li>{@link io.quiver.jepsen.checker.SetChecker}: Jepsen's set checker (lost, unexpected,
 *       recovered);
 *   <li>{@link io.quiver.jepsen.checker.SearchAfterWriteChecker}: an acknowledged point is found by
 *       every later search that must match it;
 *   <li>{@link io.quiver.jepsen.checker.DeleteChecker}: an acknowledged delete is never undone (no
 *       resurrection).
 * </ul>
 *
 * <p>Paper terms, mapped once: a <em>call</em> and a <em>return</em> are the invocation and
 * completion events of an operation (Wing &amp; Gong); a <em>minimal</em> operation is one whose
 * call precedes every pending return, i.e. one that may be linearized next; the memoized
 * <em>configuration</em> is (set of linearized operations, model state) (Lowe 2017); splitting the
 * history by key before the search is <em>P-compositionality</em> (Horn &amp; Kroening 2015).
 */
package io.quiver.jepsen.checker;
