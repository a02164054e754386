package io.quiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates hostile HTTP requests from a seed: wrong types at every field of the main request
 * bodies (the fields of the valid example bodies below, plus every property Qdrant's OpenAPI spec
 * gives the operation's body when the spec is there), NaN/Infinity/1e400 and other non-numbers in
 * vectors, deep nesting, unicode and invalid UTF-8, 1e6-element arrays, malformed JSON, hostile
 * query strings, and broken HTTP framing (slow-loris, truncated and malformed chunked bodies,
 * header floods). Reads go to collection {@code keep}, whose data must survive unchanged; writes go
 * to {@code scratch}. The same seed gives the same requests.
 */
final class HostileRequests {

  /** One request to send and how to send it. */
  record Case(
      String category,
      String what,
      byte[] request,
      RawHttpExchange.Sending sending,
      long boundMs) {}

  /** A valid request of the API, the base every mutation starts from. */
  record Endpoint(String method, String template, String collection, String body) {
    String path() {
      return template.replace("{collection_name}", collection);
    }
  }

  static final String KEEP = "keep";
  static final String SCRATCH = "scratch";
  static final long BOUND_MS = 20_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V = "[0.1,0.2,0.3,0.4]";
  private static final String FILTER =
      "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"Oslo\"}},{\"key\":\"n\",\"range\":{\"gte\":3}}]}";

  static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/query",
              KEEP,
              "{\"query\":"
                  + V
                  + ",\"limit\":5,\"offset\":1,\"filter\":"
                  + FILTER
                  + ",\"with_payload\":true,\"with_vector\":false,"
                  + "\"params\":{\"hnsw_ef\":32,\"exact\":false},\"score_threshold\":0.1,\"prefetch\":[{\"query\":"
                  + V
                  + ",\"limit\":20}]}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/search",
              KEEP,
              "{\"vector\":"
                  + V
                  + ",\"limit\":5,\"offset\":0,\"filter\":"
                  + FILTER
                  + ",\"with_payload\":[\"city\"],\"params\":{\"hnsw_ef\":16}}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/search/batch",
              KEEP,
              "{\"searches\":[{\"vector\":"
                  + V
                  + ",\"limit\":3},{\"vector\":"
                  + V
                  + ",\"limit\":2,\"filter\":"
                  + FILTER
                  + "}]}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/query/batch",
              KEEP,
              "{\"searches\":[{\"query\":"
                  + V
                  + ",\"limit\":3},{\"query\":{\"recommend\":{\"positive\":[1,2]}},\"limit\":2}]}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/query/groups",
              KEEP,
              "{\"query\":" + V + ",\"group_by\":\"city\",\"group_size\":2,\"limit\":3}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/recommend",
              KEEP,
              "{\"positive\":[1,2],\"negative\":[3],\"limit\":3,\"strategy\":\"average_vector\"}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/discover",
              KEEP,
              "{\"target\":" + V + ",\"context\":[{\"positive\":1,\"negative\":2}],\"limit\":3}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/scroll",
              KEEP,
              "{\"limit\":5,\"offset\":2,\"filter\":"
                  + FILTER
                  + ",\"with_payload\":{\"include\":[\"city\"]},\"with_vector\":true}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/count",
              KEEP,
              "{\"filter\":" + FILTER + ",\"exact\":true}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points",
              KEEP,
              "{\"ids\":[1,2,3],\"with_payload\":true,\"with_vector\":true}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/facet",
              KEEP,
              "{\"key\":\"city\",\"limit\":5,\"filter\":" + FILTER + "}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/search/matrix/pairs",
              KEEP,
              "{\"sample\":10,\"limit\":2}"),
          new Endpoint(
              "PUT",
              "/collections/{collection_name}/points",
              SCRATCH,
              "{\"points\":[{\"id\":1,\"vector\":"
                  + V
                  + ",\"payload\":{\"city\":\"Oslo\",\"n\":1,\"tags\":[\"a\"]}},"
                  + "{\"id\":\"5c56c793-69f3-4fbf-87e6-c4bf54c28c26\",\"vector\":"
                  + V
                  + "}]}"),
          new Endpoint(
              "PUT",
              "/collections/{collection_name}/points",
              SCRATCH,
              "{\"batch\":{\"ids\":[7,8],\"vectors\":["
                  + V
                  + ","
                  + V
                  + "],\"payloads\":[{\"a\":1},null]}}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/payload",
              SCRATCH,
              "{\"payload\":{\"a\":{\"b\":[1,2]}},\"points\":[1,7],\"key\":\"x\"}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/delete",
              SCRATCH,
              "{\"points\":[9,10]}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/payload/delete",
              SCRATCH,
              "{\"keys\":[\"a\"],\"filter\":" + FILTER + "}"),
          new Endpoint(
              "PUT",
              "/collections/{collection_name}/points/vectors",
              SCRATCH,
              "{\"points\":[{\"id\":1,\"vector\":" + V + "}]}"),
          new Endpoint(
              "POST",
              "/collections/{collection_name}/points/batch",
              SCRATCH,
              "{\"operations\":[{\"upsert\":{\"points\":[{\"id\":11,\"vector\":"
                  + V
                  + "}]}},{\"delete\":{\"points\":[11]}},"
                  + "{\"set_payload\":{\"payload\":{\"k\":1},\"points\":[1]}}]}"),
          new Endpoint(
              "PUT",
              "/collections/{collection_name}/index",
              SCRATCH,
              "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}"),
          new Endpoint(
              "PATCH",
              "/collections/{collection_name}",
              SCRATCH,
              "{\"optimizers_config\":{\"indexing_threshold\":20000}}"),
          new Endpoint(
              "PUT",
              "/collections/{collection_name}",
              "scratch_create",
              "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":1,\"hnsw_config\":{\"m\":8}}"),
          new Endpoint(
              "POST",
              "/collections/aliases",
              "-",
              "{\"actions\":[{\"create_alias\":{\"collection_name\":\"scratch\",\"alias_name\":\"sa\"}}]}"));

  /**
   * Values put at a field in place of the right one: wrong types, bad numbers, odd strings (raw
   * JSON, some not valid JSON).
   */
  static final List<String> WRONG_VALUES =
      List.of(
          "\"text\"",
          "\"\"",
          "0",
          "-1",
          "1.5",
          "true",
          "false",
          "null",
          "{}",
          "[]",
          "[[]]",
          "{\"a\":{\"b\":[]}}",
          "1e400",
          "-1e400",
          "NaN",
          "Infinity",
          "-Infinity",
          "18446744073709551616",
          "-9223372036854775809",
          "123456789012345678901234567890",
          "1e-400",
          "-0",
          "4294967296",
          "2147483648",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "\"\uD83D\uDE00\u0645\u202E\"",
          "\"" + "x".repeat(20_000) + "\"",
          "[\"a\",1,null,{}]",
          "{\"\uD83D\uDE00\":1,\"\\u0000\":2}",
          "\"2024-13-45T99:99:99Z\"",
          "[NaN]",
          "[1e400,1]",
          "\"NaN\"",
          "[" + "1,".repeat(2_000) + "1]");

  /** Tokens put in a vector in place of its second number. */
  static final List<String> NUMBER_TOKENS =
      List.of(
          "NaN",
          "Infinity",
          "-Infinity",
          "+1",
          "1e400",
          "-1e400",
          "1e39",
          "-1e39",
          "3.5e38",
          "1e-400",
          "0x1",
          "01",
          "1.",
          ".5",
          "-",
          "--1",
          "1e",
          "\"1\"",
          "true",
          "null",
          "1_000",
          "99999999999999999999999999999999999999999",
          "[1]",
          "{}");

  static final List<String> UNICODE_KEYS =
      List.of(
          "\uD83D\uDE00",
          "\u043A\u043B\u044E\u0447",
          "\u0645\u0641\u062A\u0627\u062D",
          "e\u0301",
          "\u200B",
          "\\u0000",
          "\\ud800",
          "a.b",
          "a[]",
          "a[0]",
          "$",
          "",
          " ",
          "x".repeat(10_000),
          "\\\\",
          "\\\"",
          "\u202E",
          "\uFFFF",
          "a..b",
          "[].a");

  private final Random random;
  private final boolean longRun;
  private final JsonNode[] specs;
  private final List<Case> cases = new ArrayList<>();

  HostileRequests(long seed, boolean longRun) {
    this.random = new Random(seed);
    this.longRun = longRun;
    this.specs = readSpecs();
  }

  /** Every case, in a seeded order. */
  List<Case> generate() {
    for (Endpoint e : ENDPOINTS) {
      wrongTypes(e);
      malformedJson(e);
    }
    numbers();
    deepNesting();
    unicode();
    bigArrays();
    invalidUtf8();
    queryParams();
    httpFraming();
    Collections.shuffle(cases, random);
    return cases;
  }

  // ---- wrong types at every field ----

  private void wrongTypes(Endpoint e) {
    JsonNode base = parse(e.body());
    Set<List<Object>> paths = new LinkedHashSet<>();
    collectPaths(base, new ArrayList<>(), paths);
    for (String property : specProperties(e)) {
      paths.add(List.of(property));
    }
    int perField = longRun ? WRONG_VALUES.size() : 5;
    for (List<Object> path : paths) {
      List<String> values = new ArrayList<>(WRONG_VALUES);
      Collections.shuffle(values, random);
      for (String value : values.subList(0, perField)) {
        add(
            "wrong-type",
            e.method() + " " + e.template() + " " + path + " = " + abbreviate(value),
            e,
            withRaw(base, path, value));
      }
    }
  }

  /** Every member path of {@code node} (objects by key, arrays by their first two elements). */
  private static void collectPaths(JsonNode node, List<Object> at, Set<List<Object>> out) {
    if (node.isObject()) {
      for (var it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        List<Object> child = append(at, name);
        out.add(child);
        collectPaths(node.get(name), child, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < Math.min(2, node.size()); i++) {
        List<Object> child = append(at, i);
        out.add(child);
        collectPaths(node.get(i), child, out);
      }
    }
  }

  private static List<Object> append(List<Object> path, Object step) {
    List<Object> copy = new ArrayList<>(path);
    copy.add(step);
    return copy;
  }

  private static final String MARK = "\u0007HOSTILE\u0007";

  /**
   * {@code base} with the value at {@code path} replaced by {@code raw} JSON text (which may be
   * invalid JSON).
   */
  static String withRaw(JsonNode base, List<Object> path, String raw) {
    JsonNode copy = base.deepCopy();
    JsonNode parent = copy;
    for (int i = 0; i < path.size() - 1; i++) {
      parent =
          path.get(i) instanceof Integer index
              ? parent.get(index)
              : parent.get((String) path.get(i));
    }
    Object last = path.getLast();
    if (last instanceof Integer index) {
      ((ArrayNode) parent).set(index, TextNode.valueOf(MARK));
    } else {
      ((ObjectNode) parent).set((String) last, TextNode.valueOf(MARK));
    }
    return copy.toString().replace("\"\\u0007HOSTILE\\u0007\"", raw);
  }

  // ---- malformed JSON ----

  private static final List<String> MALFORMED =
      List.of(
          "",
          "null",
          "[]",
          "1",
          "\"s\"",
          "{",
          "}",
          "{\"a\":1,}",
          "{'limit':1}",
          "/*c*/{}",
          "\uFEFF{}",
          "{}{}",
          "{}]",
          "{\"limit\":1,\"limit\":2}",
          "{\"a\"}",
          "{\"a\":}",
          "{:1}",
          "{\"a\":1 \"b\":2}",
          "[{}]",
          "{\"a\":tru}",
          "{\"a\":\"\\x41\"}",
          "{\"a\":\"unterminated}",
          "{\"a\":\"\\uZZZZ\"}",
          "\u0000",
          "{\"a\":1}\u0000");

  private void malformedJson(Endpoint e) {
    for (String body : MALFORMED) {
      add("malformed-json", e.method() + " " + e.template() + " " + abbreviate(body), e, body);
    }
    byte[] valid = e.body().getBytes(StandardCharsets.UTF_8);
    int mutations = longRun ? 150 : 12;
    for (int i = 0; i < mutations; i++) {
      byte[] mutated = mutate(valid);
      cases.add(
          new Case(
              "malformed-json",
              e.method() + " " + e.template() + " mutation " + i,
              request(e.method(), e.path(), "application/json", mutated),
              RawHttpExchange.Sending.AT_ONCE,
              BOUND_MS));
    }
  }

  /** A seeded byte-level mutation: truncate, flip, insert, delete or duplicate a span. */
  private byte[] mutate(byte[] valid) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = random.nextInt(valid.length);
    switch (random.nextInt(5)) {
      case 0 -> out.write(valid, 0, at);
      case 1 -> {
        byte[] copy = valid.clone();
        copy[at] = (byte) random.nextInt(256);
        return copy;
      }
      case 2 -> {
        out.write(valid, 0, at);
        byte[] noise = new byte[1 + random.nextInt(8)];
        random.nextBytes(noise);
        out.write(noise, 0, noise.length);
        out.write(valid, at, valid.length - at);
      }
      case 3 -> {
        int end = Math.min(valid.length, at + 1 + random.nextInt(10));
        out.write(valid, 0, at);
        out.write(valid, end, valid.length - end);
      }
      default -> {
        int end = Math.min(valid.length, at + 1 + random.nextInt(20));
        out.write(valid, 0, end);
        out.write(valid, at, valid.length - at);
      }
    }
    return out.toByteArray();
  }

  // ---- numbers in vectors ----

  private void numbers() {
    List<Object[]> vectorAt =
        List.of(
            new Object[] {ENDPOINTS.get(0), List.<Object>of("query", 1)},
            new Object[] {ENDPOINTS.get(1), List.<Object>of("vector", 1)},
            new Object[] {ENDPOINTS.get(6), List.<Object>of("target", 1)},
            new Object[] {ENDPOINTS.get(12), List.<Object>of("points", 0, "vector", 1)},
            new Object[] {ENDPOINTS.get(13), List.<Object>of("batch", "vectors", 0, 1)},
            new Object[] {ENDPOINTS.get(17), List.<Object>of("points", 0, "vector", 1)},
            new Object[] {ENDPOINTS.get(0), List.<Object>of("score_threshold")},
            new Object[] {ENDPOINTS.get(8), List.<Object>of("filter", "must", 1, "range", "gte")});
    for (Object[] target : vectorAt) {
      Endpoint e = (Endpoint) target[0];
      @SuppressWarnings("unchecked")
      List<Object> path = (List<Object>) target[1];
      for (String token : NUMBER_TOKENS) {
        add(
            "numbers",
            e.template() + " " + path + " = " + token,
            e,
            withRaw(parse(e.body()), path, token));
      }
    }
  }

  // ---- deep nesting ----

  private void deepNesting() {
    int[] depths = {64, 65, 500, 999, 1000, 1001, 5000, 100_000};
    Endpoint upsert = ENDPOINTS.get(12);
    Endpoint query = ENDPOINTS.get(0);
    Endpoint count = ENDPOINTS.get(8);
    for (int depth : depths) {
      add(
          "deep-nesting",
          "payload array depth " + depth,
          upsert,
          withRaw(
              parse(upsert.body()),
              List.of("points", 0, "payload", "tags"),
              "[".repeat(depth) + "]".repeat(depth)));
      add(
          "deep-nesting",
          "payload object depth " + depth,
          upsert,
          withRaw(
              parse(upsert.body()),
              List.of("points", 0, "payload", "tags"),
              "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));
      add(
          "deep-nesting",
          "filter must depth " + depth,
          count,
          "{\"filter\":"
              + "{\"must\":[".repeat(depth)
              + "{\"key\":\"n\",\"match\":{\"value\":1}}"
              + "]}".repeat(depth)
              + "}");
      add(
          "deep-nesting",
          "nested condition depth " + depth,
          count,
          "{\"filter\":{\"must\":["
              + "{\"nested\":{\"key\":\"a\",\"filter\":{\"must\":[".repeat(depth)
              + "{\"key\":\"n\",\"match\":{\"value\":1}}"
              + "]}}}".repeat(depth)
              + "]}}");
      add(
          "deep-nesting",
          "prefetch depth " + depth,
          query,
          "{\"query\":"
              + V
              + ",\"prefetch\":"
              + "{\"query\":[0.1,0.2,0.3,0.4],\"prefetch\":".repeat(depth)
              + "[]"
              + "}".repeat(depth)
              + "}");
      add(
          "deep-nesting",
          "vector depth " + depth,
          query,
          withRaw(
              parse(query.body()), List.of("query"), "[".repeat(depth) + "1" + "]".repeat(depth)));
      add(
          "deep-nesting",
          "root array depth " + depth,
          count,
          "[".repeat(depth) + "]".repeat(depth));
      add(
          "deep-nesting",
          "with_payload depth " + depth,
          query,
          withRaw(
              parse(query.body()),
              List.of("with_payload"),
              "{\"include\":".repeat(depth) + "[]" + "}".repeat(depth)));
    }
  }

  // ---- unicode ----

  private void unicode() {
    for (String key : UNICODE_KEYS) {
      String k = "\"" + key + "\"";
      add(
          "unicode",
          "payload key " + abbreviate(key),
          ENDPOINTS.get(12),
          "{\"points\":[{\"id\":21,\"vector\":"
              + V
              + ",\"payload\":{"
              + k
              + ":1,"
              + k
              + ":{"
              + k
              + ":["
              + k
              + "]}}}]}");
      add(
          "unicode",
          "filter key " + abbreviate(key),
          ENDPOINTS.get(8),
          "{\"filter\":{\"must\":[{\"key\":" + k + ",\"match\":{\"value\":" + k + "}}]}}");
      add(
          "unicode",
          "nested key " + abbreviate(key),
          ENDPOINTS.get(8),
          "{\"filter\":{\"must\":[{\"nested\":{\"key\":"
              + k
              + ",\"filter\":{\"must\":[{\"key\":"
              + k
              + ",\"range\":{\"gt\":1}}]}}}]}}");
      add("unicode", "facet key " + abbreviate(key), ENDPOINTS.get(10), "{\"key\":" + k + "}");
      add(
          "unicode",
          "group_by " + abbreviate(key),
          ENDPOINTS.get(4),
          "{\"query\":" + V + ",\"group_by\":" + k + "}");
      add(
          "unicode",
          "set_payload key " + abbreviate(key),
          ENDPOINTS.get(14),
          "{\"payload\":{\"v\":1},\"points\":[1],\"key\":" + k + "}");
      add(
          "unicode",
          "order_by " + abbreviate(key),
          ENDPOINTS.get(7),
          "{\"order_by\":" + k + ",\"limit\":3}");
      add(
          "unicode",
          "using " + abbreviate(key),
          ENDPOINTS.get(0),
          "{\"query\":" + V + ",\"using\":" + k + "}");
      add(
          "unicode",
          "include " + abbreviate(key),
          ENDPOINTS.get(7),
          "{\"with_payload\":[" + k + "],\"limit\":3}");
      String name =
          URLEncoder.encode(
                  key.length() > 300 ? key.substring(0, 300) : key, StandardCharsets.UTF_8)
              .replace("+", "%20");
      cases.add(
          json(
              "unicode", "GET collection " + abbreviate(key), "GET", "/collections/" + name, null));
      cases.add(
          json(
              "unicode",
              "count in collection " + abbreviate(key),
              "POST",
              "/collections/" + name + "/points/count",
              "{}"));
    }
    // Collections created with odd names: each create that is accepted costs a shard group, so few.
    for (String name :
        List.of(
            "%F0%9F%98%80",
            "a%20b", "..", "%2E%2E", "a%2Fb", "%00", "x".repeat(300), "%E2%80%AE")) {
      cases.add(
          json(
              "unicode",
              "create collection " + abbreviate(name),
              "PUT",
              "/collections/" + name,
              "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}"));
    }
  }

  // ---- 1e6-element arrays ----

  private void bigArrays() {
    String million = "[" + "1,".repeat(999_999) + "1]";
    String idsMillion = "[" + "7,".repeat(999_999) + "7]";
    String words = "[" + "\"w\",".repeat(999_999) + "\"w\"]";
    String conditions =
        "["
            + "{\"key\":\"n\",\"match\":{\"value\":1}},".repeat(99_999)
            + "{\"key\":\"n\",\"match\":{\"value\":1}}]";
    add("big-arrays", "query vector 1e6", ENDPOINTS.get(0), "{\"query\":" + million + "}");
    add(
        "big-arrays",
        "search vector 1e6",
        ENDPOINTS.get(1),
        "{\"vector\":" + million + ",\"limit\":1}");
    add(
        "big-arrays",
        "upsert vector 1e6",
        ENDPOINTS.get(12),
        "{\"points\":[{\"id\":31,\"vector\":" + million + "}]}");
    add(
        "big-arrays",
        "batch vectors 1e6 x 1",
        ENDPOINTS.get(13),
        "{\"batch\":{\"ids\":[31],\"vectors\":[" + million + "]}}");
    add("big-arrays", "retrieve ids 1e6", ENDPOINTS.get(9), "{\"ids\":" + idsMillion + "}");
    add("big-arrays", "delete ids 1e6", ENDPOINTS.get(15), "{\"points\":" + idsMillion + "}");
    add(
        "big-arrays",
        "has_id 1e6",
        ENDPOINTS.get(8),
        "{\"filter\":{\"must\":[{\"has_id\":" + idsMillion + "}]}}");
    add(
        "big-arrays",
        "match any 1e6",
        ENDPOINTS.get(8),
        "{\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"any\":" + words + "}}]}}");
    add(
        "big-arrays",
        "filter must 1e5 conditions",
        ENDPOINTS.get(8),
        "{\"filter\":{\"must\":" + conditions + "}}");
    add(
        "big-arrays",
        "filter should 1e5 conditions",
        ENDPOINTS.get(7),
        "{\"filter\":{\"should\":" + conditions + "},\"limit\":1}");
    add(
        "big-arrays",
        "payload array 1e6",
        ENDPOINTS.get(12),
        "{\"points\":[{\"id\":32,\"vector\":" + V + ",\"payload\":{\"big\":" + million + "}}]}");
    add(
        "big-arrays",
        "recommend positive 1e6",
        ENDPOINTS.get(5),
        "{\"positive\":" + idsMillion + ",\"limit\":1}");
    add(
        "big-arrays",
        "searches 1e5",
        ENDPOINTS.get(2),
        "{\"searches\":["
            + ("{\"vector\":" + V + ",\"limit\":1},").repeat(99_999)
            + "{\"vector\":"
            + V
            + ",\"limit\":1}]}");
    add(
        "big-arrays",
        "query batch 1e5",
        ENDPOINTS.get(3),
        "{\"searches\":[" + ("{\"query\":" + V + "},").repeat(99_999) + "{\"query\":" + V + "}]}");
    add(
        "big-arrays",
        "upsert 2e5 points",
        ENDPOINTS.get(12),
        "{\"points\":["
            + ("{\"id\":40,\"vector\":" + V + "},").repeat(199_999)
            + "{\"id\":40,\"vector\":"
            + V
            + "}]}");
    add(
        "big-arrays",
        "batch operations 1e5",
        ENDPOINTS.get(18),
        "{\"operations\":["
            + "{\"delete\":{\"points\":[41]}},".repeat(99_999)
            + "{\"delete\":{\"points\":[41]}}]}");
    add(
        "big-arrays",
        "prefetch 1e5",
        ENDPOINTS.get(0),
        "{\"query\":{\"fusion\":\"rrf\"},\"prefetch\":["
            + ("{\"query\":" + V + "},").repeat(99_999)
            + "{\"query\":"
            + V
            + "}]}");
    add(
        "big-arrays",
        "payload keys 1e5",
        ENDPOINTS.get(14),
        "{\"payload\":{"
            + java.util.stream.IntStream.range(0, 100_000)
                .mapToObj(i -> "\"k" + i + "\":" + i)
                .collect(java.util.stream.Collectors.joining(","))
            + "},\"points\":[1]}");
    add(
        "big-arrays",
        "with_payload include 1e6",
        ENDPOINTS.get(7),
        "{\"with_payload\":" + words + ",\"limit\":1}");
  }

  // ---- invalid UTF-8 ----

  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xC3, 0x28},
    {(byte) 0xFF},
    {(byte) 0xC0, (byte) 0xAF},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
    {(byte) 0xE2, (byte) 0x82}
  };

  private void invalidUtf8() {
    for (byte[] bad : BAD_UTF8) {
      String hex = java.util.HexFormat.of().formatHex(bad);
      Endpoint upsert = ENDPOINTS.get(12);
      cases.add(
          raw(
              "invalid-utf8",
              "payload value " + hex,
              upsert.method(),
              upsert.path(),
              concat(
                  "{\"points\":[{\"id\":22,\"vector\":" + V + ",\"payload\":{\"s\":\"",
                  bad,
                  "\"}}]}")));
      cases.add(
          raw(
              "invalid-utf8",
              "payload key " + hex,
              upsert.method(),
              upsert.path(),
              concat(
                  "{\"points\":[{\"id\":22,\"vector\":" + V + ",\"payload\":{\"",
                  bad,
                  "\":1}}]}")));
      Endpoint count = ENDPOINTS.get(8);
      cases.add(
          raw(
              "invalid-utf8",
              "filter key " + hex,
              count.method(),
              count.path(),
              concat("{\"filter\":{\"must\":[{\"key\":\"", bad, "\",\"match\":{\"value\":1}}]}}")));
      cases.add(
          raw(
              "invalid-utf8",
              "bare bytes " + hex,
              count.method(),
              count.path(),
              concat("", bad, "")));
      byte[] head =
          concat("GET /collections/", bad, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      cases.add(
          new Case("invalid-utf8", "path " + hex, head, RawHttpExchange.Sending.AT_ONCE, BOUND_MS));
      byte[] header =
          concat(
              "GET /collections HTTP/1.1\r\nHost: x\r\nX-Bad: ",
              bad,
              "\r\nConnection: close\r\n\r\n");
      cases.add(
          new Case(
              "invalid-utf8", "header " + hex, header, RawHttpExchange.Sending.AT_ONCE, BOUND_MS));
      byte[] apiKey =
          concat(
              "GET /collections HTTP/1.1\r\nHost: x\r\napi-key: ",
              bad,
              "\r\nConnection: close\r\n\r\n");
      cases.add(
          new Case(
              "invalid-utf8",
              "api-key header " + hex,
              apiKey,
              RawHttpExchange.Sending.AT_ONCE,
              BOUND_MS));
      byte[] query =
          concat(
              "POST /collections/keep/points/count?consistency=",
              bad,
              " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{}");
      cases.add(
          new Case(
              "invalid-utf8",
              "query parameter " + hex,
              query,
              RawHttpExchange.Sending.AT_ONCE,
              BOUND_MS));
    }
  }

  // ---- query strings ----

  private void queryParams() {
    List<String> params =
        List.of(
            "wait=maybe",
            "wait=",
            "timeout=NaN",
            "timeout=1e400",
            "timeout=-1",
            "timeout=0",
            "timeout=99999999999999999999",
            "consistency=%F0%9F%98%80",
            "consistency=%",
            "consistency=-1",
            "consistency=1e30",
            "operation_id=-1",
            "operation_id=1e30",
            "operation_id=x",
            "ordering=x",
            "%zz=1",
            "a=%zz",
            "&&&&",
            "=",
            "timeout=1&timeout=x",
            "wait=true&".repeat(1_000) + "wait=true",
            "x=" + "y".repeat(3_000),
            "a=b&".repeat(2_000));
    for (Endpoint e :
        List.of(
            ENDPOINTS.get(0),
            ENDPOINTS.get(8),
            ENDPOINTS.get(12),
            ENDPOINTS.get(15),
            ENDPOINTS.get(7))) {
      for (String p : params) {
        cases.add(
            json(
                "query-params",
                e.template() + "?" + abbreviate(p),
                e.method(),
                e.path() + "?" + p,
                e.body()));
      }
    }
  }

  // ---- HTTP framing ----

  private void httpFraming() {
    String body = ENDPOINTS.get(8).body();
    String path = ENDPOINTS.get(8).path();
    RawHttpExchange.Sending slow = new RawHttpExchange.Sending(1, 400, false);
    int slowCases = longRun ? 20 : 4;
    for (int i = 0; i < slowCases; i++) {
      cases.add(
          new Case(
              "http",
              "slow-loris headers " + i,
              ascii("POST " + path + " HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(40) + "\r\n"),
              slow,
              BOUND_MS));
      cases.add(
          new Case(
              "http",
              "slow-loris body " + i,
              ascii(
                  "POST "
                      + path
                      + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + (body.length() + 50)
                      + "\r\n\r\n"
                      + body),
              new RawHttpExchange.Sending(4, 300, false),
              BOUND_MS));
    }
    cases.add(
        new Case(
            "http",
            "body shorter than Content-Length, then half-close",
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                    + body),
            new RawHttpExchange.Sending(0, 0, true),
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "body shorter than Content-Length, kept open",
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                    + body),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    String chunkedHead =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    String firstChunk = Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n";
    cases.add(
        new Case(
            "http",
            "truncated chunked body, half-close",
            ascii(chunkedHead + firstChunk),
            new RawHttpExchange.Sending(0, 0, true),
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "truncated chunked body, kept open",
            ascii(chunkedHead + firstChunk),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "chunk cut mid-data, half-close",
            ascii(chunkedHead + "40\r\n" + body.substring(0, 20)),
            new RawHttpExchange.Sending(0, 0, true),
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "whole chunked body",
            ascii(
                chunkedHead + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    for (String size :
        List.of(
            "zz",
            "-5",
            "FFFFFFFFFFFFFFFF",
            "7fffffff",
            "1;ext=" + "e".repeat(10_000),
            "",
            " 5",
            "0x10")) {
      cases.add(
          new Case(
              "http",
              "chunk size " + abbreviate(size),
              ascii(chunkedHead + size + "\r\n" + body + "\r\n0\r\n\r\n"),
              new RawHttpExchange.Sending(0, 0, true),
              BOUND_MS));
    }
    cases.add(
        new Case(
            "http",
            "chunked, 100000 one-byte chunks",
            ascii(
                chunkedHead
                    + "1\r\n \r\n".repeat(100_000)
                    + Integer.toHexString(body.length())
                    + "\r\n"
                    + body
                    + "\r\n0\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    for (String cl :
        List.of(
            "-1", "abc", "99999999999999999999", "10737418240", "1, 2", "2\r\nContent-Length: 3")) {
      cases.add(
          new Case(
              "http",
              "Content-Length " + abbreviate(cl),
              ascii(
                  "POST "
                      + path
                      + " HTTP/1.1\r\nHost: x\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + cl
                      + "\r\n\r\n"
                      + body),
              new RawHttpExchange.Sending(0, 0, true),
              BOUND_MS));
    }
    cases.add(
        new Case(
            "http",
            "Content-Length and chunked",
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(body.length())
                    + "\r\n"
                    + body
                    + "\r\n0\r\n\r\n"),
            new RawHttpExchange.Sending(0, 0, true),
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "header flood 2000",
            ascii(
                "GET /collections HTTP/1.1\r\nHost: x\r\n"
                    + "X-Flood: y\r\n".repeat(2_000)
                    + "\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "one header of 100 KB",
            ascii(
                "GET /collections HTTP/1.1\r\nHost: x\r\nX-Big: "
                    + "b".repeat(100_000)
                    + "\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "header flood, 200 headers under the limit",
            ascii(
                "GET /collections HTTP/1.1\r\nHost: x\r\n"
                    + "X-F: y\r\n".repeat(200)
                    + "Connection: close\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "api-key flood",
            ascii(
                "GET /collections HTTP/1.1\r\nHost: x\r\n"
                    + "api-key: k\r\n".repeat(300)
                    + "Connection: close\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "request line 1 MB",
            ascii("GET /" + "a".repeat(1_000_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    for (String line :
        List.of(
            "FOO / HTTP/1.1",
            "GET / HTTP/9.9",
            "GET /collections",
            "GET",
            "get /collections HTTP/1.1",
            "GET /collections HTTP/1.1 extra",
            "\u0000\u0000\u0000",
            "PRI * HTTP/2.0\r\n\r\nSM",
            "GET http://evil/collections HTTP/1.1",
            "GET //// HTTP/1.1",
            "GET /collections/%ZZ HTTP/1.1",
            "GET /collections/..%2F..%2Fetc HTTP/1.1",
            "CONNECT 127.0.0.1:22 HTTP/1.1",
            "GET /\u0000 HTTP/1.1",
            "OPTIONS * HTTP/1.1",
            "TRACE / HTTP/1.1",
            "DELETE /collections HTTP/1.1")) {
      cases.add(
          new Case(
              "http",
              "request line " + abbreviate(line),
              ascii(line + "\r\nHost: x\r\nConnection: close\r\n\r\n"),
              new RawHttpExchange.Sending(0, 0, true),
              BOUND_MS));
    }
    cases.add(
        new Case(
            "http",
            "obsolete line folding",
            ascii(
                "GET /collections HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n"
                    + "Connection: close\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "bare LF",
            ascii("GET /collections HTTP/1.1\nHost: x\nConnection: close\n\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "NUL in a header",
            ascii(
                "GET /collections HTTP/1.1\r\nHost: x\r\nX-N: a\u0000b\r\nConnection: close\r\n\r\n"),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "Expect 100-continue with an oversized body",
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\n"
                    + "Expect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n"),
            new RawHttpExchange.Sending(0, 0, true),
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "garbage pipelined after a valid request",
            concat(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body,
                new byte[] {(byte) 0xFF, 0x00, 0x13, 0x37},
                "\r\n\r\n"),
            new RawHttpExchange.Sending(0, 0, true),
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "no content-type",
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + body.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + body),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "content-type text/plain",
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: "
                    + body.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + body),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "gzip content-encoding (not gzip)",
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Encoding: gzip\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + body),
            RawHttpExchange.Sending.AT_ONCE,
            BOUND_MS));
    cases.add(
        new Case(
            "http",
            "body over the size limit",
            ascii(
                "PUT "
                    + ENDPOINTS.get(12).path()
                    + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 40000000\r\n\r\n{\"points\":["
                    + "0".repeat(1_000_000)),
            new RawHttpExchange.Sending(0, 0, true),
            BOUND_MS));
  }

  // ---- building requests ----

  private void add(String category, String what, Endpoint e, String body) {
    cases.add(json(category, what, e.method(), e.path(), body));
  }

  private static Case json(String category, String what, String method, String path, String body) {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return new Case(
        category,
        what,
        request(method, path, "application/json", bytes),
        RawHttpExchange.Sending.AT_ONCE,
        BOUND_MS);
  }

  private static Case raw(String category, String what, String method, String path, byte[] body) {
    return new Case(
        category,
        what,
        request(method, path, "application/json", body),
        RawHttpExchange.Sending.AT_ONCE,
        BOUND_MS);
  }

  static byte[] request(String method, String path, String contentType, byte[] body) {
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    return concat(head, body, "");
  }

  private static byte[] concat(String before, byte[] middle, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(middle);
    out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String abbreviate(String s) {
    String flat = s.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
    return flat.length() <= 40 ? flat : flat.substring(0, 37) + "...(" + flat.length() + " chars)";
  }

  // ---- the spec's fields ----

  /**
   * Qdrant's OpenAPI files, or none when absent (the fields of the example bodies are still
   * mutated).
   */
  private static JsonNode[] readSpecs() {
    Path dir = OpenApiContract.specDir();
    List<JsonNode> out = new ArrayList<>();
    for (String file : List.of("openapi.json", "openapi-1.16.json")) {
      Path p = dir.resolve(file);
      if (Files.isRegularFile(p)) {
        try {
          out.add(JSON.readTree(p.toFile()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return out.toArray(JsonNode[]::new);
  }

  /**
   * The top-level property names of the operation's request body in either spec file (through $ref,
   * anyOf, oneOf, allOf).
   */
  Set<String> specProperties(Endpoint e) {
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode spec : specs) {
      JsonNode schema =
          spec.path("paths")
              .path(e.template())
              .path(e.method().toLowerCase(java.util.Locale.ROOT))
              .path("requestBody")
              .path("content")
              .path("application/json")
              .path("schema");
      properties(spec, schema, names, 0);
    }
    return names;
  }

  private static void properties(JsonNode spec, JsonNode schema, Set<String> out, int depth) {
    if (schema.isMissingNode() || depth > 6) {
      return;
    }
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      properties(spec, spec.at(ref.substring(1)), out, depth + 1);
      return;
    }
    schema.path("properties").fieldNames().forEachRemaining(out::add);
    for (String combinator : List.of("anyOf", "oneOf", "allOf")) {
      for (JsonNode alternative : schema.path(combinator)) {
        properties(spec, alternative, out, depth + 1);
      }
    }
  }

  /** Cases per category, for the report. */
  static java.util.Map<String, Integer> countByCategory(List<Case> cases) {
    java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
    for (Case c : cases) {
      counts.merge(c.category(), 1, Integer::sum);
    }
    return counts;
  }
}
