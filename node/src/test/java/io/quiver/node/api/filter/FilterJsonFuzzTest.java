package io.quiver.node.api.filter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FilterJsonFuzzTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static final String[] VALID = {
    "{'must': [{'key': 'a.b[]', 'match': {'value': 'x'}}, {'key': 'n', 'range': {'gte': 1, 'lt': 5}}]}",
    "{'should': {'key': 'd', 'range': {'gt': '2024-01-01T00:00:00Z'}}, 'must_not': [{'has_id': [1, '550e8400-e29b-41d4-a716-446655440000']}]}",
    "{'min_should': {'conditions': [{'is_empty': {'key': 'x'}}, {'is_null': {'key': 'y'}}, {'has_vector': ''}], 'min_count': 2}}",
    "{'must': {'nested': {'key': 'k', 'filter': {'must': {'key': 'v', 'match': {'any': [1, 2]}}}}}}",
    "{'must': [{'key': 'g', 'geo_radius': {'center': {'lat': 1, 'lon': 2}, 'radius': 5}}, {'key': 'g', 'geo_bounding_box':"
        + " {'top_left': {'lat': 1, 'lon': 2}, 'bottom_right': {'lat': 0, 'lon': 3}}}, {'key': 'c', 'values_count': {'lt': 3}}]}",
    "{'must': {'key': 'g', 'geo_polygon': {'exterior': {'points': [{'lat': 0, 'lon': 0}, {'lat': 0, 'lon': 1}, {'lat': 1, 'lon': 1},"
        + " {'lat': 0, 'lon': 0}]}}}, 'should': [{'slice': {'index': 0, 'total': 2}}, {'key': 't', 'match': {'text_any': 'a b'}}]}",
  };

  /**
   * Goal: whatever a client sends, the reader answers with a filter or a 400 (malformed) or 422 (a
   * well-formed value out of range) that names a field under {@code filter} — never another
   * exception. Oracle: the exception type and message shape. Inputs: valid filters with one to
   * three random nodes replaced by random JSON values.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void mutatedFiltersParseOrFailWithA4xx() {
    String fixed = System.getProperty("tests.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    Random random = new Random(seed);
    int rejected = 0;
    for (int i = 0; i < 20_000; i++) {
      JsonNode doc = FilterJsonTest.json(VALID[random.nextInt(VALID.length)]);
      int mutations = 1 + random.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        mutate(doc, random);
      }
      try {
        Filter parsed = FilterJson.parse(doc, "filter");
        assertTrue(parsed != null);
      } catch (ApiException e) {
        rejected++;
        assertTrue(e.status() == 400 || e.status() == 422, "seed " + seed + ": " + e.status());
        assertTrue(
            e.getMessage().contains("`filter"), () -> "seed " + seed + ": " + e.getMessage());
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay with -Dtests.seed): input " + doc, e);
      }
    }
    assertTrue(
        rejected > 1000 && rejected < 19_900, "seed " + seed + ": " + rejected + " rejected");
  }

  private static void mutate(JsonNode doc, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(doc, containers);
    JsonNode target = containers.get(random.nextInt(containers.size()));
    if (target instanceof ObjectNode o && !o.isEmpty()) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.get(random.nextInt(names.size()));
      switch (random.nextInt(4)) {
        case 0 -> o.remove(name);
        case 1 -> o.set(name + (random.nextBoolean() ? "x" : ""), randomValue(random));
        default -> o.set(name, randomValue(random));
      }
    } else if (target instanceof ArrayNode a && !a.isEmpty()) {
      a.set(random.nextInt(a.size()), randomValue(random));
    }
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.forEach(child -> collect(child, out));
    }
  }

  private static JsonNode randomValue(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> F.nullNode();
      case 1 -> F.numberNode(random.nextInt(5) - 1);
      case 2 -> F.numberNode(random.nextDouble() * 200 - 100);
      case 3 -> F.textNode(random.nextBoolean() ? "a" : "2024-01-01");
      case 4 -> F.booleanNode(random.nextBoolean());
      case 5 -> F.arrayNode().add(random.nextInt(3)).add("x");
      case 6 -> F.arrayNode();
      case 7 -> F.objectNode();
      case 8 -> F.numberNode(new java.math.BigInteger("99999999999999999999999"));
      default -> F.objectNode().put("key", "a").set("match", F.objectNode().put("value", 1));
    };
  }
}
