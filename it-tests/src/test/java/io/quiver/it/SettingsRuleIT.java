package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The settings rule: every field of a request body that Qdrant defines is either honoured and
 * reported back, or refused with 400/422 naming it — never accepted silently. Walks every property
 * of Qdrant's {@code CreateCollection}, {@code UpdateCollection}, {@code CreateFieldIndex} (each
 * index type's params) and {@code SearchParams} schemas in {@code openapi.json} (descending into
 * nested settings objects), sends each one alone with a valid, non-default value to a real node,
 * and classifies the answer:
 *
 * <ul>
 *   <li><b>refused</b>: 400 or 422 whose message names the field (or the setting object it is in);
 *   <li><b>echoed</b>: 200, and collection info (or {@code payload_schema}) reports the value at
 *       the field's place;
 *   <li><b>effect</b>: 200 for a field listed in {@link #EFFECT_TESTED} with the test that shows
 *       its effect (search params, which no info reports);
 *   <li><b>silent</b>: anything else — the test fails, unless the field is in {@link #KNOWN_SILENT}
 *       with the reason it is still open (each an open item of the project's issues).
 * </ul>
 *
 * A new field in Qdrant's spec, or a regression, therefore fails here. Without the spec the test is
 * skipped with a loud message, and fails when {@code CI=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class SettingsRuleIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /**
   * Fields whose effect (not an info entry) shows they are honoured, and the test that shows it.
   */
  private static final Map<String, String> EFFECT_TESTED =
      Map.of(
          "SearchParams.hnsw_ef", "SegmentsIT (hnsw_ef answers like brute force)",
          "SearchParams.exact", "SegmentsIT, CollectionUpdateIT (exact answers the exact ranking)",
          "SearchParams.quantization.ignore", "QuantizationIT (ignore: exact scores)",
          "SearchParams.quantization.rescore", "QuantizationIT (rescore: false: the codes' scores)",
          "SearchParams.quantization.oversampling",
              "QuantizationIT, ShardQuantizationTest (recall with oversampling)",
          // On this single node a factor above 1 is refused naming it (more replicas than nodes);
          // in a cluster the replicas follow it: ReplicationFactorIT.
          "UpdateCollection.params.replication_factor",
              "ReplicationFactorIT (replicas added and dropped until every shard has that many)");

  /**
   * Fields accepted without effect or report today, each with why it is still open. The walk prints
   * the entries that are no longer silent, so that the list only shrinks.
   */
  static final Map<String, String> KNOWN_SILENT = new TreeMap<>(Map.<String, String>of());

  private NodeProcess node;
  private QdrantHttp http;
  private JsonNode schemas;
  private final Map<String, String> outcomes = new TreeMap<>();
  private final List<String> silent = java.util.Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger collections =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    Path spec = OpenApiContract.specDir().resolve("openapi.json");
    if (!Files.isRegularFile(spec)) {
      String message =
          "SettingsRuleIT: Qdrant's spec " + spec + " is absent: the settings rule is NOT checked";
      System.err.println("!!!!! " + message);
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + " (CI=true)");
      }
      Assumptions.abort(message);
    }
    schemas = QdrantHttp.JSON.readTree(spec.toFile()).at("/components/schemas");
    node = NODES.start();
    http = new QdrantHttp(node.baseUrl());
    // The collections that updates, searches and indexes go to (a created one is new per field).
    for (String c : List.of("searched", "updated", "indexed")) {
      put("/collections/" + c, "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
    }
    http.send(
        "PUT",
        "/collections/searched/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[1,2,3,4]}]}");
  }

  @Test
  void everyFieldIsHonouredOrRefusedByName() throws Exception {
    List<Field> fields = settingsFields();
    assertTrue(fields.size() > 100, "the walk found only " + fields.size() + " fields");
    // A CreateCollection field gets a collection of its own, so those are checked 16 at a time (a
    // check mostly waits for the node's Raft commits: the test took 74 s one at a time, 60 s 4 at a
    // time, 33 s 16 at a time); the others share a collection each (updated, indexed, searched)
    // and go one after the other.
    Map<String, java.util.concurrent.Future<String>> created = new java.util.LinkedHashMap<>();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(16)) {
      for (Field f : fields) {
        if (f.root().equals("CreateCollection")) {
          created.put(f.name(), pool.submit(() -> check(f)));
        } else {
          outcomes.put(f.name(), check(f));
        }
      }
      for (var e : created.entrySet()) {
        outcomes.put(e.getKey(), e.getValue().get());
      }
    }
    StringBuilder table = new StringBuilder("settings rule, " + fields.size() + " fields:\n");
    outcomes.forEach((name, outcome) -> table.append(String.format("  %-75s %s%n", name, outcome)));
    System.out.println(table);
    for (String known : KNOWN_SILENT.keySet()) {
      if (outcomes.containsKey(known) && !outcomes.get(known).startsWith("silent")) {
        System.out.println(
            "SettingsRuleIT: "
                + known
                + " is no longer silent ("
                + outcomes.get(known)
                + "): remove it from KNOWN_SILENT");
      }
    }
    assertTrue(
        silent.isEmpty(),
        "accepted silently (honour or refuse them by name):\n  " + String.join("\n  ", silent));
  }

  /** A field no Qdrant schema defines: a typo, which must be refused, not ignored. */
  private static final String UNKNOWN = "not_a_qdrant_field";

  /**
   * Every settings object the walk goes through (each root, and each object on a field's path)
   * refuses a field that Qdrant's schema does not define, with 400 naming it: a typo such as {@code
   * hnsw_config.ef_construction} is not taken for a setting and ignored. Also the body of {@code
   * PUT .../index} itself.
   */
  @Test
  void aFieldQdrantDoesNotDefineIsRefusedByName() throws Exception {
    List<Field> fields = settingsFields();
    Map<String, Field> probes = new java.util.LinkedHashMap<>();
    for (Field f : fields) {
      for (int k = 0; k < f.path().size(); k++) {
        List<String> at = new ArrayList<>(f.path().subList(0, k));
        at.add(UNKNOWN);
        Field probe = new Field(f.root(), at, null, f.variant(), f.variantType());
        probes.putIfAbsent(probe.name(), probe);
      }
    }
    List<String> accepted = new ArrayList<>();
    for (Field probe : probes.values()) {
      QdrantHttp.Reply reply = send(probe, body(probe, F.numberNode(1)));
      String error =
          reply.body() == null ? reply.raw() : reply.body().at("/status/error").asText("");
      // Named: the unknown field, or the settings object around it when that is refused whole
      // (`wal_config` is not supported).
      boolean named =
          error.contains(UNKNOWN) || (error.contains("not supported") && names(error, probe));
      if ((reply.status() != 400 && reply.status() != 422) || !named) {
        accepted.add(probe.name() + " -> " + reply.status() + " " + reply.raw());
      }
    }
    QdrantHttp.Reply index =
        http.send(
            "PUT",
            "/collections/indexed/index?wait=true",
            "{\"field_name\":\"f\",\"field_schema\":\"keyword\",\"" + UNKNOWN + "\":1}");
    if (index.status() != 400 || !index.raw().contains(UNKNOWN)) {
      accepted.add("CreateFieldIndex." + UNKNOWN + " -> " + index.status() + " " + index.raw());
    }
    System.out.println("unknown fields probed in " + (probes.size() + 1) + " settings objects");
    assertTrue(probes.size() > 15, "the walk found only " + probes.size() + " settings objects");
    assertTrue(
        accepted.isEmpty(),
        "a field Qdrant does not define, not refused by name:\n  " + String.join("\n  ", accepted));
  }

  /**
   * Every leaf field of Qdrant's {@code CreateCollection}, {@code UpdateCollection}, {@code
   * SearchParams} and each index type's params, as the walk finds them.
   */
  private List<Field> settingsFields() {
    List<Field> fields = new ArrayList<>();
    walk("CreateCollection", ref("CreateCollection"), List.of(), fields, 0, null);
    walk("UpdateCollection", ref("UpdateCollection"), List.of(), fields, 0, null);
    walk("SearchParams", ref("SearchParams"), List.of(), fields, 0, null);
    for (JsonNode variant : alternatives(ref("PayloadSchemaParams"))) {
      walk("CreateFieldIndex.field_schema", variant, List.of(), fields, 0, variant);
    }
    return fields;
  }

  /** One walked field: the schema it belongs to, its path, and the schema of its value. */
  record Field(
      String root, List<String> path, JsonNode schema, JsonNode variant, String variantType) {
    String name() {
      return root
          + "."
          + String.join(".", path)
          + (variant == null ? "" : " (" + variantType + ")");
    }

    String key() {
      return root + "." + String.join(".", path);
    }
  }

  // ---- the walk over the spec ----

  /**
   * Schemas not descended into: filters, free-form JSON, and maps whose entries are walked
   * elsewhere.
   */
  private static final Set<String> LEAVES =
      Set.of(
          "Filter",
          "Payload",
          "IdfParams",
          "SparseVectorsConfig",
          "StrictModeMultivectorConfig",
          "StrictModeSparseConfig",
          "MultiVectorConfig",
          "GeoPoint");

  private void walk(
      String root,
      JsonNode schema,
      List<String> path,
      List<Field> out,
      int depth,
      JsonNode variant) {
    for (JsonNode alt : alternatives(schema)) {
      JsonNode props = alt.get("properties");
      if (props == null) {
        continue;
      }
      for (var p : (Iterable<Map.Entry<String, JsonNode>>) props::fields) {
        List<String> at = new ArrayList<>(path);
        at.add(p.getKey());
        if (p.getKey().equals("type") && variant != null && path.isEmpty()) {
          continue; // the index type itself: sent with every field of its params
        }
        if (root.equals("UpdateCollection") && path.isEmpty() && p.getKey().equals("vectors")) {
          at.add(""); // VectorsConfigDiff: a map of vector names; the unnamed vector is ""
          walk(root, ref("VectorParamsDiff"), at, out, depth + 1, null);
          continue;
        }
        boolean nested = false;
        if (depth < 4 && !LEAVES.contains(refName(p.getValue()))) {
          for (JsonNode a : alternatives(p.getValue())) {
            if (a.has("properties") && !LEAVES.contains(a.path("title").asText())) {
              nested = true;
            }
          }
        }
        if (nested) {
          walk(root, p.getValue(), at, out, depth + 1, variant);
        } else {
          out.add(
              new Field(
                  root,
                  at,
                  p.getValue(),
                  variant,
                  variant == null
                      ? null
                      : alternatives(variant.get("properties").get("type"))
                          .getFirst()
                          .get("enum")
                          .get(0)
                          .asText()));
        }
      }
    }
  }

  private JsonNode ref(String name) {
    JsonNode s = schemas.get(name);
    if (s == null) {
      throw new AssertionError("the spec has no schema " + name);
    }
    return s;
  }

  private static String refName(JsonNode schema) {
    String r = schema.path("$ref").asText("");
    if (!r.isEmpty()) {
      return r.substring(r.lastIndexOf('/') + 1);
    }
    for (JsonNode a : schema.path("anyOf")) {
      if (a.has("$ref")) {
        return refName(a);
      }
    }
    return "";
  }

  /**
   * The concrete alternatives of a schema: $ref resolved, anyOf/oneOf flattened, the bare nullable
   * dropped.
   */
  private List<JsonNode> alternatives(JsonNode schema) {
    List<JsonNode> out = new ArrayList<>();
    if (schema.has("$ref")) {
      out.addAll(alternatives(ref(refName(schema))));
    } else if (schema.has("anyOf") || schema.has("oneOf")) {
      for (JsonNode a : schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf")) {
        if (a.size() == 1 && a.has("nullable")) {
          continue;
        }
        out.addAll(alternatives(a));
      }
    } else {
      out.add(schema);
    }
    return out;
  }

  /**
   * A valid value other than the default: the last enum value, the negated boolean, default + 1...
   */
  private JsonNode sample(JsonNode schema, String name) {
    List<JsonNode> alts = alternatives(schema);
    JsonNode s = alts.getLast();
    JsonNode dflt = schema.get("default");
    if (s.has("enum")) {
      JsonNode pick = null;
      for (JsonNode v : s.get("enum")) {
        if (dflt == null || !v.equals(dflt)) {
          pick = v;
        }
      }
      return pick;
    }
    String type = s.path("type").asText();
    switch (type) {
      case "boolean":
        return F.booleanNode(dflt == null || !dflt.asBoolean());
      case "integer":
        {
          long min = s.has("minimum") ? s.get("minimum").asLong() : 0;
          long v = dflt != null && dflt.isNumber() ? dflt.asLong() + 1 : Math.max(min, 1) + 1;
          if (s.has("maximum")) {
            v = Math.min(v, s.get("maximum").asLong());
          }
          return F.numberNode(v);
        }
      case "number":
        {
          double min = s.has("minimum") ? s.get("minimum").asDouble() : 0;
          double max = s.has("maximum") ? s.get("maximum").asDouble() : min + 4;
          return F.numberNode(
              (min + max) / 2 == (dflt == null ? Double.NaN : dflt.asDouble())
                  ? (min + 3 * max) / 4
                  : (min + max) / 2);
        }
      case "string":
        return F.textNode("f");
      case "array":
        {
          ArrayNode a = F.arrayNode();
          a.add(sample(s.get("items"), name));
          return a;
        }
      default:
        {
          ObjectNode o = F.objectNode();
          JsonNode entries = s.get("additionalProperties");
          if (entries != null && (entries.isBoolean() || entries.isEmpty())
              || s.has("additionalProperties") && !s.has("properties") && entries.isBoolean()) {
            o.put("k", "v");
          } else if (entries != null && entries.isObject()) {
            o.set("k", minimal(entries));
          } else {
            o.setAll(minimal(s));
          }
          return o;
        }
    }
  }

  /** An object with the required properties of {@code schema} only. */
  private ObjectNode minimal(JsonNode schema) {
    ObjectNode o = F.objectNode();
    for (JsonNode alt : alternatives(schema)) {
      for (JsonNode r : alt.path("required")) {
        o.set(r.asText(), sample(alt.get("properties").get(r.asText()), r.asText()));
      }
      if (!o.isEmpty()) {
        return o;
      }
    }
    return o;
  }

  /**
   * The body that sets {@code f} alone (with the required siblings of every object on its path).
   */
  private ObjectNode body(Field f, JsonNode value) {
    ObjectNode root =
        f.root().equals("CreateCollection")
            ? (ObjectNode) parse("{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}")
            : F.objectNode();
    JsonNode schema = f.root().startsWith("CreateFieldIndex") ? f.variant() : ref(f.root());
    if (f.variant() != null) {
      root.put("type", f.variantType());
    }
    ObjectNode at = root;
    for (int i = 0; i < f.path().size() - 1; i++) {
      String step = f.path().get(i);
      JsonNode child = step.isEmpty() ? ref("VectorParamsDiff") : propertyOf(schema, step);
      ObjectNode next = at.has(step) ? (ObjectNode) at.get(step) : F.objectNode();
      if (!step.isEmpty() && child != null) {
        JsonNode objectAlt = objectAlternativeHolding(child, f.path().get(i + 1));
        if (objectAlt != null) {
          minimal(objectAlt)
              .fields()
              .forEachRemaining(
                  e -> {
                    if (!next.has(e.getKey())) next.set(e.getKey(), e.getValue());
                  });
          schema = objectAlt;
        }
      } else {
        schema = child;
      }
      at.set(step, next);
      at = next;
    }
    at.set(f.path().getLast(), value);
    return root;
  }

  private JsonNode propertyOf(JsonNode schema, String name) {
    for (JsonNode alt : alternatives(schema)) {
      if (alt.path("properties").has(name)) {
        return alt.get("properties").get(name);
      }
    }
    return null;
  }

  /**
   * The object alternative of {@code schema} that has property {@code name} (e.g. the scalar
   * variant).
   */
  private JsonNode objectAlternativeHolding(JsonNode schema, String name) {
    for (JsonNode alt : alternatives(schema)) {
      if (alt.path("properties").has(name)) {
        return alt;
      }
    }
    return null;
  }

  // ---- sending and classifying ----

  /**
   * Fields whose sampled value (the last enum value) Quiver refuses, but which it honours for other
   * values: the walk sends this value instead, so the field must come back echoed.
   */
  private static final Map<String, JsonNode> HONOURED_VALUES =
      Map.of(
          "CreateCollection.vectors.datatype",
          F.textNode("float16")); // turbo4 is refused: DatatypeIT

  private String check(Field f) throws Exception {
    JsonNode value = HONOURED_VALUES.getOrDefault(f.key(), sample(f.schema(), f.path().getLast()));
    ObjectNode body = body(f, value);
    Sent sent = sendAndRead(f, body);
    QdrantHttp.Reply reply = sent.reply();
    JsonNode reported = sent.reported();
    String what = f.key() + " = " + value;
    if (reply.status() == 400 || reply.status() == 422) {
      String error = reply.body() == null ? reply.raw() : reply.body().at("/status/error").asText();
      if (names(error, f)) {
        return "refused " + reply.status();
      }
      return record(f, "refused without naming it: " + what + " -> " + error);
    }
    if (reply.status() != 200) {
      return record(f, "status " + reply.status() + ": " + what + " -> " + reply.raw());
    }
    if (reported != null && value.equals(reportedAt(f, reported))
        || numericallyEqual(value, reportedAt(f, reported))) {
      return "echoed";
    }
    if (EFFECT_TESTED.containsKey(f.key())) {
      return "effect (" + EFFECT_TESTED.get(f.key()) + ")";
    }
    return record(f, "silent: " + what + " -> reported " + reportedAt(f, reported));
  }

  /** A reply, and what info reports where the field was sent (null when not read). */
  private record Sent(QdrantHttp.Reply reply, JsonNode reported) {}

  private QdrantHttp.Reply send(Field f, ObjectNode body) throws Exception {
    return sendAndRead(f, body).reply();
  }

  /**
   * Sends {@code body} where {@code f}'s root goes: a new collection (deleted after), an update of
   * collection {@code updated}, the params of a query of {@code searched}, or an index of {@code
   * indexed} (deleted after); then reads what info reports.
   */
  private Sent sendAndRead(Field f, ObjectNode body) throws Exception {
    QdrantHttp.Reply reply;
    JsonNode reported;
    String c = "/collections/rule" + collections.incrementAndGet();
    switch (f.root()) {
      case "CreateCollection" -> {
        reply = http.send("PUT", c, body.toString());
        reported = reply.status() == 200 ? info(c).get("config") : null;
      }
      case "UpdateCollection" -> {
        c = "/collections/updated"; // one collection takes every update: each sets one field, so
        // its echo is its own
        reply = http.send("PATCH", c, body.toString());
        reported = reply.status() == 200 ? info(c).get("config") : null;
      }
      case "SearchParams" -> {
        reply =
            http.send(
                "POST",
                "/collections/searched/points/query",
                "{\"query\":[1,1,1,1],\"limit\":1,\"params\":" + body + "}");
        reported = null;
      }
      default -> {
        c = "/collections/indexed"; // one collection: each index is created, checked and deleted
        reply =
            http.send(
                "PUT",
                c + "/index?wait=true",
                "{\"field_name\":\"f\",\"field_schema\":" + body + "}");
        reported = reply.status() == 200 ? info(c).at("/payload_schema/f/params") : null;
        http.send("DELETE", c + "/index/f?wait=true", null);
      }
    }
    if (f.root().equals("CreateCollection")) {
      http.send("DELETE", c, null);
    }
    return new Sent(reply, reported);
  }

  private String record(Field f, String what) {
    if (KNOWN_SILENT.containsKey(f.key())) {
      return "silent, known: " + KNOWN_SILENT.get(f.key());
    }
    silent.add(f.name() + ": " + what);
    return what;
  }

  /** A refusal names the field when it mentions its name or a settings object on its path. */
  private static boolean names(String error, Field f) {
    for (String step : f.path()) {
      if (!step.isEmpty() && !step.equals("params") && error.contains(step)) {
        return true;
      }
    }
    return false;
  }

  /** Where info reports a field: Qdrant's CollectionConfig layout. */
  private static JsonNode reportedAt(Field f, JsonNode reported) {
    if (reported == null) {
      return null;
    }
    List<String> p = new ArrayList<>(f.path());
    if (f.root().startsWith("CreateFieldIndex")) {
      return at(reported, p);
    }
    String first = p.getFirst();
    List<String> mapped = new ArrayList<>();
    switch (first) {
      case "vectors" -> {
        mapped.add("params");
        mapped.add("vectors");
        p.removeFirst();
        if (!p.isEmpty() && p.getFirst().isEmpty()) {
          p.removeFirst(); // the unnamed vector is reported without a name
        }
      }
      case "shard_number",
          "sharding_method",
          "replication_factor",
          "write_consistency_factor",
          "on_disk_payload",
          "sparse_vectors",
          "payload",
          "read_fan_out_factor",
          "read_fan_out_delay_ms" ->
          mapped.add("params");
      case "params" -> {
        mapped.add("params");
        p.removeFirst();
      }
      case "optimizers_config" -> {
        mapped.add("optimizer_config");
        p.removeFirst();
      }
      default -> {}
    }
    mapped.addAll(p);
    return at(reported, mapped);
  }

  private static JsonNode at(JsonNode node, List<String> path) {
    JsonNode n = node;
    for (String step : path) {
      n = n == null ? null : n.get(step);
    }
    return n;
  }

  private static boolean numericallyEqual(JsonNode a, JsonNode b) {
    return a != null
        && b != null
        && a.isNumber()
        && b.isNumber()
        && Math.abs(a.asDouble() - b.asDouble()) < 1e-6;
  }

  private void put(String c, String body) throws Exception {
    QdrantHttp.Reply r = http.send("PUT", c, body);
    if (r.status() != 200) {
      throw new AssertionError("cannot create " + c + ": " + r.raw());
    }
  }

  private JsonNode info(String c) throws Exception {
    return http.get(c).body().get("result");
  }

  private static JsonNode parse(String json) {
    try {
      return QdrantHttp.JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
