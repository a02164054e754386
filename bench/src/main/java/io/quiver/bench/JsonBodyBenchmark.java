package io.quiver.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.NumberArrayNode;
import io.quiver.node.http.RawJsonObjectNode;
import io.quiver.node.http.RestRequest;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How long the node takes to read a request body into its JSON tree, its vectors into {@code
 * float[]} and its payloads into the bytes that go into the log, and what it allocates meanwhile,
 * on one thread: the node's reader ({@link RestRequest#jsonBody}, arrays of numbers into primitive
 * arrays, payloads keeping their bytes of the body) beside Jackson's tree reader ({@code readTree},
 * a node per number, then each number read from its node and each payload serialized), and beside
 * the node's reader with payloads serialized from their trees, alternating, on the same bodies: an
 * upsert batch of {@code --points} points of {@code --dim} numbers as clients print them (up to 17
 * significant digits) with a text payload ({@code --payload-chars} more characters of text), and
 * one query vector.
 *
 * <pre>
 * bin/quiver bench json-body [--points 1000] [--dims 128,784,1536] [--rounds 5] [--payload-chars 0]
 * </pre>
 */
final class JsonBodyBenchmark {

  private JsonBodyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int points = 1000;
    int[] dims = {128, 784, 1536};
    int rounds = 5;
    int payloadChars = 0;
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--points" -> points = Integer.parseInt(v);
        case "--dims" ->
            dims = java.util.Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        case "--rounds" -> rounds = Integer.parseInt(v);
        case "--payload-chars" -> payloadChars = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    // As the node configures its mapper (QuiverNode): FastDoubleParser for numbers.
    ObjectMapper json =
        new ObjectMapper(
            JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build());
    System.out.printf(
        "json-body bench: %s, last of %d rounds, each reader in turn%n", Runtime.version(), rounds);
    for (int dim : dims) {
      byte[] batch = upsertBody(points, dim, payloadChars);
      byte[] query = queryBody(dim);
      for (String kind : List.of("upsert", "query")) {
        byte[] body = kind.equals("upsert") ? batch : query;
        int iterations = Math.max(3, (int) (200_000_000L / body.length));
        double[] tree = null;
        double[] node = null;
        double[] serialized = null;
        for (int round = 0; round < rounds; round++) {
          tree = time(() -> treeFloats(json, body), iterations);
          node = time(() -> nodeFloats(json, body, true), iterations);
          serialized = time(() -> nodeFloats(json, body, false), iterations);
        }
        System.out.printf(
            "%-6s dim %4d, %,9d bytes: Jackson's tree %9.3f ms %,11.0f bytes allocated;"
                + " the node's reader %9.3f ms %,11.0f bytes allocated (%.0f%% of the time);"
                + " with payloads serialized from the tree %9.3f ms %,11.0f bytes allocated%n",
            kind,
            dim,
            body.length,
            tree[0],
            tree[1],
            node[0],
            node[1],
            100 * node[0] / tree[0],
            serialized[0],
            serialized[1]);
      }
    }
  }

  /** Mean milliseconds and bytes allocated per call of {@code read} (after one warm-up call). */
  private static double[] time(Reader read, int iterations) throws Exception {
    read.floats();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytes = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    long sink = 0;
    for (int i = 0; i < iterations; i++) {
      sink += read.floats();
    }
    double ms = (System.nanoTime() - start) / 1e6 / iterations;
    double allocated = (double) (threads.getCurrentThreadAllocatedBytes() - bytes) / iterations;
    if (sink == 42) {
      System.out.print("");
    }
    return new double[] {ms, allocated};
  }

  @FunctionalInterface
  private interface Reader {
    /** Reads a body; returns the number of floats read. */
    long floats() throws Exception;
  }

  /**
   * Jackson's tree, each number then read from its node and each payload serialized for the log (as
   * the node did before its reader).
   */
  private static long treeFloats(ObjectMapper json, byte[] body) throws Exception {
    JsonNode root =
        json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
    long n = 0;
    for (JsonNode payload : payloads(root)) {
      n += io.quiver.storage.Payload.of((ObjectNode) payload).toBytes().length > 0 ? 0 : 1;
    }
    for (JsonNode vector : vectors(root)) {
      float[] v = new float[vector.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = vector.get(i).floatValue();
      }
      n += v.length;
    }
    return n;
  }

  /**
   * The node's own reader, as a handler gets the body, and each payload's bytes for the log as
   * {@code PointJson.payload} takes them: the body's own bytes, or the tree serialized when the
   * reader kept none ({@code rawPayloads} false: always the tree serialized, as before the reader
   * kept them).
   */
  private static long nodeFloats(ObjectMapper json, byte[] body, boolean rawPayloads) {
    JsonNode root =
        new RestRequest("PUT", Map.of(), Map.of(), "application/json", body, json).jsonBody(true);
    long n = 0;
    for (JsonNode payload : payloads(root)) {
      byte[] bytes =
          rawPayloads && payload instanceof RawJsonObjectNode raw && raw.rawJson() != null
              ? io.quiver.storage.Payload.fromBytes(raw.rawJson()).toBytes()
              : io.quiver.storage.Payload.of((ObjectNode) payload).toBytes();
      n += bytes.length > 0 ? 0 : 1;
    }
    for (JsonNode vector : vectors(root)) {
      n += ((NumberArrayNode) vector).floats().length;
    }
    return n;
  }

  private static List<JsonNode> vectors(JsonNode root) {
    if (root.has("query")) {
      return List.of(root.get("query"));
    }
    List<JsonNode> out = new java.util.ArrayList<>();
    root.get("points").forEach(p -> out.add(p.get("vector")));
    return out;
  }

  private static List<JsonNode> payloads(JsonNode root) {
    List<JsonNode> out = new java.util.ArrayList<>();
    if (root.has("points")) {
      root.get("points").forEach(p -> out.add(p.get("payload")));
    }
    return out;
  }

  /**
   * @param payloadChars the length of each point's text, or 0 for a short one ("document i of the
   *     batch")
   */
  private static byte[] upsertBody(int points, int dim, int payloadChars) {
    SplittableRandom random = new SplittableRandom(7);
    StringBuilder out = new StringBuilder("{\"points\":[");
    for (int i = 0; i < points; i++) {
      out.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":");
      appendVector(out, random, dim);
      out.append(",\"payload\":{\"text\":\"document ").append(i).append(" of the batch");
      for (int c = 0; c < payloadChars; c++) {
        out.append((char) ('a' + random.nextInt(26)));
      }
      out.append("\",\"page\":").append(i % 50).append(",\"source\":\"report.pdf\"}}");
    }
    return out.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] queryBody(int dim) {
    StringBuilder out = new StringBuilder("{\"query\":");
    appendVector(out, new SplittableRandom(8), dim);
    return out.append(",\"limit\":10}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendVector(StringBuilder out, SplittableRandom random, int dim) {
    out.append('[');
    for (int d = 0; d < dim; d++) {
      out.append(d == 0 ? "" : ",").append(random.nextDouble() * 2 - 1);
    }
    out.append(']');
  }
}
