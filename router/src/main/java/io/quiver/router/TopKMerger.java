package io.quiver.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** Merges per-shard lists that are each sorted best first into one page of the global order. */
final class TopKMerger {

  private TopKMerger() {}

  /**
   * Returns elements {@code [offset, offset + limit)} of the merge of {@code lists}, each already
   * sorted by {@code order}. A k-way merge: O((offset + limit) log shards).
   */
  static <T> List<T> merge(List<List<T>> lists, Comparator<T> order, int offset, int limit) {
    record Cursor<T>(List<T> list, int position) {}
    PriorityQueue<Cursor<T>> heads =
        new PriorityQueue<>(
            Math.max(1, lists.size()),
            (a, b) -> order.compare(a.list().get(a.position()), b.list().get(b.position())));
    for (List<T> list : lists) {
      if (!list.isEmpty()) {
        heads.add(new Cursor<>(list, 0));
      }
    }
    List<T> page = new ArrayList<>(Math.min(limit, 1024));
    int seen = 0;
    while (!heads.isEmpty() && page.size() < limit) {
      Cursor<T> head = heads.poll();
      if (seen++ >= offset) {
        page.add(head.list().get(head.position()));
      }
      if (head.position() + 1 < head.list().size()) {
        heads.add(new Cursor<>(head.list(), head.position() + 1));
      }
    }
    return page;
  }
}
