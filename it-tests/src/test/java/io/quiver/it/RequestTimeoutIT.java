package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code timeout} query parameter on a real node, collection of two shards: a timeout far below
 * what a request needs (1 µs; the heaviest calls are exact scans of 6,000 x 64 vectors) answers
 * Qdrant's 408 with the error envelope on every read and write endpoint that documents it; a
 * generous one (whole or fractional seconds) answers as usual; an invalid one is a 400 naming
 * {@code timeout}. Every body is validated against Qdrant's OpenAPI schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class RequestTimeoutIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private static final String C = "/collections/slow";
  private static final int N = 6_000;
  private static final int DIM = 64;
  private static final String TINY = "timeout=0.000001";

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
    api.call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"size\":" + DIM + ",\"distance\":\"Cosine\"},\"shard_number\":2}",
        200);
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"n\",\"field_schema\":\"integer\"}",
        200);
    Random random = new Random(3);
    for (int from = 0; from < N; from += 1_000) {
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int i = from; i < from + 1_000; i++) {
        body.append(i == from ? "" : ",")
            .append("{\"id\":")
            .append(i)
            .append(",\"vector\":")
            .append(vector(random))
            .append(",\"payload\":{\"n\":")
            .append(i % 97)
            .append(",\"tag\":\"t")
            .append(i % 5)
            .append("\"}}");
      }
      api.call(
          "PUT",
          "/collections/{collection_name}/points",
          C + "/points?wait=true",
          body.append("]}").toString(),
          200);
    }
  }

  private static String vector(Random random) {
    StringBuilder v = new StringBuilder("[");
    for (int d = 0; d < DIM; d++) {
      v.append(d == 0 ? "" : ",").append(random.nextInt(100) - 50);
    }
    return v.append("]").toString();
  }

  private static final String QUERY =
      "{\"query\":" + vector(new Random(9)) + ",\"limit\":100,\"params\":{\"exact\":true}}";

  /**
   * (method, template, path after the collection, body) of each endpoint that takes {@code
   * timeout}.
   */
  private static List<String[]> endpoints() {
    String points = "/collections/{collection_name}/points";
    String q = QUERY;
    return List.of(
        new String[] {"POST", points + "/query", "/points/query", q},
        new String[] {
          "POST",
          points + "/query/batch",
          "/points/query/batch",
          "{\"searches\":[" + q + "," + q + "]}"
        },
        new String[] {
          "POST",
          points + "/query/groups",
          "/points/query/groups",
          q.substring(0, q.length() - 1) + ",\"group_by\":\"tag\"}"
        },
        new String[] {
          "POST",
          points + "/search",
          "/points/search",
          "{\"vector\":" + vector(new Random(9)) + ",\"limit\":100,\"params\":{\"exact\":true}}"
        },
        new String[] {
          "POST", points + "/recommend", "/points/recommend", "{\"positive\":[1,2],\"limit\":50}"
        },
        new String[] {
          "POST",
          points + "/discover",
          "/points/discover",
          "{\"target\":3,\"context\":[{\"positive\":1,\"negative\":2}],\"limit\":50}"
        },
        new String[] {
          "POST",
          points + "/scroll",
          "/points/scroll",
          "{\"limit\":500,\"filter\":{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"t1\"}}]}}"
        },
        new String[] {
          "POST",
          points + "/scroll",
          "/points/scroll",
          "{\"limit\":500,\"order_by\":{\"key\":\"n\",\"direction\":\"desc\"}}"
        },
        new String[] {
          "POST",
          points + "/count",
          "/points/count",
          "{\"filter\":{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"t2\"}}]}}"
        },
        new String[] {"POST", points, "/points", "{\"ids\":[1,2,3,4,5],\"with_vector\":true}"},
        new String[] {
          "POST", "/collections/{collection_name}/facet", "/facet", "{\"key\":\"tag\"}"
        },
        new String[] {
          "POST",
          points + "/search/matrix/pairs",
          "/points/search/matrix/pairs",
          "{\"sample\":50,\"limit\":3}"
        },
        new String[] {
          "POST",
          points + "/search/matrix/offsets",
          "/points/search/matrix/offsets",
          "{\"sample\":50,\"limit\":3}"
        });
  }

  /**
   * Writes that take {@code timeout}; each is harmless to apply late (the points it touches are not
   * read back here).
   */
  private static List<String[]> writes() {
    String points = "/collections/{collection_name}/points";
    return List.of(
        new String[] {
          "PUT",
          points,
          "/points?wait=true",
          "{\"points\":[{\"id\":900001,\"vector\":" + vector(new Random(1)) + "}]}"
        },
        new String[] {
          "POST", points + "/delete", "/points/delete?wait=true", "{\"points\":[900002]}"
        },
        new String[] {
          "POST",
          points + "/payload",
          "/points/payload?wait=true",
          "{\"payload\":{\"x\":1},\"points\":[900003]}"
        },
        new String[] {
          "POST",
          points + "/batch",
          "/points/batch?wait=true",
          "{\"operations\":[{\"delete\":{\"points\":[900004]}}]}"
        },
        new String[] {
          "PUT",
          "/collections/{collection_name}/index",
          "/index?wait=true",
          "{\"field_name\":\"other\",\"field_schema\":\"keyword\"}"
        });
  }

  private static String withParam(String path, String param) {
    return C + path + (path.contains("?") ? "&" : "?") + param;
  }

  @Test
  void aTinyTimeoutAnswers408AndAGenerousOneSucceeds() throws Exception {
    for (String[] e : endpoints()) {
      QdrantHttp.Reply r = api.call(e[0], e[1], withParam(e[2], TINY), e[3], 408);
      String error = r.body().at("/status/error").asText();
      assertTrue(error.startsWith("Timeout error"), e[2] + ": " + error);
      assertTrue(r.body().get("time").isNumber(), r.raw());
      api.call(e[0], e[1], withParam(e[2], "timeout=30"), e[3], 200);
      api.call(e[0], e[1], withParam(e[2], "timeout=2.5"), e[3], 200);
    }
    for (String[] w : writes()) {
      api.call(w[0], w[1], withParam(w[2], TINY), w[3], 408);
      api.call(w[0], w[1], withParam(w[2], "timeout=30"), w[3], 200);
    }
    JsonNode count =
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                C + "/points/count?timeout=10",
                "{}",
                200)
            .result();
    assertTrue(count.get("count").asLong() >= N, count.toString());
  }

  @Test
  void anInvalidTimeoutIs400NamingIt() throws Exception {
    for (String bad : List.of("-1", "0", "abc", "1s", "NaN", "1e400")) {
      api.assertError(
          "POST",
          "/collections/{collection_name}/points/query",
          withParam("/points/query", "timeout=" + bad),
          QUERY,
          400,
          "timeout");
      api.assertError(
          "PUT",
          "/collections/{collection_name}/points",
          withParam("/points", "timeout=" + bad),
          "{\"points\":[]}",
          400,
          "timeout");
    }
    assertEquals(
        200,
        api.call(
                "POST",
                "/collections/{collection_name}/points/scroll",
                withParam("/points/scroll", "timeout="),
                "{\"limit\":1}",
                200)
            .status(),
        "an empty timeout is no timeout");
  }
}
