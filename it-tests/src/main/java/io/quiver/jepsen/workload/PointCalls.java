package io.quiver.jepsen.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The REST calls the workloads make on the test collection, each turning an invocation into its
 * completion. Outcomes follow Jepsen: a mutation is {@code ok} on 200, {@code fail} only when the
 * request was certainly refused before it could take effect (a 4xx), and {@code info}
 * (indeterminate) on anything else: a timeout, a lost connection, a 5xx, which may come after the
 * write was appended to a Raft log. A connection that was never made (refused, or not connected in
 * time) is a {@code fail}: the request was never sent. A read or search has no effect, so it is
 * {@code ok} with what it saw or {@code fail}. Reads and searches ask for {@code
 * consistency=linearizable}; mutations use {@code wait=true}. Points have payload {@code {"v":
 * value}} and vector {@link #vectorOf(long)}; one point in three ({@link #carriesSparse}) also has
 * the sparse vector {@value #SPARSE}, {@link #sparseIndicesOf(long)} / {@link
 * #sparseValuesOf(long)}, so the shard Raft logs, snapshots and transfers carry sparse data under
 * faults.
 */
public final class PointCalls {

  /** The collection every workload uses. */
  public static final String COLLECTION = "jepsen";

  /** Vector size of the collection. */
  public static final int DIM = 4;

  /** The collection's sparse vector, which one point in three carries. */
  public static final String SPARSE = "text";

  private final QuiverClient client;
  private final LongSupplier clock;

  /**
   * @param clock nanoseconds since the start of the run
   */
  public PointCalls(QuiverClient client, LongSupplier clock) {
    this.client = client;
    this.clock = clock;
  }

  /**
   * The vector of point {@code id}: distinct per id and exactly representable, so an exact Euclid
   * search for it finds the point at distance 0.
   */
  public static float[] vectorOf(long id) {
    return new float[] {id % 1_000_003, (id * 7) % 101, 1f, -0.5f};
  }

  /**
   * True when point {@code id} carries the sparse vector {@value #SPARSE} besides its dense one.
   */
  public static boolean carriesSparse(long id) {
    return id % 3 == 0;
  }

  /**
   * The sparse vector's dimensions of point {@code id} (u32, one above 2^31, given unsorted):
   * distinct per id in their first dimension.
   */
  public static long[] sparseIndicesOf(long id) {
    return new long[] {4_000_000_000L + id % 7, id % 1_000_003, 1_000_003 + id % 11};
  }

  /**
   * The sparse vector's values of point {@code id}, in the order of {@link #sparseIndicesOf}:
   * exactly representable.
   */
  public static float[] sparseValuesOf(long id) {
    return new float[] {0.5f, 1 + id % 5, -(id % 3) - 0.25f};
  }

  /**
   * Creates the collection (Euclid, {@link #DIM}, and the sparse vector {@value #SPARSE}) unless it
   * exists.
   */
  public void createCollection(String baseUrl, int shards, int replication)
      throws IOException, InterruptedException {
    ObjectNode body = QuiverClient.JSON.createObjectNode();
    body.putObject("vectors").put("size", DIM).put("distance", "Euclid");
    body.putObject("sparse_vectors").putObject(SPARSE);
    body.put("shard_number", shards).put("replication_factor", replication);
    QuiverClient.Reply r = client.send(baseUrl, "PUT", "/collections/" + COLLECTION, body);
    if (!r.ok()) {
      throw new IOException("cannot create the collection: " + r.error());
    }
  }

  /**
   * An upsert of {@code key} with payload {@code v = value} ({@code write} and {@code insert}; with
   * {@code update_mode} {@code insert_only} or {@code update_only} for those functions).
   */
  public Op upsert(Op invocation, String baseUrl) {
    ObjectNode body = QuiverClient.JSON.createObjectNode();
    switch (invocation.f()) {
      case INSERT_ONLY -> body.put("update_mode", "insert_only");
      case UPDATE_ONLY -> body.put("update_mode", "update_only");
      default -> {}
    }
    ObjectNode point = body.putArray("points").addObject();
    point.put("id", invocation.key());
    ArrayNode vector;
    if (carriesSparse(
        invocation.key())) { // named: the unnamed dense vector is "", beside the sparse one
      ObjectNode named = point.putObject("vector");
      vector = named.putArray("");
      ObjectNode sparse = named.putObject(SPARSE);
      ArrayNode indices = sparse.putArray("indices");
      for (long index : sparseIndicesOf(invocation.key())) {
        indices.add(index);
      }
      ArrayNode values = sparse.putArray("values");
      for (float v : sparseValuesOf(invocation.key())) {
        values.add(v);
      }
    } else {
      vector = point.putArray("vector");
    }
    for (float x : vectorOf(invocation.key())) {
      vector.add(x);
    }
    point.putObject("payload").put("v", invocation.value());
    return mutation(
        invocation, baseUrl, "PUT", "/collections/" + COLLECTION + "/points?wait=true", body);
  }

  /** A delete of {@code key}. */
  public Op delete(Op invocation, String baseUrl) {
    ObjectNode body = QuiverClient.JSON.createObjectNode();
    body.putArray("points").add(invocation.key());
    return mutation(
        invocation,
        baseUrl,
        "POST",
        "/collections/" + COLLECTION + "/points/delete?wait=true",
        body);
  }

  private Op mutation(Op invocation, String baseUrl, String method, String path, ObjectNode body) {
    try {
      QuiverClient.Reply r = client.send(baseUrl, method, path, body);
      if (r.ok()) {
        return invocation.complete(OpType.OK, clock.getAsLong());
      }
      OpType type =
          r.status() >= 400 && r.status() < 500 && r.status() != 408 ? OpType.FAIL : OpType.INFO;
      return invocation.complete(type, clock.getAsLong()).withError(r.error());
    } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
      // Refused, or not connected in time: the request was never sent.
      return invocation.complete(OpType.FAIL, clock.getAsLong()).withError(describe(e));
    } catch (IOException e) {
      return invocation.complete(OpType.INFO, clock.getAsLong()).withError(describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return invocation.complete(OpType.INFO, clock.getAsLong()).withError("interrupted");
    }
  }

  /** A linearizable read of {@code key}: value {@code v}, or null when the point is absent. */
  public Op read(Op invocation, String baseUrl) {
    try {
      QuiverClient.Reply r =
          client.get(
              baseUrl,
              "/collections/"
                  + COLLECTION
                  + "/points/"
                  + invocation.key()
                  + "?consistency=linearizable");
      long now = clock.getAsLong();
      if (r.ok()) {
        JsonNode v = r.result().path("payload").path("v");
        if (!v.isIntegralNumber()) {
          return invocation
              .complete(OpType.FAIL, now)
              .withError("no integer payload v in " + r.body());
        }
        return invocation.complete(OpType.OK, now).withValue(v.asLong());
      }
      if (r.status() == 404 && r.error().contains("Point with id")) {
        return invocation.complete(OpType.OK, now).withValue(null);
      }
      return invocation.complete(OpType.FAIL, now).withError(r.error());
    } catch (IOException e) {
      return invocation.complete(OpType.FAIL, clock.getAsLong()).withError(describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return invocation.complete(OpType.FAIL, clock.getAsLong()).withError("interrupted");
    }
  }

  /**
   * A linearizable exact search for the vector of {@code target}; the invocation carries {@code
   * required = [target]}, the completion the ids returned.
   */
  public Op search(Op invocation, long target, String baseUrl) {
    ObjectNode body = QuiverClient.JSON.createObjectNode();
    ArrayNode vector = body.putArray("vector");
    for (float x : vectorOf(target)) {
      vector.add(x);
    }
    body.put("limit", 3);
    body.putObject("params").put("exact", true);
    try {
      QuiverClient.Reply r =
          client.send(
              baseUrl,
              "POST",
              "/collections/" + COLLECTION + "/points/search?consistency=linearizable",
              body);
      long now = clock.getAsLong();
      if (!r.ok()) {
        return invocation.complete(OpType.FAIL, now).withError(r.error());
      }
      List<Long> ids = new ArrayList<>();
      for (JsonNode hit : r.result()) {
        ids.add(hit.path("id").asLong());
      }
      return invocation.complete(OpType.OK, now).withIds(ids);
    } catch (IOException e) {
      return invocation.complete(OpType.FAIL, clock.getAsLong()).withError(describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return invocation.complete(OpType.FAIL, clock.getAsLong()).withError("interrupted");
    }
  }

  /**
   * A linearizable read of the given ids (the final read), in chunks; {@code ok} only if every
   * chunk was read, with the ids present.
   */
  public Op readAll(Op invocation, List<Long> ids, String baseUrl) {
    return readAll(invocation, ids, baseUrl, false);
  }

  /**
   * As {@link #readAll(Op, List, String)}; with {@code holdingOwnId}, a point counts as present
   * only while its payload {@code v} is its own id (the value the set workload inserts) and its
   * sparse vector is exactly the one it was written with (present only on the points that {@link
   * #carriesSparse}), and the others are listed in the completion's note: a point that a
   * conditional upsert should have left alone but changed, or whose sparse vector was lost or
   * damaged (in a log, a snapshot or a transfer), is then missing, as its inserted value is.
   */
  public Op readAll(Op invocation, List<Long> ids, String baseUrl, boolean holdingOwnId) {
    List<Long> present = new ArrayList<>();
    List<Long> changed = new ArrayList<>();
    try {
      for (int from = 0; from < ids.size(); from += 2_000) {
        ObjectNode body = QuiverClient.JSON.createObjectNode();
        ArrayNode array = body.putArray("ids");
        for (long id : ids.subList(from, Math.min(ids.size(), from + 2_000))) {
          array.add(id);
        }
        body.put("with_payload", holdingOwnId);
        if (holdingOwnId) {
          body.putArray("with_vector").add(SPARSE);
        } else {
          body.put("with_vector", false);
        }
        QuiverClient.Reply r =
            client.send(
                baseUrl,
                "POST",
                "/collections/" + COLLECTION + "/points?consistency=linearizable",
                body);
        if (!r.ok()) {
          return invocation.complete(OpType.FAIL, clock.getAsLong()).withError(r.error());
        }
        for (JsonNode point : r.result()) {
          long id = point.path("id").asLong();
          if (!holdingOwnId
              || (point.path("payload").path("v").asLong(Long.MIN_VALUE) == id
                  && holdsOwnSparse(id, point.path("vector").path(SPARSE)))) {
            present.add(id);
          } else {
            changed.add(id);
          }
        }
      }
      Op done = invocation.complete(OpType.OK, clock.getAsLong()).withIds(present);
      return changed.isEmpty()
          ? done
          : done.withNote("holding another value than inserted (left out of ids): " + changed);
    } catch (IOException e) {
      return invocation.complete(OpType.FAIL, clock.getAsLong()).withError(describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return invocation.complete(OpType.FAIL, clock.getAsLong()).withError("interrupted");
    }
  }

  /**
   * True when {@code sparse} (missing when the point has none) is exactly what point {@code id} was
   * written with.
   */
  static boolean holdsOwnSparse(long id, JsonNode sparse) {
    if (!carriesSparse(id)) {
      return sparse.isMissingNode() || sparse.isNull();
    }
    long[] indices = sparseIndicesOf(id);
    float[] values = sparseValuesOf(id);
    JsonNode gotIndices = sparse.path("indices");
    JsonNode gotValues = sparse.path("values");
    if (!gotIndices.isArray()
        || gotIndices.size() != indices.length
        || gotValues.size() != indices.length) {
      return false;
    }
    java.util.Map<Long, Float> got = new java.util.HashMap<>();
    for (int i = 0; i < indices.length; i++) {
      got.put(gotIndices.get(i).asLong(), gotValues.get(i).floatValue());
    }
    for (int i = 0; i < indices.length; i++) {
      Float v = got.get(indices[i]);
      if (v == null || v != values[i]) {
        return false;
      }
    }
    return true;
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
