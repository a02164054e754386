/**
 * Reports of a run: {@link io.quiver.jepsen.report.LatencyPlot}, the latency of every operation
 * over time with the fault windows shaded, like Jepsen's latency plots.
 */
package io.quiver.jepsen.report;
