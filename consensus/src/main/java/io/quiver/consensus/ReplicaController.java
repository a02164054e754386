package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.raft.CoalescingTask;
import io.quiver.consensus.raft.RaftFailureWords;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReplicaPlanner;
import io.quiver.sharding.ReplicaStep;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardReports;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the meta group's leader: keeps replica placement where the metadata says it should be, one
 * shard-group membership change at a time — replicas added or dropped until every shard has its
 * collection's {@code replication_factor} (at most one per node), draining nodes emptied, and a
 * rebalance carried out when one was asked for ({@link ClusterState#rebalancing()}). Each step is
 * planned afresh from the applied metadata by the pure {@link ReplicaPlanner} and carried out with
 * {@link ShardReplicaChanges} (an added replica catches up by snapshot install and the log before
 * its membership change commits). A failed step is planned again a second later; a new meta leader
 * picks up where the old one stopped, since everything it plans from is in the log. A shard group
 * whose configuration disagrees with the metadata is mid-change and gets no step; a change
 * abandoned halfway (its node died) is repaired ({@link #inspect}); every group is asked at each
 * audit ({@link #AUDIT_EVERY_MS}).
 *
 * <p>The planner weighs each replica by its shard's size and knows each group's leader from the
 * {@link ShardSurvey} (asked again once older than {@link #SURVEY_AGE_MS}, or {@link
 * #REBALANCING_SURVEY_AGE_MS} during a rebalance); a rebalance ends with leadership transfers
 * ({@link ReplicaStep.TransferLeader}), each checked against the leader seen just before.
 *
 * <p>With {@link RaftNodeConfig#autoRebalance()}, the leader asks for a rebalance itself whenever
 * the set of nodes that may hold replicas has changed since it last looked (a node joined, started
 * draining, or left).
 */
final class ReplicaController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaController.class);
  private static final long RETRY_DELAY_MS = 1000;

  private final LocalNode local;
  private final ShardSurvey survey;
  private final ShardReplicaChanges changes;
  private final RaftCollectionCatalog catalog;
  private final ShardGroupViews groupViews;
  private final CoalescingTask task;
  private volatile ReplicaStep current;
  private volatile String lastError;
  private final AtomicLong stepsDone = new AtomicLong();
  private Set<Long> knownEligible; // only touched on the task's thread; null until this node leads
  private final Map<UUID, Seen> changingSince =
      new HashMap<>(); // groups seen mid-change; task thread only

  ReplicaController(
      LocalNode local,
      ShardSurvey survey,
      ShardReplicaChanges changes,
      RaftCollectionCatalog catalog,
      ShardGroupViews groupViews) {
    this.local = local;
    this.survey = survey;
    this.changes = changes;
    this.catalog = catalog;
    this.groupViews = groupViews;
    this.task = new CoalescingTask("replica-controller", RETRY_DELAY_MS, this::pass);
    task.triggerEvery(auditEveryMs);
  }

  void onStateChanged(ClusterState state) {
    task.trigger();
  }

  void onLeaderChanged() {
    task.trigger();
  }

  /** The step being carried out by this node (the meta leader), or null. */
  ReplicaStep currentStep() {
    return current;
  }

  /** Steps this node carried out since it started. */
  long stepsDone() {
    return stepsDone.get();
  }

  /** Why the last step failed (it is planned again), or null when it succeeded. */
  String lastError() {
    return lastError;
  }

  private void pass() throws Exception {
    if (!local.leadsMeta()) {
      knownEligible = null;
      return;
    }
    ClusterState state = local.clusterState();
    if (local.config().autoRebalance()) {
      Set<Long> eligible = new TreeSet<>(state.eligibleNodes());
      if (knownEligible != null && !knownEligible.equals(eligible) && !state.rebalancing()) {
        LOG.info(
            "node {}: nodes {} may take replicas now (were {}: a node joined, drains or left): rebalancing (cluster.auto_rebalance)",
            local.nodeId(),
            eligible,
            knownEligible);
        knownEligible = eligible;
        catalog.setRebalancing(true).join();
        task.trigger();
        return;
      }
      knownEligible = eligible;
    }
    Map<UUID, Long> leaders = new HashMap<>();
    Set<UUID> changing = new java.util.HashSet<>();
    Set<UUID> settled = new java.util.HashSet<>();
    // The over-replicated groups are asked first (the planner drops a replica that does not lead),
    // the groups seen mid-change at every pass until they settle (passes come a second apart while
    // any is: the change's age counts from its first sighting), and every group at each audit (a
    // change abandoned where no step follows would stay).
    long now = System.nanoTime();
    boolean audit = now - lastAudit >= TimeUnit.MILLISECONDS.toNanos(auditEveryMs);
    List<ShardPlacement> asked = new java.util.ArrayList<>();
    Map<UUID, CollectionDescriptor> collectionOf = new HashMap<>();
    for (CollectionDescriptor c : state.collections().values()) {
      for (ShardPlacement shard : c.shardMap().shards()) {
        collectionOf.put(shard.groupId(), c);
        if (audit
            || shard.replicas().size() > c.config().replicationFactor()
            || changingSince.containsKey(shard.groupId())) {
          asked.add(shard);
        }
      }
    }
    changingSince.keySet().retainAll(collectionOf.keySet());
    if (audit) {
      lastAudit = now;
    }
    Map<UUID, ShardGroupView> views = viewsOf(state, asked);
    for (ShardPlacement shard : asked) {
      CollectionDescriptor c = collectionOf.get(shard.groupId());
      boolean beforeADrop = shard.replicas().size() > c.config().replicationFactor();
      if (inspect(c, shard, views.get(shard.groupId()), beforeADrop, leaders, changing, settled)
          == Inspection.REPAIRING) {
        return;
      }
    }
    // Sizes and leaders of every group, asked again once older than the survey's age (kept short
    // while rebalancing, when leaders move) — only when there is something to plan: a pass that
    // has no step with the figures known asks nothing. The leaders just seen above override them.
    ShardReports reports = survey.reports();
    if (state.rebalancing()
        || ReplicaPlanner.next(
                state.nodes().keySet(),
                state.draining(),
                state.collections().values(),
                false,
                reports.withLeaders(leaders),
                changing)
            .isPresent()) {
      reports =
          survey.refresh(state, state.rebalancing() ? REBALANCING_SURVEY_AGE_MS : SURVEY_AGE_MS);
    }
    Optional<ReplicaStep> step;
    while (true) {
      step =
          ReplicaPlanner.next(
              state.nodes().keySet(),
              state.draining(),
              state.collections().values(),
              state.rebalancing(),
              reports.withLeaders(leaders),
              changing);
      if (step.isEmpty()) {
        break;
      }
      CollectionDescriptor c = state.collections().get(step.get().collection());
      ShardPlacement shard = c.shardMap().shard(step.get().shardId());
      if (settled.contains(shard.groupId())) {
        break;
      }
      Inspection found =
          inspect(c, shard, groupViews.ask(state, shard), false, leaders, changing, settled);
      if (found == Inspection.REPAIRING) {
        return;
      }
      if (found == Inspection.SETTLED && step.get() instanceof ReplicaStep.TransferLeader t) {
        Long leader = leaders.get(shard.groupId());
        if (leader == null) {
          // No replica answered as its leader just now: ask the survey again before moving
          // leadership.
          survey.forgetLeader(shard.groupId());
          task.retryLater();
          return;
        }
        if (leader != t.from()) {
          continue; // planned from an older leader: plan again with the one just seen
        }
      }
      if (found == Inspection.SETTLED) {
        break;
      }
    }
    if (step.isEmpty()) {
      if (!changing.isEmpty()) {
        task.retryLater(); // a change in progress elsewhere: look again once it may have ended
      } else if (state.rebalancing() && survey.recentlyLeaderless(ELECTION_WAIT_MS)) {
        task.retryLater(); // a group changed by the rebalance is electing: weigh its leader before
        // ending
      } else if (state.rebalancing()
          && ReplicaPlanner.next(
                  state.nodes().keySet(),
                  state.draining(),
                  state.collections().values(),
                  true,
                  survey.refresh(state, FINISHING_SURVEY_AGE_MS).withLeaders(leaders),
                  changing)
              .isPresent()) {
        // Planned from leaders up to REBALANCING_SURVEY_AGE_MS old: a group that elected since
        // (after a move dropped its leader's replica) may lead elsewhere now. Seen again, the
        // rebalance has a step left: take it rather than end uneven.
        task.trigger();
      } else if (state.rebalancing()) {
        LOG.info("node {}: rebalance finished", local.nodeId());
        catalog.setRebalancing(false).join();
      }
      return;
    }
    ReplicaStep s = step.get();
    current = s;
    LOG.info("node {}: replica step {} ({})", local.nodeId(), s, s.reason());
    try {
      switch (s) {
        case ReplicaStep.Add a ->
            changes.replicate(a.collection(), a.shardId(), anyReplica(state, a), a.to()).join();
        case ReplicaStep.Drop d -> changes.drop(d.collection(), d.shardId(), d.node()).join();
        case ReplicaStep.Move m ->
            changes.move(m.collection(), m.shardId(), m.from(), m.to()).join();
        case ReplicaStep.AddWitness a ->
            changes.addWitness(a.collection(), a.shardId(), a.to()).join();
        case ReplicaStep.DropWitness d ->
            changes.dropWitness(d.collection(), d.shardId(), d.node()).join();
        case ReplicaStep.TransferLeader t ->
            changes.transferLeader(t.collection(), t.shardId(), t.to()).join();
      }
      UUID group = state.collections().get(s.collection()).shardMap().shard(s.shardId()).groupId();
      if (s instanceof ReplicaStep.TransferLeader t) {
        survey.leaderSeen(group, t.to());
      } else {
        survey.forgetLeader(group); // a changed group may have another leader: asked again
      }
      stepsDone.incrementAndGet();
      lastError = null;
    } catch (RuntimeException e) {
      lastError = s + ": " + RaftFailureWords.describe(e.getCause() == null ? e : e.getCause());
      if (s instanceof ReplicaStep.TransferLeader) {
        // Leadership may have moved anyway, or elsewhere: ask before planning the next transfer.
        survey.forgetLeader(
            state.collections().get(s.collection()).shardMap().shard(s.shardId()).groupId());
      }
      throw e;
    } finally {
      current = null;
    }
    task.trigger(); // the next step, planned from the state this one produced
  }

  /**
   * How long a shard group may look mid-change (metadata and configuration disagree) without its
   * leader bringing in a missing voter before this controller treats the change as abandoned (the
   * node carrying it out died between its two steps) and repairs it. Longer than a new replica may
   * take to start hosting the group (30 s) before the configuration change begins.
   */
  static final long ABANDONED_CHANGE_MS = 60_000;

  /**
   * {@link #ABANDONED_CHANGE_MS} and {@link #AUDIT_EVERY_MS}, shorter in tests through these system
   * properties.
   */
  private final long abandonedChangeMs =
      Long.getLong("quiver.test.abandoned_change_ms", ABANDONED_CHANGE_MS);

  private final long auditEveryMs = Long.getLong("quiver.test.replica_audit_ms", AUDIT_EVERY_MS);

  /**
   * How long a rebalance waits for a group that names no leader (electing after a change) before it
   * ends without it.
   */
  static final long ELECTION_WAIT_MS = 10_000;

  /**
   * How old a group's reported size and leader may be when the controller plans ({@link
   * ShardSurvey}).
   */
  static final long SURVEY_AGE_MS = 30_000;

  /**
   * The same while a rebalance runs: its leadership transfers plan from leaders seen this recently.
   */
  static final long REBALANCING_SURVEY_AGE_MS = 5_000;

  /**
   * How recent the leaders a rebalance ends on must be: below {@code GET /cluster/rebalance}'s 2 s,
   * so that a rebalance never ends on a plan that the next look at it contradicts.
   */
  static final long FINISHING_SURVEY_AGE_MS = 1_000;

  /**
   * How often every shard group is asked whether it agrees with the metadata (else only before
   * steps).
   */
  static final long AUDIT_EVERY_MS = 30_000;

  private long lastAudit = System.nanoTime(); // task thread only

  /** Concurrent group questions of one pass. */
  private static final int CONCURRENT_VIEWS = 8;

  /**
   * {@link ShardGroupView#ask} for many groups, several at a time; a group no leader answered for
   * is absent.
   */
  private Map<UUID, ShardGroupView> viewsOf(ClusterState state, List<ShardPlacement> shards)
      throws InterruptedException {
    Map<UUID, ShardGroupView> views = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(CONCURRENT_VIEWS);
    try (var askers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (ShardPlacement shard : shards) {
        slots.acquire();
        askers.submit(
            () -> {
              try {
                ShardGroupView view = groupViews.ask(state, shard);
                if (view != null) {
                  views.put(shard.groupId(), view);
                }
              } finally {
                slots.release();
              }
            });
      }
    }
    return views;
  }

  /** A group seen mid-change: first and last seen (nanoTime), on the task's thread only. */
  private static final class Seen {
    long first;
    long last;
  }

  /** Seen mid-change again after this long: a new change, not the same one. */
  private static final long SAME_CHANGE_GAP_MS = 10_000;

  private enum Inspection {
    SETTLED,
    CHANGING,
    REPAIRING
  }

  /**
   * Asks the shard group's leader for its voters. A group whose leader's configuration differs from
   * the metadata's replicas and witnesses is in the middle of a replica change that some node
   * carries out (an add puts the new replica in the metadata first, a drop takes it out of the
   * configuration first; a {@code move_shard} may be asked of any node): it gets no step here
   * ({@code changing}). While the leader sends to a missing voter (it stages the new replica: a
   * snapshot, then the log, possibly for minutes) the change is progressing; once it has looked
   * stuck for {@link #ABANDONED_CHANGE_MS} it is repaired ({@link ShardReplicaChanges#realign}). A
   * group whose leader does not answer counts as changing only where {@code noLeaderIsChanging}
   * (before a drop); elsewhere the step's own retries wait for a leader.
   */
  private Inspection inspect(
      CollectionDescriptor c,
      ShardPlacement shard,
      ShardGroupView view,
      boolean noLeaderIsChanging,
      Map<UUID, Long> leaders,
      Set<UUID> changing,
      Set<UUID> settled) {
    UUID group = shard.groupId();
    if (view != null) {
      leaders.put(group, view.leader());
      survey.leaderSeen(group, view.leader());
    }
    Set<Long> voters = Set.copyOf(shard.voters());
    if ((view == null && !noLeaderIsChanging) || (view != null && view.voters().equals(voters))) {
      changingSince.remove(group);
      settled.add(group);
      return Inspection.SETTLED;
    }
    long now = System.nanoTime();
    Seen seen = changingSince.get(group);
    boolean progressing = view != null && view.bringsIn(voters);
    if (seen == null
        || progressing
        || now - seen.last > TimeUnit.MILLISECONDS.toNanos(SAME_CHANGE_GAP_MS)) {
      seen = new Seen();
      seen.first = now;
      changingSince.put(group, seen);
    }
    seen.last = now;
    if (now - seen.first < TimeUnit.MILLISECONDS.toNanos(abandonedChangeMs)) {
      changing.add(group);
      return Inspection.CHANGING;
    }
    if (view == null) {
      LOG.warn(
          "node {}: no replica of shard group {} has answered as its leader for over {} s; planning for it as settled",
          local.nodeId(),
          group,
          abandonedChangeMs / 1000);
      settled.add(group);
      return Inspection.SETTLED;
    }
    changingSince.remove(group);
    current = null;
    try {
      changes.realign(c.name(), shard.shardId(), view.voters()).join();
      lastError = null;
    } catch (RuntimeException e) {
      lastError =
          "repairing shard "
              + shard.shardId()
              + " of "
              + c.name()
              + ": "
              + RaftFailureWords.describe(e.getCause() == null ? e : e.getCause());
      throw e;
    }
    task.trigger();
    return Inspection.REPAIRING;
  }

  private static long anyReplica(ClusterState state, ReplicaStep step) {
    CollectionDescriptor c = state.collections().get(step.collection());
    ShardPlacement shard = c.shardMap().shard(step.shardId());
    List<Long> live = shard.replicas().stream().filter(r -> !state.draining().contains(r)).toList();
    return live.isEmpty() ? shard.replicas().getFirst() : live.getFirst();
  }

  @Override
  public void close() {
    task.close();
  }
}
