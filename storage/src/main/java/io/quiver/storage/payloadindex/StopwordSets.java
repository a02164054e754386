package io.quiver.storage.payloadindex;

import io.quiver.storage.BadRequestException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.lucene.analysis.CharArraySet;

/**
 * Qdrant's stop-word languages mapped to Lucene's default stop sets (analysis-common). Qdrant ships
 * its own lists; these are Lucene's, so a few words differ (Lucene's English set is the classic 33
 * words). Qdrant's languages with no Lucene list (azerbaijani, chinese, hebrew, hinglish, japanese,
 * kazakh, slovene, tajik) are refused by name rather than silently treated as empty.
 */
final class StopwordSets {

  private static final Map<String, Supplier<CharArraySet>> SETS =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry("arabic", org.apache.lucene.analysis.ar.ArabicAnalyzer::getDefaultStopSet),
              Map.entry("basque", org.apache.lucene.analysis.eu.BasqueAnalyzer::getDefaultStopSet),
              Map.entry(
                  "bengali", org.apache.lucene.analysis.bn.BengaliAnalyzer::getDefaultStopSet),
              Map.entry(
                  "catalan", org.apache.lucene.analysis.ca.CatalanAnalyzer::getDefaultStopSet),
              Map.entry("danish", org.apache.lucene.analysis.da.DanishAnalyzer::getDefaultStopSet),
              Map.entry("dutch", org.apache.lucene.analysis.nl.DutchAnalyzer::getDefaultStopSet),
              Map.entry(
                  "english", org.apache.lucene.analysis.en.EnglishAnalyzer::getDefaultStopSet),
              Map.entry(
                  "finnish", org.apache.lucene.analysis.fi.FinnishAnalyzer::getDefaultStopSet),
              Map.entry("french", org.apache.lucene.analysis.fr.FrenchAnalyzer::getDefaultStopSet),
              Map.entry("german", org.apache.lucene.analysis.de.GermanAnalyzer::getDefaultStopSet),
              Map.entry("greek", org.apache.lucene.analysis.el.GreekAnalyzer::getDefaultStopSet),
              Map.entry(
                  "hungarian", org.apache.lucene.analysis.hu.HungarianAnalyzer::getDefaultStopSet),
              Map.entry(
                  "indonesian",
                  org.apache.lucene.analysis.id.IndonesianAnalyzer::getDefaultStopSet),
              Map.entry(
                  "italian", org.apache.lucene.analysis.it.ItalianAnalyzer::getDefaultStopSet),
              Map.entry("nepali", org.apache.lucene.analysis.ne.NepaliAnalyzer::getDefaultStopSet),
              Map.entry(
                  "norwegian", org.apache.lucene.analysis.no.NorwegianAnalyzer::getDefaultStopSet),
              Map.entry(
                  "portuguese",
                  org.apache.lucene.analysis.pt.PortugueseAnalyzer::getDefaultStopSet),
              Map.entry(
                  "romanian", org.apache.lucene.analysis.ro.RomanianAnalyzer::getDefaultStopSet),
              Map.entry(
                  "russian", org.apache.lucene.analysis.ru.RussianAnalyzer::getDefaultStopSet),
              Map.entry(
                  "spanish", org.apache.lucene.analysis.es.SpanishAnalyzer::getDefaultStopSet),
              Map.entry(
                  "swedish", org.apache.lucene.analysis.sv.SwedishAnalyzer::getDefaultStopSet),
              Map.entry(
                  "turkish", org.apache.lucene.analysis.tr.TurkishAnalyzer::getDefaultStopSet)));

  private StopwordSets() {}

  /** Refuses a language without a list, naming the field it came from. */
  static void require(String language, String field) {
    if (!SETS.containsKey(language)) {
      throw new BadRequestException(
          "field_schema."
              + field
              + ": no stop-word list for `"
              + language
              + "` (Quiver has lists for "
              + String.join(", ", SETS.keySet())
              + ")");
    }
  }

  /** Lucene's stop set of a language accepted by {@link #require} (shared and read-only). */
  static CharArraySet of(String language) {
    return SETS.get(language).get();
  }
}
