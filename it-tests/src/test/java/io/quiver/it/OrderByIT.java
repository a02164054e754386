package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code order_by} through REST on a real node with a collection of three shards: scroll ordered by
 * an integer, a float and a datetime payload index, ascending and descending, with and without
 * {@code start_from}, filters and limits that cut through ties, checked against a model computed
 * here; every body is validated against Qdrant's OpenAPI schema.
 *
 * <p>Oracle (Qdrant's semantics): every distinct indexed value of a point at the key is one entry
 * (value, id) — an array of values gives several, a repeated value one, values the index does not
 * hold (a float under an integer index, a non-date string) none; entries are sorted by value, then
 * id, all reversed for {@code desc}; {@code start_from} is inclusive; {@code order_value} is the
 * value (a datetime as UTC microseconds). Ids are integers and canonical UUIDs, whose string order
 * is their byte order, integers first (Qdrant's id order).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class OrderByIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String C = "/collections/ordered";
  private static final String SCROLL = "/collections/{collection_name}/points/scroll";
  private static final String[] COLORS = {"red", "green", "blue"};
  private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

  private NodeProcess node;
  private SpecClient api;

  /** Id (a Long or a UUID string) -> payload, in id order. */
  private final Map<Object, ObjectNode> points = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
    api.call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":3}",
        200);
    for (String index :
        List.of(
            "{\"field_name\":\"n\",\"field_schema\":\"integer\"}",
            "{\"field_name\":\"price\",\"field_schema\":\"float\"}",
            "{\"field_name\":\"ts\",\"field_schema\":\"datetime\"}",
            "{\"field_name\":\"color\",\"field_schema\":\"keyword\"}",
            "{\"field_name\":\"lookup_only\",\"field_schema\":{\"type\":\"integer\",\"lookup\":true,\"range\":false}}")) {
      api.call("PUT", "/collections/{collection_name}/index", C + "/index?wait=true", index, 200);
    }
    Random random = new Random(7);
    ArrayNode batch = JSON.createArrayNode();
    for (int i = 0; i < 240; i++) {
      Object id = i < 220 ? (Object) (long) i : String.format("00000000-0000-4000-8000-%012d", i);
      ObjectNode payload = payload(random);
      points.put(id, payload);
      ObjectNode point = batch.addObject();
      if (id instanceof Long l) {
        point.put("id", l);
      } else {
        point.put("id", (String) id);
      }
      point.putArray("vector").add(1).add(0);
      point.set("payload", payload);
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        C + "/points?wait=true",
        JSON.createObjectNode().set("points", batch).toString(),
        200);
  }

  /**
   * Small domains so values tie across shards; arrays, repeats, missing keys and foreign values.
   */
  private static ObjectNode payload(Random random) {
    ObjectNode p = JSON.createObjectNode();
    p.put("color", COLORS[random.nextInt(3)]);
    switch (random.nextInt(6)) {
      case 0 -> {}
      case 1 -> p.put("n", 2.5);
      case 2 ->
          p.putArray("n").add(random.nextInt(15)).add(random.nextInt(15)).add(random.nextInt(15));
      default -> p.put("n", random.nextInt(15));
    }
    if (random.nextInt(4) > 0) {
      p.put("price", random.nextInt(12) / 4.0);
    } else {
      p.putArray("price").add(random.nextInt(12) / 4.0).add(random.nextInt(3));
    }
    if (random.nextInt(5) > 0) {
      p.put("ts", EPOCH.plusSeconds(random.nextInt(20)).toString());
    } else {
      p.put("ts", "not a date");
    }
    return p;
  }

  private record Entry(Object id, BigDecimal value) {}

  /**
   * The distinct values of a point the key's index orders it by (exact decimals; datetimes in
   * microseconds).
   */
  private static Set<BigDecimal> values(String key, JsonNode node) {
    Set<BigDecimal> out = new LinkedHashSet<>();
    if (node == null) {
      return out;
    }
    List<JsonNode> all = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(all::add);
    } else {
      all.add(node);
    }
    for (JsonNode v : all) {
      switch (key) {
        case "n" -> {
          if (v.isIntegralNumber()) {
            out.add(BigDecimal.valueOf(v.longValue()));
          }
        }
        case "price" -> {
          if (v.isNumber()) {
            out.add(BigDecimal.valueOf(v.doubleValue()).stripTrailingZeros());
          }
        }
        default -> {
          if (v.isTextual() && !v.textValue().startsWith("not")) {
            out.add(
                BigDecimal.valueOf(
                    ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(v.textValue()))));
          }
        }
      }
    }
    return out.stream()
        .map(BigDecimal::stripTrailingZeros)
        .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));
  }

  private static int compareIds(Object a, Object b) {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof Long) {
      return -1;
    }
    if (b instanceof Long) {
      return 1;
    }
    return ((String) a).compareTo((String) b);
  }

  /** The model's answer. */
  private List<Entry> expected(
      String key, boolean desc, BigDecimal start, String color, int limit) {
    List<Entry> all = new ArrayList<>();
    points.forEach(
        (id, payload) -> {
          if (color != null && !payload.get("color").asText().equals(color)) {
            return;
          }
          for (BigDecimal v : values(key, payload.get(key))) {
            if (start == null || (desc ? v.compareTo(start) <= 0 : v.compareTo(start) >= 0)) {
              all.add(new Entry(id, v));
            }
          }
        });
    Comparator<Entry> asc =
        Comparator.comparing(Entry::value).thenComparing(Entry::id, OrderByIT::compareIds);
    all.sort(desc ? asc.reversed() : asc);
    return all.subList(0, Math.min(limit, all.size()));
  }

  private static List<Entry> entries(JsonNode records) {
    List<Entry> out = new ArrayList<>();
    for (JsonNode r : records) {
      Object id = r.get("id").isNumber() ? (Object) r.get("id").asLong() : r.get("id").asText();
      out.add(new Entry(id, r.get("order_value").decimalValue().stripTrailingZeros()));
    }
    return out;
  }

  private static String orderBy(String key, boolean desc, String startJson) {
    ObjectNode o = JSON.createObjectNode().put("key", key).put("direction", desc ? "desc" : "asc");
    String body = o.toString();
    return startJson == null
        ? body
        : body.substring(0, body.length() - 1) + ",\"start_from\":" + startJson + "}";
  }

  private static String filter(String color) {
    return color == null
        ? ""
        : ",\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"" + color + "\"}}]}";
  }

  /** Start values per key: (JSON of start_from, the model's exact value). */
  private static List<Object[]> starts(String key) {
    return switch (key) {
      case "n" ->
          List.<Object[]>of(
              new Object[] {"7", BigDecimal.valueOf(7)},
              new Object[] {"6.5", new BigDecimal("6.5")});
      case "price" ->
          List.<Object[]>of(
              new Object[] {"1.25", new BigDecimal("1.25")},
              new Object[] {"2", BigDecimal.valueOf(2)});
      default ->
          List.<Object[]>of(
              new Object[] {
                "\"2024-01-01T00:00:10Z\"",
                BigDecimal.valueOf(ChronoUnit.MICROS.between(Instant.EPOCH, EPOCH.plusSeconds(10)))
              });
    };
  }

  @Test
  void scrollOrderedByIntegerFloatAndDatetimeMatchesTheModel() throws Exception {
    for (String key : List.of("n", "price", "ts")) {
      List<Object[]> starts = new ArrayList<>(starts(key));
      starts.add(0, new Object[] {null, null});
      for (boolean desc : List.of(false, true)) {
        for (Object[] start : starts) {
          for (int limit : List.of(4, 37, 1000)) {
            for (String color : new String[] {null, "green"}) {
              String body =
                  "{\"order_by\":"
                      + orderBy(key, desc, (String) start[0])
                      + ",\"limit\":"
                      + limit
                      + ",\"with_payload\":"
                      + (limit == 4)
                      + filter(color)
                      + "}";
              JsonNode result = api.call("POST", SCROLL, C + "/points/scroll", body, 200).result();
              List<Entry> want = expected(key, desc, (BigDecimal) start[1], color, limit);
              assertEquals(want, entries(result.get("points")), body);
              assertTrue(
                  result.get("next_page_offset").isNull(),
                  "no next page offset with order_by: " + body);
              for (JsonNode r : result.get("points")) {
                assertEquals(limit == 4, r.get("payload").isObject(), "with_payload: " + body);
              }
            }
          }
        }
      }
    }
    // the short form: a key, ascending
    JsonNode result =
        api.call("POST", SCROLL, C + "/points/scroll", "{\"order_by\":\"n\",\"limit\":50}", 200)
            .result();
    assertEquals(expected("n", false, null, null, 50), entries(result.get("points")));
    assertTrue(
        entries(result.get("points")).stream().map(Entry::id).distinct().count() < 50,
        "points with several values appear once per value");
  }

  @Test
  void queryOrderByWithFilterOffsetAndPrefetch() throws Exception {
    String query = "/collections/{collection_name}/points/query";
    for (boolean desc : List.of(false, true)) {
      String body =
          "{\"query\":{\"order_by\":"
              + orderBy("n", desc, null)
              + "},\"limit\":7,\"offset\":3,"
              + "\"with_payload\":true"
              + filter("green")
              + "}";
      JsonNode hits =
          api.call("POST", query, C + "/points/query", body, 200).result().get("points");
      assertEquals(expected("n", desc, null, "green", 10).subList(3, 10), entries(hits), body);
      for (JsonNode h : hits) {
        assertEquals(0.0, h.get("score").asDouble(), body);
        assertEquals("green", h.get("payload").get("color").asText(), body);
        assertTrue(h.get("vector") == null || h.get("vector").isNull(), body);
      }
    }
    // with a start and a datetime key
    String body =
        "{\"query\":{\"order_by\":"
            + orderBy("ts", true, "\"2024-01-01T00:00:10Z\"")
            + "},\"limit\":25"
            + filter("blue")
            + "}";
    JsonNode hits = api.call("POST", query, C + "/points/query", body, 200).result().get("points");
    assertEquals(
        expected("ts", true, (BigDecimal) starts("ts").getFirst()[1], "blue", 25),
        entries(hits),
        body);
    // over a prefetch: orders the prefetched points (every vector is [1, 0], so the prefetch is
    // every red point)
    body =
        "{\"prefetch\":{\"query\":[1,0],\"limit\":1000"
            + filter("red")
            + "},\"query\":{\"order_by\":\"price\"},"
            + "\"limit\":12,\"with_payload\":[\"price\"]}";
    hits = api.call("POST", query, C + "/points/query", body, 200).result().get("points");
    assertEquals(expected("price", false, null, "red", 12), entries(hits), body);
    assertTrue(
        hits.get(0).get("payload").has("price") && !hits.get(0).get("payload").has("color"), body);
    // as a prefetch: its points (the 6 highest entries of n; a point may hold two of them) are
    // re-scored by the root
    body =
        "{\"prefetch\":{\"query\":{\"order_by\":{\"key\":\"n\",\"direction\":\"desc\"}},\"limit\":6},"
            + "\"query\":[1,0],\"limit\":10}";
    hits = api.call("POST", query, C + "/points/query", body, 200).result().get("points");
    Set<Object> want = new LinkedHashSet<>();
    expected("n", true, null, null, 6).forEach(e -> want.add(e.id()));
    Set<Object> got = new LinkedHashSet<>();
    hits.forEach(
        h ->
            got.add(h.get("id").isNumber() ? (Object) h.get("id").asLong() : h.get("id").asText()));
    assertEquals(
        new java.util.TreeSet<>(want.stream().map(String::valueOf).toList()),
        new java.util.TreeSet<>(got.stream().map(String::valueOf).toList()),
        body);
  }

  @Test
  void scrollOrderByErrors() throws Exception {
    for (String key : List.of("color", "lookup_only", "unindexed")) {
      api.assertError(
          "POST",
          SCROLL,
          C + "/points/scroll",
          "{\"order_by\":\"" + key + "\"}",
          400,
          "No range index for `order_by` key: `" + key + "`");
    }
    api.assertError(
        "POST", SCROLL, C + "/points/scroll", "{\"order_by\":\"n\",\"offset\":3}", 400, "`offset`");
    api.assertError(
        "POST",
        SCROLL,
        C + "/points/scroll",
        "{\"order_by\":{\"key\":\"n\",\"direction\":\"up\"}}",
        400,
        "order_by.direction");
    api.assertError(
        "POST",
        SCROLL,
        C + "/points/scroll",
        "{\"order_by\":{\"key\":\"n\",\"start_from\":\"soon\"}}",
        400,
        "order_by.start_from");
    api.assertError(
        "POST",
        SCROLL,
        C + "/points/scroll",
        "{\"order_by\":{\"direction\":\"asc\"}}",
        400,
        "order_by.key");
  }
}
