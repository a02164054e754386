/**
 * {@code bin/quiver jepsen}: {@link io.quiver.jepsen.run.JepsenMain} reads the command line into
 * {@link io.quiver.jepsen.run.Scenario}s (the short suite CI runs, the long suite, or one given
 * workload and nemesis), {@link io.quiver.jepsen.run.JepsenLauncher} builds the test network per
 * scenario and starts a {@link io.quiver.jepsen.run.ScenarioRun} JVM inside the client namespace,
 * which forms the cluster, runs the workload under the nemesis, does the final reads and judges the
 * history; the outcome is a {@link io.quiver.jepsen.run.ScenarioResult} and a directory of
 * evidence.
 */
package io.quiver.jepsen.run;
