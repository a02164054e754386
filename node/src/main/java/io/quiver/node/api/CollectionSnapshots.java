package io.quiver.node.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Collection snapshots in Quiver's own format, kept on the node that made them, under {@code
 * <data>/snapshots/<collection>/}. A snapshot is gzip-compressed JSON lines: a header with the
 * collection's config, then one line per point (id, vectors, payload), read through the router page
 * by page in id order, so it covers every shard wherever its replicas live. Recovery creates the
 * collection anew from the header (replacing one of the same name) and upserts the points, so the
 * result is independent of the shard layout. Vectors are stored as the collection keeps them
 * (normalized for Cosine); re-normalizing a unit vector may change its last bit.
 */
final class CollectionSnapshots {

  static final String FORMAT = "quiver-collection-snapshot";
  static final int VERSION = 1;
  private static final int PAGE = 1000;
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss-SSS").withZone(ZoneOffset.UTC);

  /** Qdrant's SnapshotDescription. */
  record Description(String name, String creationTime, long size, String checksum) {}

  private final Path root;
  private final CollectionCatalog catalog;
  private final PointsRouter router;
  private final ObjectMapper json;

  CollectionSnapshots(
      Path root, CollectionCatalog catalog, PointsRouter router, ObjectMapper json) {
    this.root = root;
    this.catalog = catalog;
    this.router = router;
    this.json = json;
  }

  /** Writes a snapshot of the collection (blocking: call off the event loop). */
  Description create(CollectionDescriptor c) throws IOException {
    Path dir = Files.createDirectories(root.resolve(c.name()));
    String name = c.name() + "-" + STAMP.format(Instant.now()) + ".snapshot";
    Path tmp = dir.resolve(name + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      write(c, out);
    }
    return publish(tmp, dir.resolve(name));
  }

  /**
   * Writes a snapshot of the whole storage (blocking): a ZIP with one collection snapshot per
   * collection ({@code collections/<name>.snapshot}, each recoverable on its own) and {@code
   * aliases.json}.
   */
  Description createFull() throws IOException {
    Files.createDirectories(root);
    String name = "full-snapshot-" + STAMP.format(Instant.now()) + ".snapshot";
    Path tmp = root.resolve(name + ".tmp");
    try (java.util.zip.ZipOutputStream zip =
        new java.util.zip.ZipOutputStream(Files.newOutputStream(tmp))) {
      zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION); // the entries are gzip already
      for (CollectionDescriptor c : catalog.list()) {
        zip.putNextEntry(new java.util.zip.ZipEntry("collections/" + c.name() + ".snapshot"));
        write(
            c,
            new java.io.FilterOutputStream(zip) {
              @Override
              public void close() throws IOException {
                flush(); // the entry ends here, the ZIP stream goes on
              }
            });
        zip.closeEntry();
      }
      zip.putNextEntry(new java.util.zip.ZipEntry("aliases.json"));
      zip.write(json.writeValueAsBytes(catalog.aliases()));
      zip.closeEntry();
    }
    return publish(tmp, root.resolve(name));
  }

  /** Gzip JSON lines: the header, then every point through the router, page by page in id order. */
  private void write(CollectionDescriptor c, OutputStream target) throws IOException {
    ResultJson results = new ResultJson(json, c.config().vectors());
    try (OutputStream out = new GZIPOutputStream(target, 1 << 16);
        JsonGenerator gen = json.getFactory().createGenerator(out)) {
      ObjectNode header = json.createObjectNode();
      header.put("format", FORMAT).put("version", VERSION).put("collection", c.name());
      header.set("config", createBody(c));
      // The payload indexes, as collection info reports them; recreated on recover.
      header.set(
          "payload_schema",
          FieldIndexJson.payloadSchema(
              json, router.payloadSchema(c, ReadConsistency.LINEARIZABLE).join()));
      gen.writeTree(header);
      gen.writeRaw('\n');
      PointId offset = null;
      do {
        // Each page a request of its own, with the shard map of now: replicas may move meanwhile.
        PointsRouter.ScrollPage page =
            router
                .scroll(
                    router.collection(c.name()),
                    offset,
                    PAGE,
                    null,
                    true,
                    true,
                    ReadConsistency.LINEARIZABLE)
                .join();
        for (PointRecord r : page.points()) {
          gen.writeTree(results.record(r, PayloadSelector.ALL));
          gen.writeRaw('\n');
        }
        offset = page.nextOffset();
      } while (offset != null);
    }
  }

  private Description publish(Path tmp, Path file) throws IOException {
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file);
    }
    return describe(file);
  }

  /**
   * The body that creates the collection again: its params plus index, optimizer, collection-wide
   * quantization and strict-mode settings (the last two only when set).
   */
  private ObjectNode createBody(CollectionDescriptor c) {
    JsonNode config = CollectionJson.info(json, c, io.quiver.storage.ShardInfo.EMPTY).get("config");
    ObjectNode body = ((ObjectNode) config.get("params")).deepCopy();
    body.set("hnsw_config", config.get("hnsw_config"));
    body.set("optimizers_config", config.get("optimizer_config"));
    for (String optional : java.util.List.of("quantization_config", "strict_mode_config")) {
      if (config.hasNonNull(optional)) {
        body.set(optional, config.get(optional));
      }
    }
    return body;
  }

  /** The full-storage snapshots. */
  List<Description> listFull() throws IOException {
    return listIn(root);
  }

  List<Description> list(String collection) throws IOException {
    return listIn(root.resolve(collection));
  }

  private List<Description> listIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Description> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().endsWith(".snapshot")).sorted().toList()) {
        out.add(describe(f));
      }
    }
    return out;
  }

  /**
   * The file of a snapshot of a collection, or of the whole storage for a null collection; 404 when
   * there is none.
   */
  Path file(String collection, String name) {
    String what =
        "Not found: Snapshot `"
            + name
            + "`"
            + (collection == null ? "" : " of collection `" + collection + "`")
            + " doesn't exist!";
    if (name.contains("/")
        || name.contains("\\")
        || name.startsWith(".")
        || !name.endsWith(".snapshot")) {
      throw ApiException.notFound(what);
    }
    Path f = (collection == null ? root : root.resolve(collection)).resolve(name);
    if (!Files.isRegularFile(f)) {
      throw ApiException.notFound(what);
    }
    return f;
  }

  void delete(String collection, String name) throws IOException {
    Files.delete(file(collection, name));
  }

  /**
   * Restores {@code collection} from a snapshot stream (blocking): validates the whole file first
   * (format, config, every point), then replaces the collection and writes the points. A {@code
   * checksum} (SHA-256, hex), when given, must match the bytes read.
   */
  void recover(String collection, InputStream raw, String checksum) throws IOException {
    MessageDigest sha = sha256();
    Path staged = Files.createTempFile(Files.createDirectories(root), "recover-", ".snapshot");
    try {
      try (InputStream in = new DigestInputStream(raw, sha)) {
        Files.copy(in, staged, StandardCopyOption.REPLACE_EXISTING);
      }
      String actual = HexFormat.of().formatHex(sha.digest());
      if (checksum != null && !checksum.equalsIgnoreCase(actual)) {
        throw ApiException.badRequest(
            "Wrong input: snapshot checksum mismatch: expected " + checksum + ", got " + actual);
      }
      CollectionConfig config;
      try (BufferedReader reader = open(staged)) {
        config = readHeader(reader);
        var validator = new io.quiver.storage.PointValidator(config.vectors());
        for (String line; (line = reader.readLine()) != null; ) {
          validator.validate(point(line, config)); // every point is checked before anything changes
        }
      }
      Map<String, io.quiver.storage.payloadindex.FieldIndexSchema> indexes = payloadIndexes(staged);
      catalog.delete(collection).join();
      CollectionDescriptor created = catalog.create(collection, config).join();
      for (var index : indexes.entrySet()) {
        router.createFieldIndex(created, index.getKey(), index.getValue()).join();
      }
      try (BufferedReader reader = open(staged)) {
        readHeader(reader);
        List<Point> batch = new ArrayList<>(PAGE);
        for (String line; (line = reader.readLine()) != null; ) {
          batch.add(point(line, config));
          if (batch.size() == PAGE) {
            router
                .upsert(router.collection(collection), batch)
                .join(); // the shard map of now, as for a page
            batch = new ArrayList<>(PAGE);
          }
        }
        if (!batch.isEmpty()) {
          router.upsert(router.collection(collection), batch).join();
        }
      }
    } finally {
      Files.deleteIfExists(staged);
    }
  }

  private static BufferedReader open(Path file) throws IOException {
    try {
      return new BufferedReader(
          new InputStreamReader(
              new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8));
    } catch (java.util.zip.ZipException e) {
      throw ApiException.badRequest(
          "Wrong input: not a Quiver snapshot (not gzip): " + e.getMessage());
    }
  }

  /**
   * The payload indexes a snapshot's header lists ({@code payload_schema}; absent in older
   * snapshots).
   */
  private Map<String, io.quiver.storage.payloadindex.FieldIndexSchema> payloadIndexes(Path staged)
      throws IOException {
    Map<String, io.quiver.storage.payloadindex.FieldIndexSchema> out =
        new java.util.LinkedHashMap<>();
    try (BufferedReader reader = open(staged)) {
      JsonNode schema = json.readTree(reader.readLine()).path("payload_schema");
      for (var it = schema.fields(); it.hasNext(); ) {
        var e = it.next();
        JsonNode params = e.getValue().get("params");
        out.put(
            e.getKey(),
            FieldIndexJson.parseSchema(
                params != null && !params.isNull() ? params : e.getValue().get("data_type")));
      }
    }
    return out;
  }

  private CollectionConfig readHeader(BufferedReader reader) throws IOException {
    String first = reader.readLine();
    JsonNode header;
    try {
      header = first == null ? null : json.readTree(first);
    } catch (IOException e) {
      header = null;
    }
    if (header == null
        || !FORMAT.equals(header.path("format").asText())
        || header.path("version").asInt() != VERSION) {
      throw ApiException.badRequest(
          "Wrong input: not a Quiver snapshot of format " + FORMAT + " version " + VERSION);
    }
    return CollectionJson.parseCreate(header.get("config"));
  }

  private Point point(String line, CollectionConfig config) throws IOException {
    JsonNode p;
    try {
      p = json.readTree(line);
    } catch (IOException e) {
      throw ApiException.badRequest("Wrong input: corrupt snapshot line: " + e.getMessage());
    }
    PointJson.Vectors vectors = PointJson.vectors(p.get("vector"), "vector", config.vectors());
    return new Point(
        PointJson.id(p.get("id"), "id"),
        vectors.dense(),
        PointJson.payload(p.get("payload"), "payload"),
        vectors.sparse());
  }

  private Description describe(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    Instant created = Files.getLastModifiedTime(file).toInstant();
    return new Description(
        file.getFileName().toString(),
        created.toString().replace("Z", ""),
        Files.size(file),
        HexFormat.of().formatHex(sha.digest()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Map<String, Object> json(Description d) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("name", d.name());
    m.put("creation_time", d.creationTime());
    m.put("size", d.size());
    m.put("checksum", d.checksum());
    return m;
  }
}
