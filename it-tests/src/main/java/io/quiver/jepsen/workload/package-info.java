/**
 * What the clients of a fault-injection run do, each {@link io.quiver.jepsen.workload.Workload}
 * with the checker that judges it: {@code register} (single-point writes and linearizable reads),
 * {@code set} (unique inserts plus conditional upserts that must change nothing, then one final
 * read), {@code search} (an acknowledged point is found by a later linearizable exact search) and
 * {@code delete} (no acknowledged delete is undone). {@link
 * io.quiver.jepsen.workload.WorkloadRunner} drives the concurrent client processes; {@link
 * io.quiver.jepsen.workload.PointCalls} and {@link io.quiver.jepsen.workload.QuiverClient} make the
 * REST calls and classify each outcome as Jepsen does ({@code ok}, {@code fail} or indeterminate
 * {@code info}).
 */
package io.quiver.jepsen.workload;
