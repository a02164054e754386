package io.quiver.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The k-way merge against its oracle: concatenate, sort, slice. */
@Timeout(30)
class TopKMergerTest {

  @Test
  void equalsSortAndSliceOnRandomLists() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 500; round++) {
      int shards = 1 + random.nextInt(5);
      List<List<Integer>> lists = new ArrayList<>();
      List<Integer> all = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        List<Integer> list = new ArrayList<>();
        int n = random.nextInt(20);
        for (int i = 0; i < n; i++) {
          list.add(random.nextInt(50));
        }
        list.sort(Comparator.reverseOrder());
        lists.add(list);
        all.addAll(list);
      }
      all.sort(Comparator.reverseOrder());
      int offset = random.nextInt(10);
      int limit = random.nextInt(15);
      List<Integer> expected =
          all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
      assertEquals(
          expected,
          TopKMerger.merge(lists, Comparator.reverseOrder(), offset, limit),
          "seed " + seed);
    }
  }
}
