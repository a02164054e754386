package io.quiver.storage.payloadindex;

import java.util.ArrayList;
import java.util.List;

/**
 * How a full-text index cuts a string into tokens (Qdrant's {@code TokenizerType}); only append,
 * the ordinal is stored.
 *
 * <ul>
 *   <li>{@code WORD}: runs of letters and digits (Unicode), everything else separates;
 *   <li>{@code WHITESPACE}: runs of non-whitespace;
 *   <li>{@code PREFIX}: words as {@code WORD}, and the index stores every prefix of each word
 *       from {@code min_token_len} (default 1) up to the word; queries are cut into whole words;
 *   <li>{@code MULTILINGUAL}: accepted and treated as {@code WORD} (no language segmentation).
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
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      boolean inToken = this == WHITESPACE ? !Character.isWhitespace(cp) : Character.isLetterOrDigit(cp);
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
}
