package io.quiver.router;

import io.quiver.sharding.ShardClient;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.PointId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * The outcome of a write sent to several shards (each possibly in several log entries): once every
 * shard's part has succeeded or failed, either the highest log index, or a failure whose message
 * says which shards (and, when the request named ids, which points) were applied and which were
 * not. A multi-shard write is not atomic; the client needs this to know what to retry.
 */
final class WriteOutcome {

  /** How many ids a message lists per group before it only counts the rest. */
  static final int IDS_SHOWN = 20;

  /**
   * One shard's part: its result, its ids in the order sent (null when it selects by filter or has
   * no ids), and how many of them, from the first, are known written (see {@link
   * ShardClient.PreparedWrite#written}).
   */
  record Part(CompletableFuture<Long> result, List<PointId> ids, IntSupplier written) {

    /** A part sent in one log entry: all or nothing. */
    static Part whole(CompletableFuture<Long> result, List<PointId> ids) {
      return new Part(result, ids, () -> 0);
    }
  }

  private WriteOutcome() {}

  /** Completes with the highest index once every part has, or fails as {@link #failure} says. */
  static CompletableFuture<Long> of(String collection, Map<ShardPlacement, Part> parts) {
    CompletableFuture<?>[] settled =
        parts.values().stream()
            .map(p -> p.result().handle((v, e) -> null))
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(settled)
        .thenApply(
            ignored -> {
              long max = 0;
              boolean failed = false;
              for (Part p : parts.values()) {
                if (p.result().isCompletedExceptionally()) {
                  failed = true;
                } else {
                  max = Math.max(max, p.result().join());
                }
              }
              if (failed) {
                throw failure(collection, parts);
              }
              return max;
            });
  }

  /**
   * The failure of a write some part of which failed: the first shard failure (503 before 408
   * before 400 before anything else), its message followed by what was applied and what was not.
   */
  static RuntimeException failure(String collection, Map<ShardPlacement, Part> parts) {
    Map<Integer, Throwable> failures = new LinkedHashMap<>();
    List<Integer> appliedShards = new ArrayList<>();
    List<Integer> notAppliedShards = new ArrayList<>();
    List<PointId> appliedIds = new ArrayList<>();
    List<PointId> notAppliedIds = new ArrayList<>();
    boolean byIds = true;
    for (var entry : parts.entrySet()) {
      int shard = entry.getKey().shardId();
      Part p = entry.getValue();
      byIds &= p.ids() != null;
      if (!p.result().isCompletedExceptionally()) {
        appliedShards.add(shard);
        if (p.ids() != null) {
          appliedIds.addAll(p.ids());
        }
        continue;
      }
      failures.put(shard, unwrap(p.result()));
      int written = p.ids() == null ? 0 : Math.min(p.written().getAsInt(), p.ids().size());
      if (written > 0) {
        appliedShards.add(shard); // in part: listed among both
        appliedIds.addAll(p.ids().subList(0, written));
      }
      notAppliedShards.add(shard);
      if (p.ids() != null) {
        notAppliedIds.addAll(p.ids().subList(written, p.ids().size()));
      }
    }
    Throwable first = pick(failures);
    boolean anyApplied = !appliedShards.isEmpty();
    boolean unknownOutcome =
        first instanceof ShardUnavailableException || first instanceof RequestTimeoutException;
    if (!anyApplied && !unknownOutcome) {
      return first instanceof RuntimeException r ? r : new CompletionException(first);
    }
    String message =
        first.getMessage()
            + "; applied: "
            + shards(appliedShards, byIds ? appliedIds : null)
            + "; not applied: "
            + shards(notAppliedShards, byIds ? notAppliedIds : null);
    return switch (first) {
      case ShardUnavailableException s -> new ShardUnavailableException(message, s);
      case RequestTimeoutException t -> new RequestTimeoutException(message);
      case BadRequestException b -> new BadRequestException(message);
      default -> first instanceof RuntimeException r ? r : new CompletionException(first);
    };
  }

  /** "none", "shard 1 (points 2, 5)" or "shards 0, 2 (points 1, 4, 7, ... and 980 more)". */
  static String shards(List<Integer> shards, List<PointId> ids) {
    if (shards.isEmpty()) {
      return "none";
    }
    String text =
        (shards.size() == 1 ? "shard " : "shards ")
            + shards.stream().distinct().map(String::valueOf).collect(Collectors.joining(", "));
    if (ids == null || ids.isEmpty()) {
      return text;
    }
    String shown =
        ids.stream().limit(IDS_SHOWN).map(PointId::toString).collect(Collectors.joining(", "));
    String more = ids.size() > IDS_SHOWN ? " and " + (ids.size() - IDS_SHOWN) + " more" : "";
    return text + " (" + (ids.size() == 1 ? "point " : "points ") + shown + more + ")";
  }

  private static Throwable pick(Map<Integer, Throwable> failures) {
    for (Class<?> kind :
        List.of(
            ShardUnavailableException.class,
            RequestTimeoutException.class,
            BadRequestException.class)) {
      for (Throwable t : failures.values()) {
        if (kind.isInstance(t)) {
          return t;
        }
      }
    }
    return failures.values().iterator().next();
  }

  private static Throwable unwrap(CompletableFuture<Long> failed) {
    try {
      failed.join();
      throw new IllegalStateException("not failed");
    } catch (CompletionException e) {
      Throwable t = e;
      while (t instanceof CompletionException && t.getCause() != null) {
        t = t.getCause();
      }
      return t;
    } catch (java.util.concurrent.CancellationException e) {
      return e;
    }
  }
}
