package io.quiver.storage.payloadindex;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.filter.FieldPredicate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.RoaringBitmap;

/**
 * A full-text index: token -&gt; points. With it, {@code match: {text}} means "every query token is
 * among the value's tokens", {@code text_any} "some query token is", and {@code phrase} "the query
 * tokens occur consecutively in one value" — Qdrant's indexed semantics, which differ from the
 * substring test used without an index (as they do in Qdrant). Query and documents are analyzed
 * alike ({@link TextAnalyzer}: tokenizer, lowercase, ASCII folding, stop words, token length
 * limits, stemming); {@code phrase} is answered only with {@code phrase_matching}, which keeps each
 * value's token sequence. With the prefix tokenizer the index holds every prefix of each word and
 * the query's words are looked up whole, so a query word matches any word it is a prefix of.
 */
final class TextIndex extends PostingIndex<String> {

  private final FieldIndexSchema schema;
  private final TextAnalyzer analyzer;

  /** Per point, the word sequence of each of its values; kept only with {@code phrase_matching}. */
  private final Map<Integer, List<List<String>>> wordsByOrd = new HashMap<>();

  TextIndex(FieldIndexSchema schema) {
    this.schema = schema;
    this.analyzer = new TextAnalyzer(schema);
  }

  @Override
  void add(int ord, List<JsonNode> values) {
    if (!schema.matchesPhrases()) {
      super.add(ord, values);
      return;
    }
    List<List<String>> sequences = new ArrayList<>(values.size());
    for (JsonNode v : values) {
      if (v.isTextual()) {
        sequences.add(words(v.textValue()));
      }
    }
    if (!sequences.isEmpty()) {
      wordsByOrd.put(ord, sequences);
    }
    super.add(ord, values);
  }

  @Override
  void remove(int ord) {
    wordsByOrd.remove(ord);
    super.remove(ord);
  }

  @Override
  boolean copyValues(FieldIndex source, int sourceOrd, int ord) {
    List<List<String>> words = ((TextIndex) source).wordsByOrd.get(sourceOrd);
    if (words != null) {
      wordsByOrd.put(ord, words); // never modified: shared
    }
    return super.copyValues(source, sourceOrd, ord);
  }

  @Override
  boolean keys(JsonNode v, List<String> out) {
    if (!v.isTextual()) {
      return true;
    }
    for (String word : words(v.textValue())) {
      if (schema.tokenizer() == Tokenizer.PREFIX) {
        int min = Math.max(1, schema.minTokenLength());
        int[] cps = word.codePoints().toArray();
        for (int len = min; len <= cps.length; len++) {
          out.add(new String(cps, 0, len));
        }
      } else {
        out.add(word);
      }
    }
    return true;
  }

  /** The tokens of a text (see {@link TextAnalyzer}). */
  List<String> words(String text) {
    return analyzer.words(text);
  }

  @Override
  IndexAnswer answer(FieldPredicate p) {
    return switch (p) {
      case FieldPredicate.MatchText t ->
          IndexAnswer.exact(allOf(new LinkedHashSet<>(words(t.text()))));
      case FieldPredicate.MatchTextAny t ->
          IndexAnswer.exact(anyOf(new LinkedHashSet<>(words(t.textAny()))));
      // Without phrase_matching the index keeps no positions: phrase is tested on the stored
      // value, as without an index (Qdrant likewise needs the option to answer phrases).
      case FieldPredicate.MatchPhrase ph ->
          schema.matchesPhrases() ? IndexAnswer.exact(phrase(words(ph.phrase()))) : null;
      default -> null;
    };
  }

  /**
   * The predicate as this index decides it, to test one stored value when the indexes answer a
   * filter only in part; null for predicates the index leaves to the stored value (a phrase without
   * {@code phrase_matching}, anything not full-text). Agrees with {@link #answer}.
   */
  FieldPredicate.IndexedText decidedAsIndexed(FieldPredicate p) {
    return switch (p) {
      case FieldPredicate.MatchText t -> {
        List<String> query = List.copyOf(new LinkedHashSet<>(words(t.text())));
        yield new FieldPredicate.IndexedText(
            p, value -> !query.isEmpty() && everyWordIn(query, words(value)));
      }
      case FieldPredicate.MatchTextAny t -> {
        List<String> query = List.copyOf(new LinkedHashSet<>(words(t.textAny())));
        yield new FieldPredicate.IndexedText(p, value -> someWordIn(query, words(value)));
      }
      case FieldPredicate.MatchPhrase ph when schema.matchesPhrases() -> {
        List<String> query = words(ph.phrase());
        yield new FieldPredicate.IndexedText(
            p, value -> !query.isEmpty() && containsSequence(words(value), query));
      }
      default -> null;
    };
  }

  private boolean everyWordIn(List<String> query, List<String> words) {
    for (String q : query) {
      if (!someWordIn(List.of(q), words)) {
        return false;
      }
    }
    return true;
  }

  private boolean someWordIn(List<String> query, List<String> words) {
    for (String q : query) {
      for (String w : words) {
        if (matchesWord(w, q)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Points holding every token; none for an empty query. */
  private RoaringBitmap allOf(java.util.Collection<String> tokens) {
    if (tokens.isEmpty()) {
      return new RoaringBitmap();
    }
    List<RoaringBitmap> parts = new ArrayList<>(tokens.size());
    for (String t : tokens) {
      RoaringBitmap posting = posting(t);
      if (posting == null) {
        return new RoaringBitmap();
      }
      parts.add(posting);
    }
    return FastAggregation.and(parts.iterator());
  }

  private RoaringBitmap phrase(List<String> query) {
    RoaringBitmap candidates = allOf(new LinkedHashSet<>(query));
    RoaringBitmap out = new RoaringBitmap();
    candidates.forEach(
        (int ord) -> {
          for (List<String> words : wordsByOrd.getOrDefault(ord, List.of())) {
            if (containsSequence(words, query)) {
              out.add(ord);
              return;
            }
          }
        });
    return out;
  }

  private boolean containsSequence(List<String> words, List<String> query) {
    outer:
    for (int start = 0; start + query.size() <= words.size(); start++) {
      for (int i = 0; i < query.size(); i++) {
        if (!matchesWord(words.get(start + i), query.get(i))) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private boolean matchesWord(String word, String queryWord) {
    return schema.tokenizer() == Tokenizer.PREFIX
        ? word.startsWith(queryWord)
        : word.equals(queryWord);
  }
}
