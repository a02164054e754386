package io.quiver.storage.payloadindex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a keyword index with {@code prefix: true} answers {@code match: {prefix}} exactly through
 * random upserts and deletes, including prefixes that are whole values, empty, or cut inside
 * non-ASCII and surrogate-pair characters' neighbours; without the option it leaves the predicate
 * to the stored values. Oracle: {@code String.startsWith} over a {@code HashMap} model.
 */
@Timeout(60)
class KeywordPrefixIndexTest {

  @TempDir Path dir;

  private static final JsonPath FIELD = JsonPath.of("k");
  private static final String[] VALUES = {
    "a", "ab", "abc", "abd", "b", "B", "ä", "äb", "a\uD83D\uDE00", "a\uFFFF", "a\uFFFFb", ""
  };
  private static final String[] PREFIXES = {
    "", "a", "ab", "abc", "abcd", "ä", "b", "a\uD83D", "a\uFFFF", "z"
  };

  @Test
  void prefixMatchesTheModel() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    try (IndexedSegments points = new IndexedSegments(dir)) {
      points.create(FIELD, FieldIndexSchema.keyword(true));
      Map<PointId, String> model = new HashMap<>();
      for (int round = 0; round < 400; round++) {
        PointId id = PointId.of(random.nextInt(25));
        if (random.nextInt(5) == 0) {
          model.remove(id);
          points.delete(id);
        } else {
          String v = VALUES[random.nextInt(VALUES.length)];
          model.put(id, v);
          ObjectNode root = JsonNodeFactory.instance.objectNode();
          root.put("k", v);
          points.put(id, Payload.of(root));
        }
        String prefix = PREFIXES[random.nextInt(PREFIXES.length)];
        Set<PointId> expected = new TreeSet<>();
        model.forEach(
            (pid, v) -> {
              if (v.startsWith(prefix)) {
                expected.add(pid);
              }
            });
        IndexedSegments.Found c =
            points.candidates(
                Filter.allOf(new Condition.Field(FIELD, new FieldPredicate.MatchPrefix(prefix))));
        assertTrue(c.exact(), "seed " + seed);
        assertEquals(
            expected,
            c.ids(),
            "prefix '" + prefix + "' over " + model + "; replay with -Dtests.seed=" + seed);
      }
    }
  }

  @Test
  void withoutTheOptionTheStoredValuesDecide() {
    try (IndexedSegments points = new IndexedSegments(dir)) {
      points.create(FIELD, FieldIndexSchema.keyword(null));
      assertFalse(
          points
              .candidates(
                  Filter.allOf(new Condition.Field(FIELD, new FieldPredicate.MatchPrefix("a"))))
              .exact());
    }
  }
}
