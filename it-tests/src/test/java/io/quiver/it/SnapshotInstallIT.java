package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica catches up by a Raft snapshot that carries sealed HNSW segment files, end to end on
 * three real node processes.
 *
 * <p>The nodes take a snapshot of every group each few log entries and keep only a short log behind
 * it (set through the node's environment, {@code QUIVER__CLUSTER__CONSENSUS__*}). One node is
 * killed with SIGKILL; the others take upserts, updates, deletes (by id and by filter), payload set
 * / overwrite / key deletes and a new payload index, seal and index segments, and purge their logs
 * past everything the dead node holds. When it returns, its shards can only catch up by installing
 * the leaders' snapshots: the test sees each shard group restore from an installed snapshot in the
 * node's log, finds in the installed snapshot the same randomly named HNSW files as on the leaders'
 * side, and reads through the restarted node's own replicas ({@code consistency=any}): retrieve
 * with payloads and vectors, filtered counts, exact search, scroll with {@code order_by} on an
 * indexed integer field — all equal to a model kept by the test, and collection info of its
 * replicas shows indexed vectors. Then the node is killed again at once and restarted: the
 * installed state must survive the crash (no second install needed) and still equal the model.
 */
@Timeout(240)
class SnapshotInstallIT {

  private static final int DIM = 8;
  private static final String C = "/collections/snap";

  /** Snapshot every 8 entries of a group, keep 4 x 8 entries behind it, 8 KB log segments. */
  private static final Map<String, String> SMALL_LOG =
      Map.of(
          "QUIVER__CLUSTER__CONSENSUS__SNAPSHOT_THRESHOLD", "8",
          "QUIVER__CLUSTER__CONSENSUS__LOG_SEGMENT_KB", "8");

  private static final Pattern RESTORED =
      Pattern.compile("(group-[0-9A-Fa-f]+)\\S*: restored the shard from snapshot (\\d+_\\d+)");
  private static final Pattern FETCHED =
      Pattern.compile("(group-[0-9A-Fa-f]+): installed snapshot \\(t:(\\d+), i:(\\d+)\\)");
  private static final String[] COLORS = {"red", "green", "blue", "black"};

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  private final Map<Integer, float[]> vectors = new TreeMap<>();
  private final Map<Integer, ObjectNode> payloads = new TreeMap<>();
  private long lastOperationId;

  /** The live nodes, asked for their own copies of points that differ (for the failure message). */
  private List<QdrantHttp> liveNodes = List.of();

  @Test
  void aReturningReplicaInstallsSnapshotsWithSealedSegments() throws Exception {
    long seed = Long.getLong("snapinstall.seed", new Random().nextLong());
    Random random = new Random(seed);
    long started = System.nanoTime();
    List<NodeProcess> nodes = NODES.startCluster(3, n -> SMALL_LOG.forEach(n::environment));
    List<QdrantHttp> http = nodes.stream().map(n -> new QdrantHttp(n.baseUrl())).toList();
    // 2 KB of 8-dim vectors is 64 points: every shard seals and indexes segments many times.
    ok(
        http.get(0)
            .send(
                "PUT",
                C,
                """
        {"vectors": {"size": 8, "distance": "Euclid"}, "shard_number": 3, "replication_factor": 3,
         "hnsw_config": {"m": 8, "ef_construct": 32, "full_scan_threshold": 1},
         "optimizers_config": {"indexing_threshold": 2, "default_segment_number": 2, "flush_interval_sec": 1}}
        """));
    write(
        http.get(1),
        "PUT",
        C + "/index?wait=true",
        "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
    for (int b = 0; b < 10; b++) {
      upsert(http.get(b % 3), random, b * 30, 30);
    }

    int victim = 2;
    NodeProcess down = nodes.get(victim);
    long lastIndexItMayHold = lastOperationId; // every shard group's log ends at or below it
    down.kill9();
    List<QdrantHttp> live = List.of(http.get(0), http.get(1));
    liveNodes = live;

    // While it is down: a new payload index, many upserts (sealed and indexed on the live
    // replicas), updates, deletes, payload changes.
    write(
        live.get(0),
        "PUT",
        C + "/index?wait=true",
        "{\"field_name\":\"color\",\"field_schema\":\"keyword\"}");
    for (int b = 0; b < 60; b++) {
      upsert(live.get(b % 2), random, 300 + b * 20, 20);
    }
    awaitGreen(live.get(0));
    mutate(live, random);
    // Fill the logs until every live replica of every shard group has purged past the dead node's
    // log.
    int fillers = 0;
    while (!purgedPast(nodes.subList(0, 2), lastIndexItMayHold)) {
      assertTrue(
          fillers < 400,
          "the live replicas did not purge their logs past "
              + lastIndexItMayHold
              + " after "
              + fillers
              + " writes; logs: "
              + logFiles(nodes.get(0)));
      int n = random.nextInt(100);
      write(
          live.get(fillers % 2),
          "POST",
          C + "/points/payload?wait=true",
          "{\"payload\":{\"round\":"
              + fillers
              + "},\"filter\":{\"must\":[{\"key\":\"n\",\"match\":{\"value\":"
              + n
              + "}}]}}");
      int round = fillers;
      payloads.values().stream()
          .filter(p -> p.path("n").isInt() && p.get("n").asInt() == n)
          .forEach(p -> p.put("round", round));
      fillers++;
    }
    System.out.printf(
        "snapshot-install: %d filler writes to purge past index %d (%.1f s in)%n",
        fillers, lastIndexItMayHold, (System.nanoTime() - started) / 1e9);

    // The node returns: its shard groups can only catch up by installing the leaders' snapshots.
    // It is killed as soon as a fetched snapshot is installed but its shard not yet restored from
    // it (or, when the restores are too quick to catch, once all are done; the others may be
    // mid-transfer), and started again; between the two starts, all three shard groups restore
    // from a snapshot. (Groups install while the node starts, before it answers /readyz: hence
    // launch, not start.)
    long logOffset = Files.size(down.log());
    down.launch();
    awaitAnInstallNotYetRestored(down, logOffset);
    down.kill9();
    Map<String, String> installed = new TreeMap<>(restores(down, logOffset));
    System.out.printf(
        "snapshot-install: killed after installing %s (%.1f s in)%n",
        installed, (System.nanoTime() - started) / 1e9);
    logOffset = Files.size(down.log());
    down.start();
    long secondStart = logOffset;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (installed.size() < 3) {
      installed.putAll(restores(down, secondStart));
      assertTrue(
          System.nanoTime() < deadline,
          "only "
              + installed
              + " of 3 shard groups restored from an installed snapshot; log:\n"
              + down.logTail());
      Thread.sleep(50);
    }
    System.out.printf(
        "snapshot-install: installed %s (%.1f s in); logs left below an installed snapshot and"
            + " dropped: %d; shards restored at the start from a snapshot installed before the kill:"
            + " %d%n",
        installed,
        (System.nanoTime() - started) / 1e9,
        count(down, secondStart, "the Raft log ended below snapshot"),
        count(down, secondStart, "the shard was not yet restored from installed snapshot"));
    assertInstalledSnapshotsCarrySealedSegments(down, nodes.subList(0, 2), installed);
    QdrantHttp back = new QdrantHttp(down.baseUrl());
    checkAgainstModel(back, random, seed);
    JsonNode info = back.get(C + "?consistency=any").result();
    assertTrue(
        info.get("indexed_vectors_count").asInt() > 0,
        "the restarted node's replicas hold indexed vectors: " + info);
    assertEquals(vectors.size(), info.get("points_count").asInt(), info.toString());

    // Kill it again and restart: the installed state is on its disk.
    down.kill9();
    logOffset = Files.size(down.log());
    down.start();
    checkAgainstModel(back, random, seed);
    assertEquals(
        Map.of(),
        restores(down, logOffset),
        "the installed snapshots survived the crash: no second install");
    info = awaitGreen(back);
    assertTrue(
        info.get("indexed_vectors_count").asInt() > vectors.size() - 3 * 64,
        "all but less than a threshold per shard indexed: " + info);
    assertEquals(vectors.size(), info.get("points_count").asInt(), info.toString());
    System.out.printf(
        "snapshot-install: done in %.1f s (seed %d)%n", (System.nanoTime() - started) / 1e9, seed);
  }

  // ---- writes, applied to the model once acknowledged

  private void upsert(QdrantHttp via, Random random, int firstId, int count) throws Exception {
    StringBuilder body = new StringBuilder("{\"points\":[");
    Map<Integer, float[]> vs = new HashMap<>();
    Map<Integer, ObjectNode> ps = new HashMap<>();
    for (int i = 0; i < count; i++) {
      int id = firstId + i;
      float[] v = vector(random);
      ObjectNode p = QdrantHttp.JSON.createObjectNode();
      p.put("n", random.nextInt(100));
      p.put("color", COLORS[random.nextInt(COLORS.length)]);
      p.put("tag", "t" + random.nextInt(5));
      vs.put(id, v);
      ps.put(id, p);
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"vector\":")
          .append(json(v))
          .append(",\"payload\":")
          .append(p)
          .append('}');
    }
    write(via, "PUT", C + "/points?wait=true", body.append("]}").toString());
    vectors.putAll(vs);
    payloads.putAll(ps);
  }

  /**
   * Updates, deletes by id and by filter, payload set / overwrite / key delete, on sealed points.
   */
  private void mutate(List<QdrantHttp> live, Random random) throws Exception {
    for (int round = 0; round < 6; round++) {
      QdrantHttp via = live.get(round % 2);
      List<Integer> ids = new ArrayList<>(vectors.keySet());
      // new vectors and payloads for 25 existing points
      Map<Integer, float[]> vs = new HashMap<>();
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int i = 0; i < 25; i++) {
        int id = ids.get(random.nextInt(ids.size()));
        if (vs.containsKey(id)) {
          continue;
        }
        float[] v = vector(random);
        vs.put(id, v);
        ObjectNode p = QdrantHttp.JSON.createObjectNode();
        p.put("n", random.nextInt(100));
        p.put("color", COLORS[random.nextInt(COLORS.length)]);
        body.append(vs.size() == 1 ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"vector\":")
            .append(json(v))
            .append(",\"payload\":")
            .append(p)
            .append('}');
        payloads.put(id, p);
      }
      write(via, "PUT", C + "/points?wait=true", body.append("]}").toString());
      vectors.putAll(vs);
      // delete 15 points by id
      Set<Integer> deleted = new HashSet<>();
      while (deleted.size() < 15) {
        deleted.add(ids.get(random.nextInt(ids.size())));
      }
      write(via, "POST", C + "/points/delete?wait=true", "{\"points\":" + deleted + "}");
      deleted.forEach(this::forget);
      // delete by filter: one n value of one color
      int n = random.nextInt(100);
      String color = COLORS[random.nextInt(COLORS.length)];
      write(
          via,
          "POST",
          C + "/points/delete?wait=true",
          "{\"filter\":{\"must\":[{\"key\":\"n\",\"match\":{\"value\":"
              + n
              + "}},{\"key\":\"color\",\"match\":{\"value\":\""
              + color
              + "\"}}]}}");
      new ArrayList<>(payloads.keySet())
          .stream()
              .filter(
                  id ->
                      payloads.get(id).path("n").asInt(-1) == n
                          && color.equals(payloads.get(id).path("color").asText()))
              .forEach(this::forget);
      ids = new ArrayList<>(vectors.keySet());
      List<Integer> some = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        some.add(ids.get(random.nextInt(ids.size())));
      }
      // set payload: a new color and a nested value
      String newColor = COLORS[random.nextInt(COLORS.length)];
      write(
          via,
          "POST",
          C + "/points/payload?wait=true",
          "{\"payload\":{\"color\":\""
              + newColor
              + "\",\"meta\":{\"round\":"
              + round
              + "}},\"points\":"
              + some
              + "}");
      for (int id : some) {
        payloads.get(id).put("color", newColor);
        payloads.get(id).putObject("meta").put("round", round);
      }
      // overwrite payload: drops n (the point leaves the order_by index)
      List<Integer> overwritten = some.subList(0, 5);
      write(
          via,
          "PUT",
          C + "/points/payload?wait=true",
          "{\"payload\":{\"tag\":\"over\"},\"points\":" + overwritten + "}");
      for (int id : overwritten) {
        ObjectNode p = QdrantHttp.JSON.createObjectNode();
        p.put("tag", "over");
        payloads.put(id, p);
      }
      // delete keys by filter
      write(
          via,
          "POST",
          C + "/points/payload/delete?wait=true",
          "{\"keys\":[\"tag\"],\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\""
              + newColor
              + "\"}}]}}");
      payloads.values().stream()
          .filter(p -> newColor.equals(p.path("color").asText()))
          .forEach(p -> p.remove("tag"));
    }
  }

  private void forget(int id) {
    vectors.remove(id);
    payloads.remove(id);
  }

  /**
   * A write through {@code via}; retried while a shard elects a leader (every write here is
   * idempotent).
   */
  private void write(QdrantHttp via, String method, String path, String body) throws Exception {
    QdrantHttp.Reply r = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      r = via.send(method, path, body);
      if (r.status() == 200) {
        JsonNode id = r.result() == null ? null : r.result().get("operation_id");
        if (id != null) {
          lastOperationId = Math.max(lastOperationId, id.asLong());
        }
        return;
      }
      if (r.status() != 503) {
        break;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(method + " " + path + " -> " + r.status() + " " + r.raw());
  }

  // ---- what the restarted node's own replicas answer

  private void checkAgainstModel(QdrantHttp back, Random random, long seed) throws Exception {
    String any = "?consistency=any";
    // Retrieve every id ever written (deleted ones must stay deleted), with payloads and vectors.
    List<Integer> all = new ArrayList<>();
    for (int id = 0; id < 1500; id++) {
      all.add(id);
    }
    String request = "{\"ids\":" + all + ",\"with_payload\":true,\"with_vector\":true}";
    Map<Integer, String> expected = new TreeMap<>();
    vectors.forEach((id, v) -> expected.put(id, rounded(v) + " " + payloads.get(id)));
    Map<Integer, String> actual = new TreeMap<>();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      QdrantHttp.Reply r = back.send("POST", C + "/points" + any, request);
      if (r.status() == 200) {
        actual.clear();
        for (JsonNode p : r.result()) {
          float[] v = new float[DIM];
          for (int d = 0; d < DIM; d++) {
            v[d] = (float) p.get("vector").get(d).asDouble();
          }
          actual.put(p.get("id").asInt(), rounded(v) + " " + p.get("payload"));
        }
        if (actual.equals(expected)) {
          break;
        }
      }
      if (System.nanoTime() > deadline) {
        Set<Integer> missing = new HashSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        Set<Integer> extra = new HashSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        Set<Integer> differ = new HashSet<>(expected.keySet());
        differ.retainAll(actual.keySet());
        differ.removeIf(id -> expected.get(id).equals(actual.get(id)));
        StringBuilder detail = new StringBuilder();
        for (int id : differ) {
          detail
              .append("\n  ")
              .append(id)
              .append(": model ")
              .append(expected.get(id))
              .append("\n  ")
              .append(id)
              .append(": node  ")
              .append(actual.get(id));
        }
        for (QdrantHttp other : liveNodes) {
          detail
              .append("\n  ")
              .append(other)
              .append(" (its replicas): ")
              .append(
                  other
                      .send(
                          "POST",
                          C + "/points" + any,
                          "{\"ids\":" + differ + ",\"with_payload\":true,\"with_vector\":true}")
                      .raw());
        }
        throw new AssertionError(
            "the restarted node's replicas never equalled the model (seed "
                + seed
                + "): missing "
                + missing
                + ", resurrected "
                + extra
                + ", different "
                + differ
                + " last status "
                + r.status()
                + detail);
      }
      Thread.sleep(200);
    }

    // Filtered counts (keyword index created while the node was down, integer range).
    for (String color : COLORS) {
      long want =
          payloads.values().stream().filter(p -> color.equals(p.path("color").asText())).count();
      JsonNode count =
          result(
              back.send(
                  "POST",
                  C + "/points/count" + any,
                  "{\"exact\":true,\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\""
                      + color
                      + "\"}}]}}"));
      assertEquals(want, count.get("count").asLong(), "count of color " + color + ", seed " + seed);
    }
    long wantRange =
        payloads.values().stream()
            .filter(
                p ->
                    p.path("n").isInt()
                        && p.get("n").asInt() >= 20
                        && p.get("n").asInt() < 45
                        && !p.has("tag"))
            .count();
    JsonNode count =
        result(
            back.send(
                "POST",
                C + "/points/count" + any,
                "{\"exact\":true,\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":20,\"lt\":45}}],"
                    + "\"must_not\":[{\"key\":\"tag\",\"match\":{\"any\":[\"t0\",\"t1\",\"t2\",\"t3\",\"t4\",\"over\"]}}]}}"));
    assertEquals(wantRange, count.get("count").asLong(), "range count, seed " + seed);

    // Exact search.
    for (int q = 0; q < 5; q++) {
      float[] query = vector(random);
      List<Integer> want = new ArrayList<>(vectors.keySet());
      want.sort(
          Comparator.comparingDouble((Integer id) -> l2(query, vectors.get(id)))
              .thenComparing(id -> id));
      JsonNode hits =
          result(
                  back.send(
                      "POST",
                      C + "/points/query" + any,
                      "{\"query\":" + json(query) + ",\"limit\":10,\"params\":{\"exact\":true}}"))
              .get("points");
      List<Integer> got = new ArrayList<>();
      hits.forEach(h -> got.add(h.get("id").asInt()));
      // Same ranking as the model's; two points may only swap places when their distances tie
      // within float rounding (the node computes in float32).
      assertEquals(10, got.size(), hits.toString());
      for (int i = 0; i < 10; i++) {
        double wantDistance = l2(query, vectors.get(want.get(i)));
        float[] gotVector = vectors.get(got.get(i));
        assertTrue(
            gotVector != null && Math.abs(l2(query, gotVector) - wantDistance) < 1e-3,
            "exact search rank "
                + i
                + ": "
                + got
                + " but the model ranks "
                + want.subList(0, 10)
                + ", seed "
                + seed);
      }
      assertEquals(10, new HashSet<>(got).size(), got.toString());
    }

    // Scroll ordered by the integer index, both directions, whole collection in one page.
    List<Integer> byN = new ArrayList<>(payloads.keySet());
    byN.removeIf(id -> !payloads.get(id).path("n").isInt());
    byN.sort(
        Comparator.comparingInt((Integer id) -> payloads.get(id).get("n").asInt())
            .thenComparing(id -> id));
    for (boolean desc : new boolean[] {false, true}) {
      List<Integer> want = new ArrayList<>(byN);
      if (desc) {
        java.util.Collections.reverse(want);
      }
      JsonNode page =
          result(
              back.send(
                  "POST",
                  C + "/points/scroll" + any,
                  "{\"order_by\":{\"key\":\"n\",\"direction\":\""
                      + (desc ? "desc" : "asc")
                      + "\"},\"limit\":"
                      + (want.size() + 10)
                      + ",\"with_payload\":false}"));
      List<Integer> got = new ArrayList<>();
      page.get("points").forEach(p -> got.add(p.get("id").asInt()));
      assertEquals(want, got, "scroll order_by n " + (desc ? "desc" : "asc") + ", seed " + seed);
    }
  }

  private static JsonNode result(QdrantHttp.Reply r) {
    assertEquals(200, r.status(), r.raw());
    return r.result();
  }

  private JsonNode awaitGreen(QdrantHttp via) throws Exception {
    String any = "?consistency=any"; // that node's own replicas
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      QdrantHttp.Reply r = via.get(C + any);
      if (r.status() == 200 && "green".equals(r.result().get("status").asText())) {
        return r.result();
      }
      assertTrue(System.nanoTime() < deadline, "not green after 60 s: " + r.raw());
      Thread.sleep(200);
    }
  }

  // ---- Raft logs and snapshots on disk

  /** Shard groups' directories of a node: {@code <data>/raft/<group>} holding {@code sm/shard}. */
  private static List<Path> shardGroups(NodeProcess node) throws IOException {
    try (Stream<Path> groups = Files.list(node.dataDir().resolve("raft"))) {
      return groups
          .filter(
              g ->
                  Files.isDirectory(g.resolve("sm/shard"))
                      || Files.isDirectory(g.resolve("sm/snapshots")))
          .sorted()
          .toList();
    }
  }

  private static final Pattern CLOSED_SEGMENT = Pattern.compile("log_(\\d+)-(\\d+)");
  private static final Pattern OPEN_SEGMENT = Pattern.compile("log_inprogress_(\\d+)");

  /** True when every shard group of every node keeps no log entry at or below {@code index + 1}. */
  private static boolean purgedPast(List<NodeProcess> nodes, long index) throws IOException {
    for (NodeProcess node : nodes) {
      List<Path> groups = shardGroups(node);
      if (groups.size() != 3) {
        return false;
      }
      for (Path group : groups) {
        if (firstLogIndex(group) <= index + 1) {
          return false;
        }
      }
    }
    return true;
  }

  private static long firstLogIndex(Path group) throws IOException {
    long first = Long.MAX_VALUE;
    try (Stream<Path> files = Files.list(group.resolve("current"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        Matcher closed = CLOSED_SEGMENT.matcher(name);
        Matcher open = OPEN_SEGMENT.matcher(name);
        if (closed.matches()) {
          first = Math.min(first, Long.parseLong(closed.group(1)));
        } else if (open.matches()) {
          first = Math.min(first, Long.parseLong(open.group(1)));
        }
      }
    }
    return first;
  }

  private static String logFiles(NodeProcess node) throws IOException {
    StringBuilder s = new StringBuilder();
    for (Path g : shardGroups(node)) {
      try (Stream<Path> files = Files.list(g.resolve("current"))) {
        s.append(g.getFileName())
            .append(": ")
            .append(files.map(f -> f.getFileName().toString()).sorted().toList())
            .append('\n');
      }
    }
    return s.toString();
  }

  private static long count(NodeProcess node, long offset, String line) throws IOException {
    return text(node, offset).lines().filter(l -> l.contains(line)).count();
  }

  /**
   * Group (as the log names it) -> the snapshot its shard was restored from, since {@code offset}.
   */
  private static Map<String, String> restores(NodeProcess node, long offset) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Matcher m = RESTORED.matcher(text(node, offset));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  /** The node's log from {@code offset}. */
  private static String text(NodeProcess node, long offset) throws IOException {
    byte[] all = Files.readAllBytes(node.log());
    return new String(
        all,
        (int) Math.min(offset, all.length),
        (int) Math.max(0, all.length - offset),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Waits until the node's log (from {@code offset}) shows a fetched snapshot installed whose group
   * has not restored its shard from it yet (the moment a crash must not corrupt), or all three
   * groups restored.
   */
  private static void awaitAnInstallNotYetRestored(NodeProcess node, long offset) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      Map<String, String> restored = restores(node, offset);
      Map<String, String> fetched = new TreeMap<>();
      Matcher m = FETCHED.matcher(text(node, offset));
      while (m.find()) {
        fetched.put(m.group(1), m.group(2) + "_" + m.group(3));
      }
      if (restored.size() == 3
          || fetched.entrySet().stream()
              .anyMatch(e -> !e.getValue().equals(restored.get(e.getKey())))) {
        return;
      }
      assertTrue(
          System.nanoTime() < deadline,
          "only "
              + restored
              + " of 3 shard groups restored from an installed snapshot; log:\n"
              + node.logTail());
      Thread.sleep(2);
    }
  }

  /**
   * Each installed snapshot holds indexed segments (HNSW files), and their random names are the
   * ones the same snapshot has on a live replica: the files came over the wire, not from a rebuild.
   */
  private static void assertInstalledSnapshotsCarrySealedSegments(
      NodeProcess node, List<NodeProcess> others, Map<String, String> installed)
      throws IOException {
    for (Path group : shardGroups(node)) {
      Path snapshots = group.resolve("sm/snapshots");
      String uuid = group.getFileName().toString().replace("-", "");
      String name =
          installed.entrySet().stream()
              .filter(
                  e ->
                      uuid.toUpperCase(java.util.Locale.ROOT)
                          .endsWith(
                              e.getKey()
                                  .substring("group-".length())
                                  .toUpperCase(java.util.Locale.ROOT)))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse(null);
      assertTrue(
          name != null && Files.isDirectory(snapshots.resolve(name)),
          "installed snapshot of " + group.getFileName() + " is on disk: " + installed);
      Set<String> hnsw = hnswFiles(snapshots.resolve(name));
      assertFalse(
          hnsw.isEmpty(),
          "the installed snapshot "
              + name
              + " of "
              + group.getFileName()
              + " holds sealed HNSW segments");
      Set<String> onLeaders = new HashSet<>();
      for (NodeProcess other : others) {
        onLeaders.addAll(
            hnswFiles(
                other
                    .dataDir()
                    .resolve("raft")
                    .resolve(group.getFileName())
                    .resolve("sm/snapshots")
                    .resolve(name)));
      }
      assertTrue(
          onLeaders.containsAll(hnsw),
          "HNSW files "
              + hnsw
              + " of snapshot "
              + name
              + " came from a live replica's "
              + onLeaders);
    }
  }

  private static Set<String> hnswFiles(Path snapshot) throws IOException {
    Path segments = snapshot.resolve("segments");
    if (!Files.isDirectory(segments)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.list(segments)) {
      Set<String> out = new HashSet<>();
      files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".hnsw")).forEach(out::add);
      return out;
    }
  }

  // ---- vectors

  private static float[] vector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = Math.round(random.nextFloat() * 1000) / 100f;
    }
    return v;
  }

  private static double l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  private static String rounded(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(Math.round(v[i] * 100));
    }
    return s.append(']').toString();
  }

  private static String json(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(v[i]);
    }
    return s.append("]").toString();
  }

  private static void ok(QdrantHttp.Reply r) {
    assertEquals(200, r.status(), r.raw());
  }
}
