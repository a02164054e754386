package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Qdrant's named-vector model through REST against a real node process (2 shards), every response
 * validated against Qdrant's OpenAPI spec: points omitting named vectors (dense and sparse),
 * retrieve and scroll showing exactly the vectors a point has, searches {@code using} a vector
 * returning only points that have it, {@code has_vector} in count, scroll, query and
 * delete-by-filter, {@code POST points/vectors/delete} (ids and filter), {@code PUT points/vectors}
 * with sparse vectors, and {@code PUT / DELETE /collections/{c}/vectors/{name}} (dense and sparse),
 * with the refusals naming what is wrong.
 *
 * <p>Oracle: a model of each point's vector names kept by the test; small integer vectors, so the
 * brute-force rankings computed here are exact.
 */
@Timeout(240)
class NamedVectorsIT {

  private static final String C = "/collections/nv";
  private static final String COLLECTION = "/collections/{collection_name}";

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  /** Point id -> the names of the vectors it has (dense and sparse). */
  private final TreeMap<Integer, Set<String>> names = new TreeMap<>();

  /** Point id -> its dense "b" vector (Euclid, size 2), for the brute-force ranking. */
  private final TreeMap<Integer, float[]> bVectors = new TreeMap<>();

  @Test
  void namedVectorsThroughRest() throws Exception {
    NodeProcess node = NODES.start();
    SpecClient api = new SpecClient(node.baseUrl());
    api.call(
        "PUT",
        COLLECTION,
        C,
        "{\"vectors\":{\"a\":{\"size\":3,\"distance\":\"Dot\"},"
            + "\"b\":{\"size\":2,\"distance\":\"Euclid\"}},\"sparse_vectors\":{\"s\":{}},\"shard_number\":2}",
        200);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i <= 60; i++) {
      StringBuilder vector = new StringBuilder("{");
      Set<String> has = new TreeSet<>();
      if (i % 2 == 0 && i != 60) {
        vector.append("\"a\":[").append(i % 5).append(",1,").append(i % 3 - 1).append("]");
        has.add("a");
      }
      if (i % 3 == 0 && i != 60) {
        float[] b = {i % 7 - 3, i % 4};
        bVectors.put(i, b);
        vector
            .append(has.isEmpty() ? "" : ",")
            .append("\"b\":[")
            .append((int) b[0])
            .append(",")
            .append((int) b[1])
            .append("]");
        has.add("b");
      }
      if (i % 5 == 0 && i != 60) {
        vector
            .append(has.isEmpty() ? "" : ",")
            .append("\"s\":{\"indices\":[")
            .append(i % 4)
            .append("],\"values\":[1]}");
        has.add("s");
      }
      names.put(i, has);
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":")
          .append(vector)
          .append("},\"payload\":{\"g\":\"")
          .append(i % 2 == 0 ? "even" : "odd")
          .append("\"}}");
    }
    api.call(
        "PUT",
        COLLECTION + "/points",
        C + "/points?wait=true",
        points.append("]}").toString(),
        200);
    assertVectorsAsModel(api, "after the upsert");
    assertSearchUsingB(api, "after the upsert");
    assertHasVectorCounts(api, List.of("a", "b", "s"), "after the upsert");
    JsonNode scrolled =
        api.call(
                "POST",
                COLLECTION + "/points/scroll",
                C + "/points/scroll",
                "{\"limit\":100,\"filter\":{\"must\":[{\"has_vector\":\"s\"}]}}",
                200)
            .body()
            .at("/result/points");
    assertEquals(idsHaving("s"), ids(scrolled), "scroll has_vector s");

    // Vector deletion, by ids and by filter; a point that had none of them is left as it is.
    api.call(
        "POST",
        COLLECTION + "/points/vectors/delete",
        C + "/points/vectors/delete?wait=true",
        "{\"points\":[0,6,7],\"vector\":[\"a\",\"s\"]}",
        200);
    for (int id : List.of(0, 6, 7)) {
      names.get(id).removeAll(List.of("a", "s"));
    }
    api.call(
        "POST",
        COLLECTION + "/points/vectors/delete",
        C + "/points/vectors/delete?wait=true",
        "{\"filter\":{\"must\":[{\"key\":\"g\",\"match\":{\"value\":\"odd\"}}]},\"vector\":[\"b\"]}",
        200);
    names.forEach(
        (id, has) -> {
          if (id % 2 == 1 && has.remove("b")) {
            bVectors.remove(id);
          }
        });
    // A vector update with a sparse vector keeps the point's other vectors.
    api.call(
        "PUT",
        COLLECTION + "/points/vectors",
        C + "/points/vectors?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"s\":{\"indices\":[9],\"values\":[2]}}},{\"id\":60,\"vector\":{\"a\":[1,1,1]}}]}",
        200);
    names.get(1).add("s");
    names.get(60).add("a");
    assertVectorsAsModel(api, "after vector deletes and updates");
    assertSearchUsingB(api, "after vector deletes");
    assertHasVectorCounts(api, List.of("a", "b", "s"), "after vector deletes");
    JsonNode one =
        api.call(
                "POST",
                COLLECTION + "/points",
                C + "/points",
                "{\"ids\":[1],\"with_vector\":true}",
                200)
            .result();
    assertEquals(
        QdrantHttp.JSON.readTree("{\"indices\":[9],\"values\":[2.0]}"), one.get(0).at("/vector/s"));
    api.assertError(
        "POST",
        COLLECTION + "/points/vectors/delete",
        C + "/points/vectors/delete",
        "{\"points\":[1],\"vector\":[\"nope\"]}",
        400,
        "nope");
    api.assertError(
        "POST",
        COLLECTION + "/points/vectors/delete",
        C + "/points/vectors/delete",
        "{\"points\":[1]}",
        400,
        "vector");
    api.assertError(
        "PUT",
        COLLECTION + "/points/vectors",
        C + "/points/vectors",
        "{\"points\":[{\"id\":1,\"vector\":{\"a\":{\"indices\":[1],\"values\":[1]}}}]}",
        400,
        "a");

    // Named vectors created after creation: existing points lack them.
    api.call(
        "PUT",
        COLLECTION + "/vectors/{vector_name}",
        C + "/vectors/c?wait=true",
        "{\"dense\":{\"size\":2,\"distance\":\"Dot\"}}",
        200);
    api.call(
        "PUT",
        COLLECTION + "/vectors/{vector_name}",
        C + "/vectors/t?wait=true",
        "{\"sparse\":{\"modifier\":\"idf\"}}",
        200);
    JsonNode params = api.call("GET", COLLECTION, C, null, 200).result().at("/config/params");
    assertEquals(
        QdrantHttp.JSON.readTree("{\"size\":2,\"distance\":\"Dot\"}"), params.at("/vectors/c"));
    assertEquals(
        QdrantHttp.JSON.readTree("{\"modifier\":\"idf\"}"), params.at("/sparse_vectors/t"));
    assertVectorsAsModel(api, "after creating c and t");
    api.call(
        "PUT",
        COLLECTION + "/points",
        C + "/points?wait=true",
        "{\"points\":["
            + "{\"id\":100,\"vector\":{\"c\":[1,2],\"t\":{\"indices\":[1],\"values\":[1]}},\"payload\":{\"g\":\"even\"}},"
            + "{\"id\":101,\"vector\":{\"c\":[2,1],\"a\":[0,0,1]},\"payload\":{\"g\":\"odd\"}}]}",
        200);
    names.put(100, new TreeSet<>(Set.of("c", "t")));
    names.put(101, new TreeSet<>(Set.of("a", "c")));
    JsonNode usingC =
        api.call(
                "POST",
                COLLECTION + "/points/query",
                C + "/points/query",
                "{\"query\":[1,0],\"using\":\"c\",\"limit\":10}",
                200)
            .result()
            .get("points");
    assertEquals(List.of(101, 100), ids(usingC), "only the points having c, best first");
    assertHasVectorCounts(api, List.of("a", "b", "c", "s", "t"), "after adding c and t");
    api.assertError(
        "PUT",
        COLLECTION + "/vectors/{vector_name}",
        C + "/vectors/c",
        "{\"dense\":{\"size\":2,\"distance\":\"Dot\"}}",
        400,
        "already exists");
    api.assertError(
        "PUT",
        COLLECTION + "/vectors/{vector_name}",
        C + "/vectors/d",
        "{\"dense\":{\"size\":2,\"distance\":\"Dot\",\"on_disk\":true}}",
        400,
        "on_disk");
    api.assertError(
        "PUT",
        COLLECTION + "/vectors/{vector_name}",
        C + "/vectors/d",
        "{\"dense\":{\"size\":0,\"distance\":\"Dot\"}}",
        400,
        "size");
    api.assertError(
        "PUT",
        COLLECTION + "/vectors/{vector_name}",
        C + "/vectors/d",
        "{\"sparse\":{\"datatype\":\"turbo4\"}}",
        400,
        "sparse.datatype");

    // Named vectors dropped: their data leaves every point, the collection info and the searches.
    api.call(
        "DELETE", COLLECTION + "/vectors/{vector_name}", C + "/vectors/b?wait=true", null, 200);
    api.call(
        "DELETE", COLLECTION + "/vectors/{vector_name}", C + "/vectors/s?wait=true", null, 200);
    names.values().forEach(has -> has.removeAll(List.of("b", "s")));
    params = api.call("GET", COLLECTION, C, null, 200).result().at("/config/params");
    assertEquals(Set.of("a", "c"), fieldNames(params.get("vectors")));
    assertEquals(Set.of("t"), fieldNames(params.get("sparse_vectors")));
    assertVectorsAsModel(api, "after dropping b and s");
    api.assertError(
        "POST",
        COLLECTION + "/points/query",
        C + "/points/query",
        "{\"query\":[1,0],\"using\":\"b\",\"limit\":3}",
        400,
        "b");
    api.assertError(
        "DELETE", COLLECTION + "/vectors/{vector_name}", C + "/vectors/b", null, 400, "b");
    api.call(
        "PUT",
        COLLECTION + "/points",
        C + "/points?wait=true",
        "{\"points\":[{\"id\":102,\"vector\":{\"a\":[1,0,0]}}]}",
        200);
    names.put(102, new TreeSet<>(Set.of("a")));
    api.assertError(
        "PUT",
        COLLECTION + "/points",
        C + "/points",
        "{\"points\":[{\"id\":103,\"vector\":{\"b\":[1,0]}}]}",
        400,
        "b");

    // Delete by a has_vector filter.
    api.call(
        "POST",
        COLLECTION + "/points/delete",
        C + "/points/delete?wait=true",
        "{\"filter\":{\"must\":[{\"has_vector\":\"c\"}]}}",
        200);
    names.values().removeIf(has -> has.contains("c"));
    assertVectorsAsModel(api, "after deleting the points having c");
    assertHasVectorCounts(api, List.of("a", "c", "t"), "after deleting the points having c");
  }

  /** Scroll with vectors: every point, each with exactly the vectors of the model. */
  private void assertVectorsAsModel(SpecClient api, String when) throws Exception {
    JsonNode points =
        api.call(
                "POST",
                COLLECTION + "/points/scroll",
                C + "/points/scroll",
                "{\"limit\":1000,\"with_vector\":true}",
                200)
            .body()
            .at("/result/points");
    assertEquals(List.copyOf(names.keySet()), ids(points), when);
    for (JsonNode p : points) {
      int id = p.get("id").asInt();
      assertEquals(names.get(id), fieldNames(p.get("vector")), when + ": vectors of point " + id);
    }
  }

  /** A search using "b" (Euclid): only the points having b, in brute-force order. */
  private void assertSearchUsingB(SpecClient api, String when) throws Exception {
    float[] q = {1, 1};
    List<Map.Entry<Integer, Float>> truth = new ArrayList<>();
    bVectors.forEach(
        (id, b) ->
            truth.add(
                Map.entry(
                    id,
                    (float)
                        Math.sqrt((b[0] - q[0]) * (b[0] - q[0]) + (b[1] - q[1]) * (b[1] - q[1])))));
    truth.sort(
        Comparator.comparing((Map.Entry<Integer, Float> e) -> e.getValue())
            .thenComparing(Map.Entry::getKey));
    JsonNode hits =
        api.call(
                "POST",
                COLLECTION + "/points/query",
                C + "/points/query",
                "{\"query\":[1,1],\"using\":\"b\",\"limit\":100,\"params\":{\"exact\":true}}",
                200)
            .result()
            .get("points");
    assertEquals(truth.stream().map(Map.Entry::getKey).toList(), ids(hits), when);
    for (int i = 0; i < hits.size(); i++) {
      assertEquals(truth.get(i).getValue(), hits.get(i).get("score").floatValue(), 1e-5f, when);
    }
    JsonNode legacy =
        api.call(
                "POST",
                COLLECTION + "/points/search",
                C + "/points/search",
                "{\"vector\":{\"name\":\"b\",\"vector\":[1,1]},\"limit\":100}",
                200)
            .result();
    for (JsonNode h : legacy) {
      assertTrue(bVectors.containsKey(h.get("id").asInt()), when + ": a hit without b: " + h);
    }
  }

  private void assertHasVectorCounts(SpecClient api, List<String> vectors, String when)
      throws Exception {
    for (String v : vectors) {
      JsonNode count =
          api.call(
                  "POST",
                  COLLECTION + "/points/count",
                  C + "/points/count",
                  "{\"exact\":true,\"filter\":{\"must\":[{\"has_vector\":\"" + v + "\"}]}}",
                  200)
              .result();
      assertEquals(idsHaving(v).size(), count.get("count").asInt(), when + ": has_vector " + v);
      JsonNode without =
          api.call(
                  "POST",
                  COLLECTION + "/points/count",
                  C + "/points/count",
                  "{\"exact\":true,\"filter\":{\"must_not\":[{\"has_vector\":\"" + v + "\"}]}}",
                  200)
              .result();
      assertEquals(
          names.size() - idsHaving(v).size(),
          without.get("count").asInt(),
          when + ": not has_vector " + v);
    }
  }

  private List<Integer> idsHaving(String vector) {
    return names.entrySet().stream()
        .filter(e -> e.getValue().contains(vector))
        .map(Map.Entry::getKey)
        .toList();
  }

  private static List<Integer> ids(JsonNode points) {
    List<Integer> out = new ArrayList<>();
    points.forEach(p -> out.add(p.get("id").asInt()));
    return out;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> out = new TreeSet<>();
    if (object != null && object.isObject()) {
      object.fieldNames().forEachRemaining(out::add);
    }
    assertFalse(
        object != null && object.isArray(),
        "vectors of a named-vector collection must be an object: " + object);
    return out;
  }
}
