/**
 * The meta group: the cluster's metadata as a replicated state machine. {@link
 * io.quiver.consensus.meta.ClusterState} is the state (nodes, collections and their shard maps,
 * aliases, drains, resharding operations); {@link io.quiver.consensus.meta.MetaTransitions} (with
 * {@link io.quiver.consensus.meta.AliasChanges} and {@link
 * io.quiver.consensus.meta.ReshardingTransitions}) is the pure rule {@code (state, command) ->
 * (state, outcome)}, tested without Ratis; {@link io.quiver.consensus.meta.MetaStateMachine}
 * applies it to the log; {@link io.quiver.consensus.meta.MetaMessages} is the log's and the
 * replies' binary form; {@link io.quiver.consensus.meta.MetaOutcome} is a typed outcome (user or
 * service error, with a status). {@link io.quiver.consensus.meta.MetaMembershipPlan} plans one meta
 * voter change at a time. Nothing here talks to other nodes: the loops that act on this state live
 * in {@code io.quiver.consensus}.
 */
package io.quiver.consensus.meta;
