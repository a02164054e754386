/**
 * The faults of a run: {@link io.quiver.jepsen.nemesis.Nemesis} names them (partitions, kill and
 * restart, pause, clock skew, packet loss, replica moves), {@link
 * io.quiver.jepsen.nemesis.NamespaceNemesis} injects them into nodes in network namespaces
 * (nftables rules, signals, libfaketime), {@link io.quiver.jepsen.nemesis.NemesisSchedule} plans
 * them from a seed, and {@link io.quiver.jepsen.nemesis.NemesisRunner} carries the plan out and
 * records each fault's window for the report.
 */
package io.quiver.jepsen.nemesis;
