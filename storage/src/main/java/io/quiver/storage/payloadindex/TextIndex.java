package io.quiver.storage.payloadindex;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.filter.FieldPredicate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.RoaringBitmap;

/**
 * A full-text index: token -&gt; points. With it, {@code match: {text}} means "every query token
 * is among the value's tokens", {@code text_any} "some query token is", and {@code phrase} "the
 * query tokens occur consecutively in one value" — Qdrant's indexed semantics, which differ from
 * the substring test used without an index (as they do in Qdrant). Query and documents are
 * tokenized alike (tokenizer, lowercase, token length limits); with the prefix tokenizer the index
 * holds every prefix of each word and the query's words are looked up whole, so a query word
 * matches any word it is a prefix of.
 */
final class TextIndex extends PostingIndex<String> {

  private final FieldIndexSchema schema;
  /** Per point, the word sequence of each of its values (for phrases). */
  private final Map<Integer, List<List<String>>> wordsByOrd = new HashMap<>();

  TextIndex(FieldIndexSchema schema) {
    this.schema = schema;
  }

  @Override
  void add(int ord, List<JsonNode> values) {
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

  /**
   * The words of a text after lowercasing and the length limits. Word tokenizers drop words
   * outside [min, max]; the prefix tokenizer cuts words longer than max and drops those under min.
   */
  List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : schema.tokenizer().words(text)) {
      String word = schema.lowercase() ? w.toLowerCase(Locale.ROOT) : w;
      int length = word.codePointCount(0, word.length());
      int max = schema.maxTokenLength();
      if (schema.tokenizer() == Tokenizer.PREFIX) {
        if (max > 0 && length > max) {
          word = word.substring(0, word.offsetByCodePoints(0, max));
          length = max;
        }
      } else if (max > 0 && length > max) {
        continue;
      }
      if (length < schema.minTokenLength()) {
        continue;
      }
      out.add(word);
    }
    return out;
  }

  @Override
  IndexAnswer answer(FieldPredicate p) {
    return switch (p) {
      case FieldPredicate.MatchText t -> IndexAnswer.exact(allOf(new LinkedHashSet<>(words(t.text()))));
      case FieldPredicate.MatchTextAny t -> IndexAnswer.exact(anyOf(new LinkedHashSet<>(words(t.textAny()))));
      case FieldPredicate.MatchPhrase ph -> IndexAnswer.exact(phrase(words(ph.phrase())));
      default -> null;
    };
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
    candidates.forEach((int ord) -> {
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
    return schema.tokenizer() == Tokenizer.PREFIX ? word.startsWith(queryWord) : word.equals(queryWord);
  }
}
