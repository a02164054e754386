package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.raft.RaftStatus;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardReports;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the shard groups report about themselves, for the replica planner ({@link ShardReports}):
 * each group's leader ({@link ShardGroupView#ask}: 1 s per replica asked) and its live points (an
 * info read of any replica, this node's own when it has one: {@value #COUNT_TIMEOUT_MS} ms at
 * most). Each figure is kept with the time it was learnt and asked again only once older than the
 * age the caller accepts, {@value #CONCURRENT_QUESTIONS} groups at a time, so a pass of the replica
 * controller or a {@code GET /cluster/rebalance} costs at most one question per group per age. A
 * group that does not answer keeps its last points (its size did not vanish) and loses its leader.
 * Thread-safe: one refresh runs at a time, readers see the last figures.
 */
final class ShardSurvey {

  /** How long an info read of one group may take before its points count as unchanged. */
  static final long COUNT_TIMEOUT_MS = 2_000;

  /** Groups asked at the same time. */
  static final int CONCURRENT_QUESTIONS = 8;

  /** A figure, when it was last learnt, and since when it has had this value. */
  private record Figure(long value, long learntNanos, long sinceNanos) {
    Figure next(long newValue, long now) {
      return new Figure(newValue, now, newValue == value ? sinceNanos : now);
    }
  }

  /**
   * A leader figure meaning "no replica answered as the leader" (a group just created or changed,
   * electing): asked again once older than {@value #NO_LEADER_AGE_MS} ms whatever age the caller
   * accepts.
   */
  private static final long NO_LEADER = -1;

  static final long NO_LEADER_AGE_MS = 2_000;

  private final LocalNode local;
  private final LocalDivisions divisions;
  private final ShardGroupViews groupViews;
  private final ShardClients shardClients;
  private final Map<UUID, Figure> leaders = new ConcurrentHashMap<>();
  private final Map<UUID, Figure> points = new ConcurrentHashMap<>();
  private final ReentrantLock refreshing = new ReentrantLock();
  private final java.util.concurrent.atomic.AtomicInteger unanswered =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardSurvey.class);

  ShardSurvey(
      LocalNode local,
      LocalDivisions divisions,
      ShardGroupViews groupViews,
      ShardClients shardClients) {
    this.local = local;
    this.divisions = divisions;
    this.groupViews = groupViews;
    this.shardClients = shardClients;
  }

  /** The figures known now, however old, without asking anything. */
  ShardReports reports() {
    Map<UUID, Long> l = new HashMap<>();
    leaders.forEach(
        (g, f) -> {
          if (f.value() != NO_LEADER) {
            l.put(g, f.value());
          }
        });
    Map<UUID, Long> p = new HashMap<>();
    points.forEach((g, f) -> p.put(g, f.value()));
    return new ShardReports(l, p);
  }

  /**
   * Asks every group of {@code state} whose leader or points are older than {@code maxAgeMs} (or
   * unknown), then returns the figures; forgets groups that are no longer in the metadata. Blocks
   * for the questions (bounded as the class says).
   */
  ShardReports refresh(ClusterState state, long maxAgeMs) throws InterruptedException {
    refreshing.lockInterruptibly();
    try {
      long now = System.nanoTime();
      long maxAge = TimeUnit.MILLISECONDS.toNanos(maxAgeMs);
      Map<UUID, Boolean> present = new HashMap<>();
      List<Runnable> questions = new ArrayList<>();
      for (CollectionDescriptor c : state.collections().values()) {
        for (ShardPlacement shard : c.shardMap().shards()) {
          UUID group = shard.groupId();
          present.put(group, true);
          Figure leader = leaders.get(group);
          if (stale(
              leader,
              now,
              leader != null && leader.value() == NO_LEADER
                  ? Math.min(maxAge, TimeUnit.MILLISECONDS.toNanos(NO_LEADER_AGE_MS))
                  : maxAge)) {
            questions.add(() -> askLeader(state, shard));
          }
          if (stale(points.get(group), now, maxAge)) {
            questions.add(() -> askPoints(c.name(), shard));
          }
        }
      }
      leaders.keySet().retainAll(present.keySet());
      points.keySet().retainAll(present.keySet());
      unanswered.set(0);
      ask(questions);
      if (unanswered.get() > 0) {
        LOG.debug(
            "node {}: {} of {} shard groups named no leader when asked",
            local.nodeId(),
            unanswered.get(),
            present.size());
      }
      return reports();
    } finally {
      refreshing.unlock();
    }
  }

  /**
   * The leader of {@code group} as just seen by someone else (the replica controller's own
   * questions).
   */
  void leaderSeen(UUID group, long leader) {
    learnt(leaders, group, leader);
  }

  private static void learnt(Map<UUID, Figure> figures, UUID group, long value) {
    long now = System.nanoTime();
    figures.compute(
        group, (g, old) -> old == null ? new Figure(value, now, now) : old.next(value, now));
  }

  /**
   * True when some group named no leader when last asked and has named none for less than {@code
   * windowMs}: a group electing after a change, whose leadership a rebalance should still weigh.
   */
  boolean recentlyLeaderless(long windowMs) {
    long now = System.nanoTime();
    return leaders.values().stream()
        .anyMatch(
            f ->
                f.value() == NO_LEADER
                    && now - f.sinceNanos() < TimeUnit.MILLISECONDS.toNanos(windowMs));
  }

  /**
   * Forgets the leader of {@code group} (a step changed its replicas): asked again at the next
   * refresh.
   */
  void forgetLeader(UUID group) {
    leaders.remove(group);
  }

  /** How old the oldest figure is, in ms (0 when none is known). */
  long oldestAgeMs() {
    long now = System.nanoTime();
    long oldest = now;
    for (Figure f : leaders.values()) {
      oldest = Math.min(oldest, f.learntNanos());
    }
    for (Figure f : points.values()) {
      oldest = Math.min(oldest, f.learntNanos());
    }
    return TimeUnit.NANOSECONDS.toMillis(now - oldest);
  }

  private static boolean stale(Figure f, long now, long maxAge) {
    return f == null || now - f.learntNanos() > maxAge;
  }

  /**
   * This node's own replica's view of the leader when it hosts the group and knows one (no question
   * asked), else the group's replicas are asked.
   */
  private void askLeader(ClusterState state, ShardPlacement shard) {
    Long known = divisions.status(shard.groupId()).map(RaftStatus::leaderNodeId).orElse(null);
    if (known != null && shard.replicas().contains(known)) {
      leaderSeen(shard.groupId(), known);
      return;
    }
    ShardGroupView view = groupViews.ask(state, shard);
    if (view == null) {
      unanswered.incrementAndGet();
      learnt(leaders, shard.groupId(), NO_LEADER);
    } else {
      leaderSeen(shard.groupId(), view.leader());
    }
  }

  private void askPoints(String collection, ShardPlacement shard) {
    try {
      long n =
          shardClients
              .forShard(collection, shard)
              .info(ReadConsistency.ANY)
              .get(COUNT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
              .points();
      learnt(points, shard.groupId(), n);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception unanswered) {
      // keeps the last figure: the shard did not shrink because it did not answer
    }
  }

  /**
   * Runs the questions {@value #CONCURRENT_QUESTIONS} at a time on a pool of platform threads made
   * for this refresh; returns when all are done.
   */
  private static void ask(List<Runnable> questions) throws InterruptedException {
    if (questions.isEmpty()) {
      return;
    }
    var askers =
        Executors.newFixedThreadPool(
            Math.min(CONCURRENT_QUESTIONS, questions.size()),
            r -> {
              Thread t = new Thread(r, "shard-survey");
              t.setDaemon(true);
              return t;
            });
    try {
      questions.forEach(askers::execute);
    } finally {
      askers.shutdown();
      if (!askers.awaitTermination(1, TimeUnit.MINUTES)) {
        askers.shutdownNow();
      }
    }
  }
}
