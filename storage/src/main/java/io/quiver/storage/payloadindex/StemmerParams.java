package io.quiver.storage.payloadindex;

import io.quiver.storage.BadRequestException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.tartarus.snowball.SnowballStemmer;

/**
 * A full-text index's {@code stemmer} (Qdrant's {@code StemmingAlgorithm}): {@code {type: snowball,
 * language}} or {@code {type: none}}. The stemmers are Lucene's Snowball ports; every language of
 * Qdrant's {@code SnowballLanguage} has one.
 *
 * @param language the Snowball language, or null for {@code {type: none}}
 */
public record StemmerParams(String language) {

  private static final Map<String, Supplier<SnowballStemmer>> STEMMERS =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry("arabic", org.tartarus.snowball.ext.ArabicStemmer::new),
              Map.entry("armenian", org.tartarus.snowball.ext.ArmenianStemmer::new),
              Map.entry("danish", org.tartarus.snowball.ext.DanishStemmer::new),
              Map.entry("dutch", org.tartarus.snowball.ext.DutchStemmer::new),
              Map.entry("english", org.tartarus.snowball.ext.EnglishStemmer::new),
              Map.entry("finnish", org.tartarus.snowball.ext.FinnishStemmer::new),
              Map.entry("french", org.tartarus.snowball.ext.FrenchStemmer::new),
              Map.entry("german", org.tartarus.snowball.ext.GermanStemmer::new),
              Map.entry("greek", org.tartarus.snowball.ext.GreekStemmer::new),
              Map.entry("hungarian", org.tartarus.snowball.ext.HungarianStemmer::new),
              Map.entry("italian", org.tartarus.snowball.ext.ItalianStemmer::new),
              Map.entry("norwegian", org.tartarus.snowball.ext.NorwegianStemmer::new),
              Map.entry("portuguese", org.tartarus.snowball.ext.PortugueseStemmer::new),
              Map.entry("romanian", org.tartarus.snowball.ext.RomanianStemmer::new),
              Map.entry("russian", org.tartarus.snowball.ext.RussianStemmer::new),
              Map.entry("spanish", org.tartarus.snowball.ext.SpanishStemmer::new),
              Map.entry("swedish", org.tartarus.snowball.ext.SwedishStemmer::new),
              Map.entry("tamil", org.tartarus.snowball.ext.TamilStemmer::new),
              Map.entry("turkish", org.tartarus.snowball.ext.TurkishStemmer::new)));

  public StemmerParams {
    if (language != null && !STEMMERS.containsKey(language)) {
      throw new BadRequestException(
          "field_schema.stemmer.language: unknown variant `"
              + language
              + "`, expected one of "
              + String.join(", ", STEMMERS.keySet()));
    }
  }

  public static final StemmerParams NONE = new StemmerParams(null);

  public static StemmerParams snowball(String language) {
    return new StemmerParams(java.util.Objects.requireNonNull(language, "language"));
  }

  /** A new stemmer (Snowball stemmers keep state: one per thread and call), or null for none. */
  SnowballStemmer newStemmer() {
    return language == null ? null : STEMMERS.get(language).get();
  }
}
