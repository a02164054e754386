package io.quiver.storage.payloadindex;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * How a full-text index cuts a string into tokens (Qdrant's {@code TokenizerType}); only append,
 * the ordinal is stored.
 *
 * <ul>
 *   <li>{@code WORD}: runs of letters and digits (Unicode), everything else separates;
 *   <li>{@code WHITESPACE}: runs of non-whitespace;
 *   <li>{@code PREFIX}: words as {@code WORD}, and the index stores every prefix of each word from
 *       {@code min_token_len} (default 1) up to the word; queries are cut into whole words;
 *   <li>{@code MULTILINGUAL}: Lucene's {@link StandardTokenizer}, Unicode's word-break rules (UAX
 *       #29): Latin, Cyrillic, Greek, Arabic... words as {@code WORD}, and each Chinese or Japanese
 *       ideograph and each kana run its own token (Qdrant segments those with dictionaries instead:
 *       a multi-character word there is a sequence of one-character tokens here, so a {@code text}
 *       query for it still finds it; Thai is not split).
 * </ul>
 */
public enum Tokenizer {
  PREFIX("prefix"),
  WHITESPACE("whitespace"),
  WORD("word"),
  MULTILINGUAL("multilingual");

  private final String qdrantName;

  Tokenizer(String qdrantName) {
    this.qdrantName = qdrantName;
  }

  public String qdrantName() {
    return qdrantName;
  }

  public static Tokenizer fromQdrantName(String name) {
    for (Tokenizer t : values()) {
      if (t.qdrantName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The words of {@code text}, in order (no length filter, no case change). */
  List<String> words(String text) {
    if (this == MULTILINGUAL) {
      return standardWords(text);
    }
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      boolean inToken =
          this == WHITESPACE ? !Character.isWhitespace(cp) : Character.isLetterOrDigit(cp);
      if (inToken && start < 0) {
        start = i;
      } else if (!inToken && start >= 0) {
        out.add(text.substring(start, i));
        start = -1;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      out.add(text.substring(start));
    }
    return out;
  }

  private static List<String> standardWords(String text) {
    List<String> out = new ArrayList<>();
    try (StandardTokenizer tokenizer = new StandardTokenizer()) {
      tokenizer.setReader(new StringReader(text));
      CharTermAttribute term = tokenizer.addAttribute(CharTermAttribute.class);
      tokenizer.reset();
      while (tokenizer.incrementToken()) {
        out.add(term.toString());
      }
      tokenizer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail", e);
    }
    return out;
  }
}
