package io.quiver.storage.payloadindex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the full-text options (ASCII folding, stop words, Snowball stemming, phrase matching, the
 * multilingual tokenizer) analyze documents and queries as Qdrant defines them, and the index
 * answers {@code text}, {@code text_any} and {@code phrase} with them through random upserts and
 * deletes. Oracle: for chosen sentences the expected tokens written out here; for the random model,
 * a table giving each vocabulary word's token under each configuration (written by hand from the
 * Snowball English rules, the ASCII folding table and Lucene's English stop list, not computed by
 * the analyzer) and a per-document evaluation of the match semantics.
 */
@Timeout(60)
class TextAnalysisModelTest {

  @TempDir Path dir;

  private static final JsonPath FIELD = JsonPath.of("t");

  /**
   * word tokenizer, lowercase, ascii_folding, stopwords "english", snowball english,
   * phrase_matching.
   */
  private static final FieldIndexSchema ENGLISH =
      FieldIndexSchema.text(
          Tokenizer.WORD,
          true,
          0,
          0,
          true,
          true,
          Stopwords.ofLanguage("english"),
          StemmerParams.snowball("english"));

  /**
   * whitespace tokenizer, lowercase, custom stop words {tea, of}, no folding, no stemmer,
   * phrase_matching.
   */
  private static final FieldIndexSchema CUSTOM =
      FieldIndexSchema.text(
          Tokenizer.WHITESPACE,
          true,
          0,
          0,
          null,
          true,
          Stopwords.ofSet(null, List.of("tea", "of")),
          StemmerParams.NONE);

  /** Vocabulary word -&gt; its token under ENGLISH (null: a stop word). */
  private static final Map<String, String> ENGLISH_TOKENS =
      table(
          "Running",
          "run",
          "runs",
          "run",
          "ran",
          "ran",
          "runner",
          "runner",
          "Café",
          "cafe",
          "cafes",
          "cafe",
          "The",
          null,
          "the",
          null,
          "and",
          null,
          "of",
          null,
          "connection",
          "connect",
          "connected",
          "connect",
          "Über",
          "uber",
          "naïve",
          "naiv",
          "dark",
          "dark",
          "tea",
          "tea",
          "teas",
          "tea");

  /** Vocabulary word -&gt; its token under CUSTOM. */
  private static final Map<String, String> CUSTOM_TOKENS =
      table(
          "Running",
          "running",
          "runs",
          "runs",
          "ran",
          "ran",
          "runner",
          "runner",
          "Café",
          "café",
          "cafes",
          "cafes",
          "The",
          "the",
          "the",
          "the",
          "and",
          "and",
          "of",
          null,
          "connection",
          "connection",
          "connected",
          "connected",
          "Über",
          "über",
          "naïve",
          "naïve",
          "dark",
          "dark",
          "tea",
          null,
          "teas",
          "teas");

  @Test
  void chosenSentencesGiveTheWrittenTokens() {
    assertEquals(
        List.of("runner", "were", "run", "cafe", "s", "connect"),
        new TextAnalyzer(ENGLISH).words("The Runners were running, and the café's connections!"));
    assertEquals(
        List.of("ação", "naïve"),
        new TextAnalyzer(FieldIndexSchema.text(Tokenizer.WORD, true, 0, 0)).words("Ação NAÏVE"));
    assertEquals(
        List.of("acao", "naive"),
        new TextAnalyzer(FieldIndexSchema.text(Tokenizer.WORD, true, 0, 0, true, null, null, null))
            .words("Ação NAÏVE"));
    // Stop words are compared ignoring case, also when tokens keep their case.
    assertEquals(
        List.of("Quick", "Fox"),
        new TextAnalyzer(
                FieldIndexSchema.text(
                    Tokenizer.WORD, false, 0, 0, null, null, Stopwords.ofLanguage("english"), null))
            .words("The Quick and THE Fox"));
    // Languages combine with custom words; French and German lists.
    assertEquals(
        List.of("chat", "katze"),
        new TextAnalyzer(
                FieldIndexSchema.text(
                    Tokenizer.WORD,
                    true,
                    0,
                    0,
                    null,
                    null,
                    Stopwords.ofSet(List.of("french", "german"), List.of("hund")),
                    null))
            .words("le chat und die Katze Hund"));
    // Length limits apply before stemming: "connections" (11) is dropped at max 10, "runs" kept.
    assertEquals(
        List.of("run"),
        new TextAnalyzer(
                FieldIndexSchema.text(
                    Tokenizer.WORD,
                    true,
                    0,
                    10,
                    null,
                    null,
                    null,
                    StemmerParams.snowball("english")))
            .words("connections runs"));
    // Multilingual: Unicode word breaks; each ideograph is a token.
    assertEquals(
        List.of("quiver", "搜", "索", "引", "擎", "works", "naïve"),
        new TextAnalyzer(FieldIndexSchema.text(Tokenizer.MULTILINGUAL, true, 0, 0))
            .words("Quiver 搜索引擎 works, naïve."));
  }

  @Test
  void schemaWithoutTheOptionsKeepsFormatVersionOne() throws Exception {
    for (FieldIndexSchema schema :
        List.of(
            FieldIndexSchema.text(Tokenizer.PREFIX, false, 2, 9),
            ENGLISH,
            CUSTOM,
            FieldIndexSchema.keyword(true),
            FieldIndexSchema.withParams(PayloadSchemaType.KEYWORD))) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      schema.write(new java.io.DataOutputStream(bytes));
      byte[] written = bytes.toByteArray();
      boolean options = schema.stopwords() != null || schema.prefix() != null;
      assertEquals(options ? 2 : 1, written[0], "format version of " + schema);
      assertEquals(
          schema,
          FieldIndexSchema.read(
              new java.io.DataInputStream(new java.io.ByteArrayInputStream(written))));
    }
  }

  @Test
  void unsupportedLanguagesAreRefusedByName() {
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> Stopwords.ofLanguage("hinglish"));
    assertTrue(
        e.getMessage().contains("stopwords") && e.getMessage().contains("hinglish"),
        e.getMessage());
    e =
        assertThrows(
            BadRequestException.class, () -> Stopwords.ofSet(List.of("english", "klingon"), null));
    assertTrue(e.getMessage().contains("stopwords.languages"), e.getMessage());
    e = assertThrows(BadRequestException.class, () -> StemmerParams.snowball("latin"));
    assertTrue(e.getMessage().contains("stemmer.language"), e.getMessage());
  }

  @Test
  void phraseNeedsPhraseMatching() {
    try (IndexedSegments points = new IndexedSegments(dir)) {
      points.create(FIELD, FieldIndexSchema.text(Tokenizer.WORD, true, 0, 0));
      points.put(PointId.of(1), payload("dark tea"));
      IndexedSegments.Found phrase =
          points.candidates(
              Filter.allOf(new Condition.Field(FIELD, new FieldPredicate.MatchPhrase("dark tea"))));
      assertFalse(phrase.exact(), "without phrase_matching the stored value decides a phrase");
      IndexedSegments.Found text =
          points.candidates(
              Filter.allOf(new Condition.Field(FIELD, new FieldPredicate.MatchText("tea dark"))));
      assertTrue(text.exact());
      assertEquals(Set.of(PointId.of(1)), text.ids());
    }
  }

  @Test
  void randomDocumentsMatchTheModel() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    for (var config :
        List.of(Map.entry(ENGLISH, ENGLISH_TOKENS), Map.entry(CUSTOM, CUSTOM_TOKENS))) {
      try {
        run(config.getKey(), config.getValue(), random);
      } catch (AssertionError e) {
        throw new AssertionError(
            config.getKey() + " failed; replay with -Dtests.seed=" + seed + ": " + e.getMessage(),
            e);
      }
    }
  }

  private void run(FieldIndexSchema schema, Map<String, String> tokens, Random random)
      throws java.io.IOException {
    List<String> vocabulary = new ArrayList<>(tokens.keySet());
    Map<PointId, List<String>> model = new HashMap<>();
    try (IndexedSegments points =
        new IndexedSegments(java.nio.file.Files.createTempDirectory(dir, "segments"))) {
      points.create(FIELD, schema);
      for (int round = 0; round < 300; round++) {
        PointId id = PointId.of(random.nextInt(30));
        if (random.nextInt(6) == 0) {
          model.remove(id);
          points.delete(id);
        } else {
          List<String> words = sentence(vocabulary, random);
          model.put(id, words);
          points.put(id, payload(String.join(" ", words)));
        }
        List<String> query = sentence(vocabulary, random);
        int kind = random.nextInt(3);
        String q = String.join(" ", query);
        FieldPredicate predicate =
            switch (kind) {
              case 0 -> new FieldPredicate.MatchText(q);
              case 1 -> new FieldPredicate.MatchTextAny(q);
              default -> new FieldPredicate.MatchPhrase(q);
            };
        Set<PointId> expected = new TreeSet<>();
        model.forEach(
            (pid, words) -> {
              if (oracle(kind, tokensOf(words, tokens), tokensOf(query, tokens))) {
                expected.add(pid);
              }
            });
        IndexedSegments.Found c =
            points.candidates(Filter.allOf(new Condition.Field(FIELD, predicate)));
        assertTrue(c.exact(), predicate + " is answered by the index");
        assertEquals(expected, c.ids(), predicate + " over " + model);

        // Beside a condition no index answers, the candidates are verified point by point: with
        // the index's analysis, so the points are the same.
        Filter mixed =
            Filter.allOf(
                new Condition.Field(FIELD, predicate),
                new Condition.IsEmpty(JsonPath.of("absent")));
        IndexedSegments.Found superset = points.candidates(mixed);
        assertFalse(superset.exact());
        Filter verified = points.read(() -> points.indexes().forVerification(mixed));
        Set<PointId> checked = new TreeSet<>();
        for (PointId pid : superset.ids()) {
          if (verified.matches(pid, payload(String.join(" ", model.get(pid))), name -> false)) {
            checked.add(pid);
          }
        }
        assertEquals(expected, checked, "verified " + predicate + " over " + model);
      }
    }
  }

  private static List<String> sentence(List<String> vocabulary, Random random) {
    List<String> out = new ArrayList<>();
    for (int i = random.nextInt(4); i >= 0; i--) {
      out.add(vocabulary.get(random.nextInt(vocabulary.size())));
    }
    return out;
  }

  private static List<String> tokensOf(List<String> words, Map<String, String> table) {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      if (table.get(w) != null) {
        out.add(table.get(w));
      }
    }
    return out;
  }

  /**
   * Qdrant's indexed semantics: text = every query token in the document, text_any = some, phrase =
   * consecutive.
   */
  private static boolean oracle(int kind, List<String> doc, List<String> query) {
    if (query.isEmpty()) {
      return false;
    }
    return switch (kind) {
      case 0 -> doc.containsAll(query);
      case 1 -> query.stream().anyMatch(doc::contains);
      default -> java.util.Collections.indexOfSubList(doc, query) >= 0;
    };
  }

  private static Payload payload(String text) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("t", text);
    return Payload.of(root);
  }

  private static Map<String, String> table(String... pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put(pairs[i], pairs[i + 1]);
    }
    return out;
  }
}
