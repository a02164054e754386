/**
 * The environment of a fault-injection run: the {@link io.quiver.jepsen.harness.TestNetwork} (one
 * Linux network namespace per node and one for the clients, on a private bridge), guarded by a
 * machine-wide {@link io.quiver.jepsen.harness.NetworkLock}; one {@link
 * io.quiver.jepsen.harness.NodeHost} per node process in its namespace; the {@link
 * io.quiver.jepsen.harness.QuiverCluster} they form (started at once, as operators do); and {@link
 * io.quiver.jepsen.harness.Command}, which runs the short system commands ({@code ip}, {@code nft},
 * {@code kill}) bounded in time. Everything started is torn down by PID on every exit path.
 */
package io.quiver.jepsen.harness;
