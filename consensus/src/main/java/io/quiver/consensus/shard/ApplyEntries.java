package io.quiver.consensus.shard;

import io.quiver.storage.BadRequestException;
import io.quiver.storage.PointId;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.apache.ratis.protocol.Message;

/**
 * Splits a change to existing points into log entries of at most {@code maxEntryBytes} each, as
 * {@link UpsertEntries} does for upserts: an operation that selects points by id (a vector update
 * of 1,000 OpenAI-sized embeddings is 6 MB) is halved by ids until every part fits, so each point's
 * change stays whole in one entry. An operation that selects by filter cannot be split (each
 * replica resolves the filter when it applies the entry); it is refused when it does not fit, as is
 * the change of a single point that does not.
 */
public final class ApplyEntries {

  private ApplyEntries() {}

  /**
   * The entries of {@code operation}, in id order of the request, each at most {@code
   * maxEntryBytes}.
   *
   * @throws BadRequestException naming the limit when a part that cannot be split does not fit
   */
  static List<Message> split(PointsOperation operation, int maxEntryBytes) {
    return split(operation, maxEntryBytes, new ArrayList<>());
  }

  /**
   * As {@link #split(PointsOperation, int)}; adds to {@code idsPerEntry} how many of the
   * operation's distinct ids each entry holds (the entries hold them in the order of the request; 0
   * for an operation that selects by filter).
   */
  static List<Message> split(
      PointsOperation operation, int maxEntryBytes, List<Integer> idsPerEntry) {
    List<Message> entries = new ArrayList<>();
    add(operation, maxEntryBytes, entries, idsPerEntry);
    return entries;
  }

  private static void add(
      PointsOperation operation,
      int maxEntryBytes,
      List<Message> entries,
      List<Integer> idsPerEntry) {
    Message entry = ShardMessages.encode(new ShardCommand.Apply(operation));
    int size = entry.getContent().size();
    if (size <= maxEntryBytes) {
      entries.add(entry);
      idsPerEntry.add(
          operation.selector() instanceof PointSelector.Ids ids
              ? new LinkedHashSet<>(ids.ids()).size()
              : 0);
      return;
    }
    if (!(operation.selector() instanceof PointSelector.Ids selected)) {
      throw tooLarge(
          "the operation",
          size,
          maxEntryBytes,
          "it selects points by filter, so it cannot be split: make it smaller");
    }
    List<PointId> ids = List.copyOf(new LinkedHashSet<>(selected.ids()));
    if (ids.size() <= 1) {
      throw tooLarge(
          "the change to point " + (ids.isEmpty() ? "?" : ids.getFirst()),
          size,
          maxEntryBytes,
          "a larger request is split between points, never inside one: make its payload or vectors smaller");
    }
    int half = ids.size() / 2;
    add(operation.restrictedTo(ids.subList(0, half)), maxEntryBytes, entries, idsPerEntry);
    add(operation.restrictedTo(ids.subList(half, ids.size())), maxEntryBytes, entries, idsPerEntry);
  }

  private static BadRequestException tooLarge(
      String what, long bytes, long maxEntryBytes, String advice) {
    return new BadRequestException(
        String.format(
            Locale.ROOT,
            "%s is too large to be written: it takes %.2f MB (%d bytes) in the replication log, and one log entry holds"
                + " at most %.2f MB (%d bytes); %s",
            what,
            bytes / 1048576.0,
            bytes,
            maxEntryBytes / 1048576.0,
            maxEntryBytes,
            advice));
  }
}
