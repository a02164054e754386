package io.quiver.storage.payloadindex;

import io.quiver.storage.BadRequestException;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A full-text index's {@code stopwords} (Qdrant's {@code StopwordsInterface}), kept in the form it
 * was given so collection info reports it back unchanged: either one language name ({@code
 * "english"}) or a set {@code {languages: [...], custom: [...]}} (each part optional). The language
 * lists are Lucene's ({@link StopwordSets}); languages Lucene has no list for are refused.
 *
 * @param language the single-language form, or null for the set form
 * @param languages the set form's languages, or null when absent
 * @param custom the set form's own words, or null when absent
 */
public record Stopwords(String language, List<String> languages, List<String> custom) {

  public Stopwords {
    if (language != null) {
      if (languages != null || custom != null) {
        throw new IllegalArgumentException("stopwords: a language name or a set, not both");
      }
      StopwordSets.require(language, "stopwords");
    }
    if (languages != null) {
      languages = List.copyOf(languages);
      for (String l : languages) {
        StopwordSets.require(l, "stopwords.languages");
      }
    }
    if (custom != null) {
      custom = List.copyOf(custom);
    }
  }

  public static Stopwords ofLanguage(String language) {
    return new Stopwords(language, null, null);
  }

  public static Stopwords ofSet(List<String> languages, List<String> custom) {
    return new Stopwords(null, languages, custom);
  }

  /** Every language whose list applies (the single one or the set's). */
  List<String> allLanguages() {
    if (language != null) {
      return List.of(language);
    }
    return languages == null ? List.of() : languages;
  }

  void write(DataOutput out) throws IOException {
    if (language != null) {
      out.writeByte(1);
      out.writeUTF(language);
      return;
    }
    out.writeByte(2);
    writeList(out, languages);
    writeList(out, custom);
  }

  /** Reads what {@link #write} wrote after its leading kind byte {@code kind} (1 or 2). */
  static Stopwords read(int kind, DataInput in) throws IOException {
    try {
      return switch (kind) {
        case 1 -> ofLanguage(in.readUTF());
        case 2 -> ofSet(readList(in), readList(in));
        default -> throw new IOException("unknown stopwords form " + kind);
      };
    } catch (BadRequestException e) {
      throw new IOException("stored stopwords no longer valid: " + e.getMessage(), e);
    }
  }

  private static void writeList(DataOutput out, List<String> list) throws IOException {
    out.writeInt(list == null ? -1 : list.size());
    if (list != null) {
      for (String s : list) {
        out.writeUTF(s);
      }
    }
  }

  private static List<String> readList(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.readUTF());
    }
    return out;
  }
}
