package io.quiver.jepsen.nemesis;

import java.util.List;
import java.util.Set;

/**
 * The faults a run can inject, independent of how a backend injects them. Nodes are numbered from
 * 1. Every method returns once the fault is in place (bounded in time); {@link #healAll()} undoes
 * everything and is safe to call at any time, more than once.
 */
public interface Nemesis {

  /** Nodes in different {@code sides} can no longer exchange packets (both directions). */
  void partition(List<Set<Integer>> sides);

  /** {@code node} drops every packet from the other nodes; what it sends still arrives. */
  void deafen(int node);

  /**
   * Each packet between {@code nodes} and the other nodes is dropped with probability {@code
   * percent}/100.
   */
  void loss(Set<Integer> nodes, int percent);

  /** Removes every partition, one-way drop and loss. */
  void healNetwork();

  /** {@code kill -9} of the node's process. */
  void kill(int node);

  /** Starts a killed node again on its data and waits (bounded) until it is ready. */
  void restart(int node);

  /** SIGSTOP. */
  void pause(int node);

  /** SIGCONT. */
  void resume(int node);

  /** Sets the node's wall clock to real time plus {@code seconds}; 0 undoes it. */
  void skew(int node, long seconds);

  /** Whether {@link #skew} works for this run (nodes started under libfaketime). */
  boolean canSkewClocks();

  /** Heals the network, resumes paused nodes, restarts killed ones, and resets every clock. */
  void healAll();
}
