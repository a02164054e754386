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
 * (indeterminate) on anything else: a timeout, a lost connection, a 5xx, which may come after
 * the write was appended to a Raft log. A connection that was never made (refused, or not
 * connected in time) is a {@code fail}: the request was never sent. A read or search has no effect, so it is {@code ok} with what it saw
 * or {@code fail}. Reads and searches ask for {@code consistency=linearizable}; mutations use
 * {@code wait=true}. Points have payload {@code {"v": value}} and vector {@link #vectorOf(long)}.
 */
public final class PointCalls {

    /** The collection every workload uses. */
    public static final String COLLECTION = "jepsen";
    /** Vector size of the collection. */
    public static final int DIM = 4;

    private final QuiverClient client;
    private final LongSupplier clock;

    /** @param clock nanoseconds since the start of the run */
    public PointCalls(QuiverClient client, LongSupplier clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * The vector of point {@code id}: distinct per id and exactly representable, so an exact
     * Euclid search for it finds the point at distance 0.
     */
    public static float[] vectorOf(long id) {
        return new float[] {id % 1_000_003, (id * 7) % 101, 1f, -0.5f};
    }

    /** Creates the collection (Euclid, {@link #DIM}) unless it exists. */
    public void createCollection(String baseUrl, int shards, int replication) throws IOException, InterruptedException {
        ObjectNode body = QuiverClient.JSON.createObjectNode();
        body.putObject("vectors").put("size", DIM).put("distance", "Euclid");
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
            default -> { }
        }
        ObjectNode point = body.putArray("points").addObject();
        point.put("id", invocation.key());
        ArrayNode vector = point.putArray("vector");
        for (float x : vectorOf(invocation.key())) {
            vector.add(x);
        }
        point.putObject("payload").put("v", invocation.value());
        return mutation(invocation, baseUrl, "PUT", "/collections/" + COLLECTION + "/points?wait=true", body);
    }

    /** A delete of {@code key}. */
    public Op delete(Op invocation, String baseUrl) {
        ObjectNode body = QuiverClient.JSON.createObjectNode();
        body.putArray("points").add(invocation.key());
        return mutation(invocation, baseUrl, "POST", "/collections/" + COLLECTION + "/points/delete?wait=true", body);
    }

    private Op mutation(Op invocation, String baseUrl, String method, String path, ObjectNode body) {
        try {
            QuiverClient.Reply r = client.send(baseUrl, method, path, body);
            if (r.ok()) {
                return invocation.complete(OpType.OK, clock.getAsLong());
            }
            OpType type = r.status() >= 400 && r.status() < 500 && r.status() != 408 ? OpType.FAIL : OpType.INFO;
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
            QuiverClient.Reply r = client.get(baseUrl, "/collections/" + COLLECTION + "/points/" + invocation.key()
                    + "?consistency=linearizable");
            long now = clock.getAsLong();
            if (r.ok()) {
                JsonNode v = r.result().path("payload").path("v");
                if (!v.isIntegralNumber()) {
                    return invocation.complete(OpType.FAIL, now).withError("no integer payload v in " + r.body());
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
     * A linearizable exact search for the vector of {@code target}; the invocation carries
     * {@code required = [target]}, the completion the ids returned.
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
            QuiverClient.Reply r = client.send(baseUrl, "POST", "/collections/" + COLLECTION
                    + "/points/search?consistency=linearizable", body);
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
     * only while its payload {@code v} is its own id (the value the set workload inserts), and the
     * others are listed in the completion's note: a point that a conditional upsert should have
     * left alone but changed is then missing, as its inserted value is.
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
                body.put("with_payload", holdingOwnId).put("with_vector", false);
                QuiverClient.Reply r = client.send(baseUrl, "POST", "/collections/" + COLLECTION
                        + "/points?consistency=linearizable", body);
                if (!r.ok()) {
                    return invocation.complete(OpType.FAIL, clock.getAsLong()).withError(r.error());
                }
                for (JsonNode point : r.result()) {
                    long id = point.path("id").asLong();
                    if (!holdingOwnId || point.path("payload").path("v").asLong(Long.MIN_VALUE) == id) {
                        present.add(id);
                    } else {
                        changed.add(id);
                    }
                }
            }
            Op done = invocation.complete(OpType.OK, clock.getAsLong()).withIds(present);
            return changed.isEmpty() ? done : done.withNote("holding another value than inserted (left out of ids): " + changed);
        } catch (IOException e) {
            return invocation.complete(OpType.FAIL, clock.getAsLong()).withError(describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return invocation.complete(OpType.FAIL, clock.getAsLong()).withError("interrupted");
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
