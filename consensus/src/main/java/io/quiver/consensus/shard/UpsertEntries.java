package io.quiver.consensus.shard;

import io.quiver.storage.BadRequestException;
import io.quiver.storage.Point;
import io.quiver.storage.UpsertCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.ratis.protocol.Message;

/**
 * Splits a shard's part of an upsert into log entries of at most {@code maxEntryBytes} each.
 *
 * <p>Ratis refuses to append an entry larger than its appender buffer ({@code
 * raft.server.log.appender.buffer.byte-limit}, 4 MB by default: "Log entry size ... exceeds the max
 * buffer limit"), and a request may be up to {@code service.max_request_size_mb} (32 MB). So the
 * points are packed, in request order, into as few entries as fit; a point is never cut, so each
 * point's upsert stays atomic. Each entry carries the whole condition (update mode and filter):
 * every entry is decided on its own when it is applied. A point that alone does not fit is refused
 * before anything is sent.
 */
public final class UpsertEntries {

  private UpsertEntries() {}

  /**
   * The entries for {@code points} (at least one, also for no points), each at most {@code
   * maxEntryBytes} long.
   *
   * @throws BadRequestException naming the first point that alone exceeds the limit, and the limit
   */
  static List<Message> split(List<Point> points, UpsertCondition condition, int maxEntryBytes) {
    return split(points, condition, maxEntryBytes, new ArrayList<>());
  }

  /**
   * As {@link #split(List, UpsertCondition, int)}; adds to {@code pointsPerEntry} how many points
   * each entry holds (the entries hold the points in the order given).
   */
  static List<Message> split(
      List<Point> points,
      UpsertCondition condition,
      int maxEntryBytes,
      List<Integer> pointsPerEntry) {
    int overhead = ShardMessages.upsertEntryOverhead(condition);
    boolean withSparse = points.stream().anyMatch(p -> !p.sparse().isEmpty());
    List<Message> entries = new ArrayList<>();
    List<byte[]> current = new ArrayList<>();
    long currentBytes = overhead;
    for (int i = 0; i < points.size(); i++) {
      byte[] point = ShardMessages.encodePoint(points.get(i), withSparse);
      if (overhead + (long) point.length > maxEntryBytes) {
        throw new BadRequestException(
            String.format(
                Locale.ROOT,
                "point %s is too large to be written: it takes %s in the replication log, and one log entry holds at most %s"
                    + " (a larger request is split between points, never inside one); make its payload or vectors smaller",
                points.get(i).id(),
                megabytes(overhead + (long) point.length),
                megabytes(maxEntryBytes)));
      }
      if (!current.isEmpty() && currentBytes + point.length > maxEntryBytes) {
        entries.add(ShardMessages.encodeUpsert(condition, withSparse, current));
        pointsPerEntry.add(current.size());
        current = new ArrayList<>();
        currentBytes = overhead;
      }
      current.add(point);
      currentBytes += point.length;
    }
    if (!current.isEmpty() || entries.isEmpty()) {
      entries.add(ShardMessages.encodeUpsert(condition, withSparse, current));
      pointsPerEntry.add(current.size());
    }
    return entries;
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.2f MB (%d bytes)", bytes / (1024.0 * 1024.0), bytes);
  }
}
