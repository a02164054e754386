package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The full-text and keyword index options through REST on one node (a collection of two shards): a
 * text index with ASCII folding, English and custom stop words, the English Snowball stemmer and
 * phrase matching; a multilingual one; a keyword index with {@code prefix}. Checks that {@code
 * payload_schema} reports each option exactly as given, that {@code text}, {@code phrase} and
 * {@code prefix} filters give the same points through scroll, count and query (the expected sets
 * are written here from the documents), that the options survive a restart, and that the options
 * Quiver does not implement are refused by name. Every body is validated against Qdrant's OpenAPI
 * schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class TextIndexIT {

  private static final String C = "/collections/texts";
  private static final String[] TITLES = {
    "", "The runners were running fast", "A runner ran", "Café connections and naïve teas",
    "the cafe connected", "dark tea in the café", "tea dark", "搜索引擎 Quiver"
  };
  private static final String[] TAGS = {
    "", "alpha-1", "alpha-2", "beta", "Alpha", "alpha", "alphabet", "gamma"
  };

  private static final String TITLE_PARAMS =
      "{\"type\":\"text\",\"tokenizer\":\"word\",\"lowercase\":true,"
          + "\"ascii_folding\":true,\"phrase_matching\":true,\"stopwords\":{\"languages\":[\"english\"],\"custom\":[\"fast\"]},"
          + "\"stemmer\":{\"type\":\"snowball\",\"language\":\"english\"}}";
  private static final String ML_PARAMS =
      "{\"type\":\"text\",\"tokenizer\":\"multilingual\",\"stopwords\":\"english\"}";
  private static final String TAG_PARAMS = "{\"type\":\"keyword\",\"prefix\":true}";

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
  }

  @Test
  void textAndKeywordOptionsAreHonouredAndReported() throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2}",
        200);
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 1; i < TITLES.length; i++) {
      body.append(i == 1 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[1,")
          .append(i)
          .append("],\"payload\":{\"title\":")
          .append(QdrantHttp.JSON.writeValueAsString(TITLES[i]))
          .append(",\"ml\":")
          .append(QdrantHttp.JSON.writeValueAsString(TITLES[i]))
          .append(",\"tag\":\"")
          .append(TAGS[i])
          .append("\"}}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        C + "/points?wait=true",
        body.append("]}").toString(),
        200);

    // Unindexed: today's substring tests.
    assertMatches(Set.of(4L), text("title", "text", "cafe"));
    assertMatches(Set.of(1L, 2L, 5L, 6L), text("tag", "prefix", "alpha"));

    createIndex("title", TITLE_PARAMS);
    createIndex("ml", ML_PARAMS);
    createIndex("tag", TAG_PARAMS);
    assertSchemaReported();

    checkIndexedFilters();

    // Refused by name: what Quiver does not implement, languages without a list, misplaced options.
    api.assertError(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"x\",\"field_schema\":{\"type\":\"text\",\"stopwords\":\"hinglish\"}}",
        400,
        "stopwords");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"x\",\"field_schema\":{\"type\":\"text\",\"stemmer\":{\"type\":\"snowball\",\"language\":\"latin\"}}}",
        400,
        "stemmer");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"x\",\"field_schema\":{\"type\":\"keyword\",\"is_tenant\":true}}",
        400,
        "is_tenant");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"x\",\"field_schema\":{\"type\":\"keyword\",\"on_disk\":true}}",
        400,
        "on_disk");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"x\",\"field_schema\":{\"type\":\"integer\",\"prefix\":true}}",
        400,
        "prefix");

    // Restart: the options are in each shard's stored schema; the indexes are rebuilt with them.
    node.close();
    node.start(); // its data, ports and settings
    api = new SpecClient(node.baseUrl());
    assertSchemaReported();
    checkIndexedFilters();
  }

  private void checkIndexedFilters() throws Exception {
    // "running" stems to "run"; "runners" -> "runner", "ran" stays: only point 1.
    assertMatches(Set.of(1L), text("title", "text", "Running"));
    // Folding and stemming: café/cafe and connections/connected meet.
    assertMatches(Set.of(3L, 4L), text("title", "text", "CAFE connection"));
    assertMatches(Set.of(3L, 4L, 5L), text("title", "text", "cafés"));
    // Stop words ("the", custom "fast") are dropped from the query too.
    assertMatches(Set.of(1L), text("title", "text", "the running fast"));
    // text needs every token, in any order; phrase needs them consecutive.
    assertMatches(Set.of(5L, 6L), text("title", "text", "dark tea"));
    assertMatches(Set.of(5L), text("title", "phrase", "dark teas"));
    assertMatches(Set.of(6L), text("title", "phrase", "tea dark"));
    // Beside a condition no index answers, points are verified one by one with the index's
    // analysis.
    assertMatches(
        Set.of(3L, 4L, 5L),
        "{\"must\":[{\"key\":\"title\",\"match\":{\"text\":\"cafés\"}},{\"is_empty\":{\"key\":\"nothing\"}}]}");
    // Multilingual: each ideograph is a token.
    assertMatches(Set.of(7L), text("ml", "text", "引擎"));
    assertMatches(Set.of(7L), text("ml", "text", "quiver"));
    // Keyword prefix: case-sensitive, from the sorted keys.
    assertMatches(Set.of(1L, 2L, 5L, 6L), text("tag", "prefix", "alpha"));
    assertMatches(Set.of(1L, 2L), text("tag", "prefix", "alpha-"));
  }

  private void createIndex(String field, String params) throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"" + field + "\",\"field_schema\":" + params + "}",
        200);
  }

  private void assertSchemaReported() throws Exception {
    JsonNode schema =
        api.call("GET", "/collections/{collection_name}", C, null, 200)
            .result()
            .get("payload_schema");
    assertEquals(QdrantHttp.JSON.readTree(TITLE_PARAMS), schema.at("/title/params"));
    // lowercase is reported with its default, as for the other text options Quiver has always
    // reported.
    JsonNode ml = QdrantHttp.JSON.readTree(ML_PARAMS);
    ((com.fasterxml.jackson.databind.node.ObjectNode) ml).put("lowercase", true);
    assertEquals(ml, schema.at("/ml/params"));
    assertEquals(QdrantHttp.JSON.readTree(TAG_PARAMS), schema.at("/tag/params"));
    assertEquals(7, schema.at("/title/points").asInt());
    assertEquals(7, schema.at("/tag/points").asInt());
  }

  private static String text(String key, String kind, String value) throws Exception {
    return "{\"must\":[{\"key\":\""
        + key
        + "\",\"match\":{\""
        + kind
        + "\":"
        + QdrantHttp.JSON.writeValueAsString(value)
        + "}}]}";
  }

  /** Scroll, exact count and a filtered query all give exactly {@code expected}. */
  private void assertMatches(Set<Long> expected, String filter) throws Exception {
    JsonNode scrolled =
        api.call(
                "POST",
                "/collections/{collection_name}/points/scroll",
                C + "/points/scroll",
                "{\"filter\":" + filter + ",\"limit\":100}",
                200)
            .result()
            .get("points");
    assertEquals(expected, ids(scrolled), "scroll " + filter);
    long count =
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                C + "/points/count",
                "{\"filter\":" + filter + ",\"exact\":true}",
                200)
            .result()
            .get("count")
            .asLong();
    assertEquals(expected.size(), count, "count " + filter);
    JsonNode hits =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                C + "/points/query",
                "{\"query\":[1,1],\"limit\":100,\"filter\":" + filter + "}",
                200)
            .result()
            .get("points");
    assertEquals(expected, ids(hits), "query " + filter);
  }

  private static Set<Long> ids(JsonNode points) {
    Set<Long> out = new TreeSet<>();
    points.forEach(p -> out.add(p.get("id").asLong()));
    return out;
  }
}
