package io.quiver.consensus;

import org.apache.ratis.metrics.MetricRegistries;

/**
 * Keeps Ratis from registering its metrics as JMX MBeans.
 *
 * <p>Why: Ratis' metric registries register a JMX reporter by default when the first registry of
 * the process is created without any reporter, and from then on every division's registry (dozens
 * of metrics per group) is exported to the platform MBean server when the group starts and removed
 * when it closes, each under the MBean server's one lock. Quiver reads none of them (its own
 * metrics come from {@code ReplicaStats}, exported by the node), yet with 1,400 shard groups a
 * SIGTERM took 15.9 s, spent by 1,401 threads waiting to unregister their MBeans one after another
 * ({@code Dm3MetricsReporting.stopJmxReporter}), and a group's start registered them ({@code
 * Repository.addMBean} in thread dumps of a restart; issue 17).
 *
 * <p>How: {@link #disable()} registers a reporter that does nothing before Ratis creates any
 * registry, which is all Ratis checks for. A registry created earlier in the process (a test that
 * started Ratis before) keeps its JMX reporter.
 */
final class RatisJmxMetrics {

  private static boolean disabled; // guarded by the class

  private RatisJmxMetrics() {}

  /** Call before any Ratis server or client exists; later calls do nothing. */
  static synchronized void disable() {
    if (!disabled) {
      MetricRegistries.global().addReporterRegistration(registry -> {}, registry -> {});
      disabled = true;
    }
  }
}
