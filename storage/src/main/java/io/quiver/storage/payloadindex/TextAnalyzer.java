package io.quiver.storage.payloadindex;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.tartarus.snowball.SnowballStemmer;

/**
 * Turns a string into the tokens a full-text index stores and a query looks up, with one field's
 * settings. Documents and queries go through the same steps, in this order:
 *
 * <ol>
 *   <li>the tokenizer cuts words ({@link Tokenizer});
 *   <li>{@code lowercase} (default true) lowercases each word;
 *   <li>{@code ascii_folding} folds accented letters to ASCII (Lucene's {@link ASCIIFoldingFilter}:
 *       "ação" -&gt; "acao");
 *   <li>{@code stopwords} drops listed words (compared ignoring case; Lucene's language lists plus
 *       the custom words);
 *   <li>{@code min_token_len} / {@code max_token_len}: word tokenizers drop words outside the
 *       range; the prefix tokenizer cuts longer words to the maximum and drops shorter ones;
 *   <li>{@code stemmer} reduces each word with Lucene's Snowball stemmer of the language ("running"
 *       -&gt; "run").
 * </ol>
 *
 * Thread-safe: the settings are immutable and each call makes its own stemmer.
 */
final class TextAnalyzer {

  private final FieldIndexSchema schema;

  /** Words to drop, compared ignoring case; null without {@code stopwords}. */
  private final CharArraySet stopwords;

  TextAnalyzer(FieldIndexSchema schema) {
    this.schema = schema;
    this.stopwords = schema.stopwords() == null ? null : stopSet(schema.stopwords());
  }

  private static CharArraySet stopSet(Stopwords spec) {
    CharArraySet set = new CharArraySet(64, true);
    for (String language : spec.allLanguages()) {
      set.addAll(StopwordSets.of(language));
    }
    if (spec.custom() != null) {
      set.addAll(spec.custom());
    }
    return CharArraySet.unmodifiableSet(set);
  }

  /** The tokens of {@code text}, in order, duplicates kept. */
  List<String> words(String text) {
    SnowballStemmer stemmer = schema.stemmer() == null ? null : schema.stemmer().newStemmer();
    List<String> out = new ArrayList<>();
    for (String w : schema.tokenizer().words(text)) {
      String word = schema.lowercase() ? w.toLowerCase(Locale.ROOT) : w;
      if (schema.foldsAscii()) {
        word = foldToAscii(word);
      }
      if (stopwords != null && stopwords.contains(word)) {
        continue;
      }
      word = withinLength(word);
      if (word == null) {
        continue;
      }
      if (stemmer != null) {
        stemmer.setCurrent(word);
        stemmer.stem();
        word = stemmer.getCurrent();
      }
      out.add(word);
    }
    return out;
  }

  /** The word after the length limits, or null when it is dropped. */
  private String withinLength(String word) {
    int length = word.codePointCount(0, word.length());
    int max = schema.maxTokenLength();
    if (max > 0 && length > max) {
      if (schema.tokenizer() != Tokenizer.PREFIX) {
        return null;
      }
      word = word.substring(0, word.offsetByCodePoints(0, max));
      length = max;
    }
    return length < schema.minTokenLength() ? null : word;
  }

  /** Lucene's ASCII folding of one word (one char may fold to up to 4). */
  static String foldToAscii(String word) {
    char[] in = word.toCharArray();
    char[] out = new char[in.length * 4];
    int length = ASCIIFoldingFilter.foldToASCII(in, 0, out, 0, in.length);
    return new String(out, 0, length);
  }
}
