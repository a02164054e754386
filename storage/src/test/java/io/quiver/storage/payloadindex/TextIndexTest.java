package io.quiver.storage.payloadindex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the full-text index answers text, text_any and phrase with Qdrant's token semantics for
 * each tokenizer, lowercase and token length setting, through changes and deletes. Oracle: a direct
 * per-document evaluation of those semantics (split into words, filter, compare) written
 * independently of the index's postings.
 */
@Timeout(60)
class TextIndexTest {

  @TempDir Path dir;

  private static final String[] VOCAB = {
    "Red", "red", "green", "tea", "greenery", "a", "dark-red", "Ünïcode", "tea."
  };
  private static final JsonPath FIELD = JsonPath.of("t");

  @Test
  void tokenSemanticsForEverySetting() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    for (Tokenizer tokenizer : Tokenizer.values()) {
      for (boolean lowercase : new boolean[] {true, false}) {
        // phrase_matching on: the index answers phrase itself (without it, phrase is the
        // stored-value test).
        FieldIndexSchema schema =
            FieldIndexSchema.text(
                tokenizer,
                lowercase,
                random.nextInt(3),
                random.nextBoolean() ? 0 : 3 + random.nextInt(4),
                null,
                true,
                null,
                null);
        try {
          run(schema, random);
        } catch (AssertionError e) {
          throw new AssertionError(
              schema + " failed; replay with -Dtests.seed=" + seed + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private void run(FieldIndexSchema schema, Random random) throws java.io.IOException {
    Map<PointId, Payload> model = new HashMap<>();
    try (IndexedSegments points =
        new IndexedSegments(java.nio.file.Files.createTempDirectory(dir, "segments"))) {
      points.create(FIELD, schema);
      for (int round = 0; round < 200; round++) {
        PointId id = PointId.of(random.nextInt(40));
        if (random.nextInt(5) == 0) {
          model.remove(id);
          points.delete(id);
        } else {
          ObjectNode root = JsonNodeFactory.instance.objectNode();
          root.put("t", sentence(random));
          Payload p = Payload.of(root);
          model.put(id, p);
          points.put(id, p);
        }
        String query = sentence(random);
        int kind = random.nextInt(3);
        FieldPredicate predicate =
            switch (kind) {
              case 0 -> new FieldPredicate.MatchText(query);
              case 1 -> new FieldPredicate.MatchTextAny(query);
              default -> new FieldPredicate.MatchPhrase(query);
            };
        Set<PointId> expected = new TreeSet<>();
        model.forEach(
            (pid, payload) -> {
              if (oracle(schema, kind, payload.tree().get("t").textValue(), query)) {
                expected.add(pid);
              }
            });
        assertEquals(
            expected,
            points.candidates(Filter.allOf(new Condition.Field(FIELD, predicate))).ids(),
            predicate + " over " + model);
      }
    }
  }

  private static String sentence(Random random) {
    StringBuilder sb = new StringBuilder();
    for (int i = random.nextInt(4); i >= 0; i--) {
      sb.append(VOCAB[random.nextInt(VOCAB.length)]).append(random.nextBoolean() ? " " : ", ");
    }
    return sb.toString();
  }

  /** Qdrant's indexed semantics, evaluated on one document. */
  private static boolean oracle(FieldIndexSchema s, int kind, String doc, String query) {
    List<String> d = words(s, doc);
    List<String> q = words(s, query);
    if (q.isEmpty()) {
      return false;
    }
    return switch (kind) {
      case 0 -> q.stream().allMatch(w -> d.stream().anyMatch(x -> same(s, x, w)));
      case 1 -> q.stream().anyMatch(w -> d.stream().anyMatch(x -> same(s, x, w)));
      default -> {
        for (int start = 0; start + q.size() <= d.size(); start++) {
          boolean all = true;
          for (int i = 0; i < q.size() && all; i++) {
            all = same(s, d.get(start + i), q.get(i));
          }
          if (all) {
            yield true;
          }
        }
        yield false;
      }
    };
  }

  private static boolean same(FieldIndexSchema s, String docWord, String queryWord) {
    return s.tokenizer() == Tokenizer.PREFIX
        ? docWord.startsWith(queryWord)
        : docWord.equals(queryWord);
  }

  private static List<String> words(FieldIndexSchema s, String text) {
    String[] raw =
        s.tokenizer() == Tokenizer.WHITESPACE
            ? text.split("\\s+")
            : text.split("[^\\p{L}\\p{Nd}]+");
    List<String> out = new ArrayList<>();
    for (String w : raw) {
      if (w.isEmpty()) {
        continue;
      }
      String word = s.lowercase() ? w.toLowerCase(Locale.ROOT) : w;
      int max = s.maxTokenLength();
      if (max > 0 && word.length() > max) {
        if (s.tokenizer() != Tokenizer.PREFIX) {
          continue;
        }
        word = word.substring(0, max);
      }
      if (word.length() < s.minTokenLength()) {
        continue;
      }
      out.add(word);
    }
    return out;
  }
}
