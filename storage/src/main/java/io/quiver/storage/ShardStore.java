package io.quiver.storage;

import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A shard replica's store: one column family of the node's {@link NodeEngine}, holding three
 * sections told apart by the first byte of the key: {@link #META} (the vectors config, the payload
 * index schema, the ownership and the last applied log index), {@link #POINTS} (id -&gt; version
 * and the vectors no sealed segment holds: a vector is stored once, see {@link
 * #POINT_FORMAT_IN_SEGMENTS}) and {@link #PAYLOADS} (id -&gt; payload JSON). Within a section keys
 * sort as the ids' bytes, as they did in the column families of the old layout ({@link
 * LegacyShardStore}).
 *
 * <p>Every apply writes one {@link WriteBatch} that includes the new applied index, so the data and
 * the index it reflects can never disagree after a crash. Because a shard's data and its applied
 * index share one column family, they also share one memtable, and every flush of it to an SST file
 * is a cut at one point of the shard's writes: no {@code atomic_flush} is needed (which, DB-wide,
 * would flush every shard whenever one flushes). Writes go to the engine's WAL without fsync: the
 * Raft log is the durable write-ahead log, and {@link #flush()} (called when Raft takes a snapshot,
 * before it may purge its log) makes everything up to that point durable.
 *
 * <p>Not thread-safe for writes (one apply thread); reads may run concurrently. {@link #close()}
 * releases the store to the engine; its column family stays.
 */
final class ShardStore implements AutoCloseable {

  /** Section prefixes: the first byte of every key. */
  static final byte META = 0;

  static final byte POINTS = 1;
  static final byte PAYLOADS = 2;

  private static final byte[] KEY_APPLIED_INDEX =
      key(META, "applied_index".getBytes(StandardCharsets.UTF_8));
  private static final byte[] KEY_VECTORS_CONFIG =
      key(META, "vectors_config".getBytes(StandardCharsets.UTF_8));
  private static final byte[] KEY_PAYLOAD_SCHEMA =
      key(META, "payload_schema".getBytes(StandardCharsets.UTF_8));
  private static final byte[] KEY_SHARD_CONFIG =
      key(META, "shard_config".getBytes(StandardCharsets.UTF_8));

  /**
   * hashing ordinal (byte) | shard (int) | shards (int); absent: the shard has no ownership fence
   */
  private static final byte[] KEY_OWNERSHIP =
      key(META, "ownership".getBytes(StandardCharsets.UTF_8));

  /** Point values: version 1 = version + dense vectors; version 2 appends the sparse vectors. */
  private static final int POINT_FORMAT_VERSION = 1;

  private static final int POINT_FORMAT_VERSION_SPARSE = 2;

  /**
   * Version 3: the dense vectors that the shard's sealed segments hold durably are not repeated
   * here (a vector is stored once, see {@link Batch#dropSegmentCopies}). The value is version 2's
   * (the sparse count always present) followed by the names of the dense vectors the segments hold
   * for it: a point may omit named vectors, and the segments' absent-vector bitmaps are rebuilt
   * from these names at open. Vectors no segment holds (multivectors, which travel flat among the
   * dense ones) stay in the value.
   */
  private static final int POINT_FORMAT_IN_SEGMENTS = 3;

  static {
    RocksDB.loadLibrary();
  }

  private final NodeEngine engine;
  private final String name;
  private final RocksDB db;
  private final ColumnFamilyHandle family;
  private final WriteOptions writeOptions = new WriteOptions();

  /**
   * The store {@code name} of {@code engine}, in {@code family}; made by {@link
   * NodeEngine#openStore}.
   */
  ShardStore(NodeEngine engine, String name, RocksDB db, ColumnFamilyHandle family) {
    this.engine = engine;
    this.name = name;
    this.db = db;
    this.family = family;
  }

  /** {@code section} followed by {@code bytes}. */
  static byte[] key(byte section, byte[] bytes) {
    byte[] key = new byte[bytes.length + 1];
    key[0] = section;
    System.arraycopy(bytes, 0, key, 1, bytes.length);
    return key;
  }

  private static byte[] unprefixed(byte[] key) {
    return java.util.Arrays.copyOfRange(key, 1, key.length);
  }

  /**
   * An iterator over one section, positioned at its first key (or at {@code from} within it); its
   * keys still carry the section byte. Close it.
   */
  private final class SectionIterator implements AutoCloseable {
    private final org.rocksdb.Slice lower;
    private final org.rocksdb.Slice upper;
    private final org.rocksdb.ReadOptions options;
    final RocksIterator it;

    SectionIterator(byte section, byte[] from) {
      lower = new org.rocksdb.Slice(new byte[] {section});
      upper = new org.rocksdb.Slice(new byte[] {(byte) (section + 1)});
      options =
          new org.rocksdb.ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
      it = db.newIterator(family, options);
      if (from == null) {
        it.seekToFirst();
      } else {
        it.seek(ShardStore.key(section, from));
      }
    }

    /** The current key without its section byte. */
    byte[] key() {
      return unprefixed(it.key());
    }

    @Override
    public void close() {
      it.close();
      options.close();
      upper.close();
      lower.close();
    }
  }

  long appliedIndex() {
    byte[] v = get(KEY_APPLIED_INDEX);
    return v == null ? -1 : ByteBuffer.wrap(v).getLong();
  }

  /**
   * The shard's config; a shard written before configs had HNSW and optimizer settings gets the
   * defaults.
   */
  ShardConfig shardConfig() {
    try {
      byte[] v = get(KEY_SHARD_CONFIG);
      if (v != null) {
        return ShardConfigCodec.read(new DataInputStream(new ByteArrayInputStream(v)));
      }
      v = get(KEY_VECTORS_CONFIG);
      return v == null
          ? null
          : ShardConfig.of(
              VectorsConfigCodec.read(new DataInputStream(new ByteArrayInputStream(v))));
    } catch (IOException e) {
      throw new StorageException("corrupt config in shard store", e);
    }
  }

  /** The shard's ownership fence, or null when it has none. */
  ShardOwnership ownership() {
    byte[] v = get(KEY_OWNERSHIP);
    if (v == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    int hashing = b.get();
    if (hashing < 0 || hashing >= PointHashing.values().length) {
      throw new StorageException("corrupt ownership in shard store: hashing " + hashing, null);
    }
    return new ShardOwnership(PointHashing.values()[hashing], b.getInt(), b.getInt());
  }

  void writeShardConfig(ShardConfig config) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ShardConfigCodec.write(config, new DataOutputStream(bytes));
      db.put(family, writeOptions, KEY_SHARD_CONFIG, bytes.toByteArray());
    } catch (RocksDBException | IOException e) {
      throw new StorageException("cannot write shard config", e);
    }
  }

  /** A batch of changes that lands atomically with its applied index. */
  final class Batch implements AutoCloseable {
    private final WriteBatch batch = new WriteBatch();

    void putPoint(PointId id, long version, Map<String, float[]> vectors, Payload payload) {
      putPoint(id, version, vectors, Map.of(), payload);
    }

    void putPoint(
        PointId id,
        long version,
        Map<String, float[]> vectors,
        Map<String, io.quiver.index.sparse.SparseVector> sparse,
        Payload payload) {
      try {
        byte[] key = id.toBytes();
        batch.put(family, key(POINTS, key), encodePoint(version, vectors, sparse, Set.of()));
        if (payload.isEmpty()) {
          batch.delete(family, key(PAYLOADS, key));
        } else {
          batch.put(family, key(PAYLOADS, key), payload.toBytes());
        }
      } catch (RocksDBException e) {
        throw new StorageException("cannot stage point " + id, e);
      }
    }

    /** Stages the shard's ownership fence (null: none). */
    void putOwnership(ShardOwnership ownership) {
      try {
        if (ownership == null) {
          batch.delete(family, KEY_OWNERSHIP);
        } else {
          batch.put(
              family,
              KEY_OWNERSHIP,
              ByteBuffer.allocate(9)
                  .put((byte) ownership.hashing().ordinal())
                  .putInt(ownership.shard())
                  .putInt(ownership.shards())
                  .array());
        }
      } catch (RocksDBException e) {
        throw new StorageException("cannot stage the ownership", e);
      }
    }

    /** Stages a new shard config (with the entry that changes it). */
    void putShardConfig(ShardConfig config) {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ShardConfigCodec.write(config, new DataOutputStream(bytes));
        batch.put(family, KEY_SHARD_CONFIG, bytes.toByteArray());
      } catch (RocksDBException | IOException e) {
        throw new StorageException("cannot stage the shard config", e);
      }
    }

    /**
     * Stages, for every stored point holding a vector named in {@code dense} or {@code sparse}, the
     * point without those vectors (same version and payload): a vector name dropped from the
     * collection. Returns how many points changed.
     */
    long dropVectors(java.util.Set<String> dense, java.util.Set<String> sparse) {
      long changed = 0;
      try (SectionIterator section = new SectionIterator(POINTS, null)) {
        RocksIterator it = section.it;
        for (; it.isValid(); it.next()) {
          StoredVectors v = decodePoint(it.value());
          Map<String, float[]> keptDense = new LinkedHashMap<>(v.vectors());
          Map<String, io.quiver.index.sparse.SparseVector> keptSparse =
              new LinkedHashMap<>(v.sparse());
          Set<String> keptInSegments = new java.util.LinkedHashSet<>(v.inSegments());
          boolean touched =
              keptDense.keySet().removeAll(dense)
                  | keptSparse.keySet().removeAll(sparse)
                  | keptInSegments.removeAll(dense);
          if (touched) {
            batch.put(
                family, it.key(), encodePoint(v.version(), keptDense, keptSparse, keptInSegments));
            changed++;
          }
        }
      } catch (RocksDBException e) {
        throw new StorageException(
            "cannot stage the removal of vectors " + dense + " " + sparse, e);
      }
      return changed;
    }

    /** Replaces a point's payload only (its vectors and version stay as they are). */
    void putPayload(PointId id, Payload payload) {
      try {
        byte[] key = id.toBytes();
        if (payload.isEmpty()) {
          batch.delete(family, key(PAYLOADS, key));
        } else {
          batch.put(family, key(PAYLOADS, key), payload.toBytes());
        }
      } catch (RocksDBException e) {
        throw new StorageException("cannot stage payload of " + id, e);
      }
    }

    /** Replaces the payload index schema (the indexed fields), see {@link PayloadSchemaCodec}. */
    void putPayloadSchema(Map<JsonPath, FieldIndexSchema> schema) {
      try {
        batch.put(family, KEY_PAYLOAD_SCHEMA, PayloadSchemaCodec.encode(schema));
      } catch (RocksDBException e) {
        throw new StorageException("cannot stage the payload schema", e);
      }
    }

    void deletePoint(PointId id) {
      try {
        byte[] key = id.toBytes();
        batch.delete(family, key(POINTS, key));
        batch.delete(family, key(PAYLOADS, key));
      } catch (RocksDBException e) {
        throw new StorageException("cannot stage delete of " + id, e);
      }
    }

    /**
     * Drops from the stored point {@code id} its copies of the dense vectors {@code names} (those
     * of them it has), once a sealed segment holds them durably at {@code version}: the value keeps
     * their names ({@link #POINT_FORMAT_IN_SEGMENTS}). Nothing changes when the point is gone, at
     * another version, or has none of them here. Returns true when the value changed.
     */
    boolean dropSegmentCopies(PointId id, long version, Set<String> names) {
      byte[] key = key(POINTS, id.toBytes());
      byte[] value = get(key);
      if (value == null || versionOf(value) != version) {
        return false;
      }
      StoredVectors v = decodePoint(value);
      Map<String, float[]> kept = new LinkedHashMap<>(v.vectors());
      Set<String> inSegments = new java.util.LinkedHashSet<>(v.inSegments());
      for (String name : names) {
        if (kept.remove(name) != null) {
          inSegments.add(name);
        }
      }
      if (kept.size() == v.vectors().size()) {
        return false;
      }
      try {
        batch.put(family, key, encodePoint(version, kept, v.sparse(), inSegments));
        return true;
      } catch (RocksDBException e) {
        throw new StorageException("cannot stage the segment hand-over of " + id, e);
      }
    }

    /**
     * Puts back into every stored point the dense vectors that sealed segments hold for it ({@code
     * vectorsOf} reads them from the segments), so that the store alone holds every point again:
     * before the segments are discarded. Returns how many points changed.
     */
    long restoreSegmentCopies(
        java.util.function.Function<PointId, Map<String, float[]>> vectorsOf) {
      long changed = 0;
      try (SectionIterator section = new SectionIterator(POINTS, null)) {
        for (RocksIterator it = section.it; it.isValid(); it.next()) {
          byte[] value = it.value();
          if (value[0] != POINT_FORMAT_IN_SEGMENTS) {
            continue;
          }
          PointId id = PointId.fromBytes(section.key());
          StoredVectors v = decodePoint(value);
          Map<String, float[]> held = vectorsOf.apply(id);
          Map<String, float[]> all = new LinkedHashMap<>(v.vectors());
          for (String name : v.inSegments()) {
            float[] vector = held == null ? null : held.get(name);
            if (vector == null) {
              throw new StorageException(
                  "point " + id + ": no segment holds its vector `" + name + "`", null);
            }
            all.put(name, vector);
          }
          batch.put(family, it.key(), encodePoint(v.version(), all, v.sparse(), Set.of()));
          changed++;
        }
      } catch (RocksDBException e) {
        throw new StorageException("cannot stage the vectors put back from the segments", e);
      }
      return changed;
    }

    /**
     * Writes the staged changes without moving the applied index: for changes that are not log
     * entries (the vectors' hand-over between the store and the segments).
     */
    void commitUnindexed() {
      try {
        db.write(writeOptions, batch);
      } catch (RocksDBException e) {
        throw new StorageException("cannot write a batch of segment hand-overs", e);
      }
    }

    void commit(long appliedIndex) {
      try {
        batch.put(family, KEY_APPLIED_INDEX, ByteBuffer.allocate(8).putLong(appliedIndex).array());
        db.write(writeOptions, batch);
      } catch (RocksDBException e) {
        throw new StorageException("cannot write batch at index " + appliedIndex, e);
      }
    }

    @Override
    public void close() {
      batch.close();
    }
  }

  Batch batch() {
    return new Batch();
  }

  Payload payload(PointId id) {
    byte[] v = get(key(PAYLOADS, id.toBytes()));
    return v == null ? Payload.EMPTY : Payload.fromBytes(v);
  }

  /**
   * Reads every stored payload once, so that RocksDB's block cache and the page cache hold them
   * ({@code payload.memory: cached}); returns the bytes read. One sequential pass over the column
   * family.
   */
  long preloadPayloads() {
    long bytes = 0;
    try (SectionIterator section = new SectionIterator(PAYLOADS, null)) {
      for (RocksIterator it = section.it; it.isValid(); it.next()) {
        bytes += it.value().length;
      }
    }
    return bytes;
  }

  /** The indexed payload fields (empty when none). */
  Map<JsonPath, FieldIndexSchema> payloadSchema() {
    byte[] v = get(KEY_PAYLOAD_SCHEMA);
    return v == null ? Map.of() : PayloadSchemaCodec.decode(v);
  }

  /**
   * Calls {@code consumer} with (id, payload) for every stored point in id order, {@link
   * Payload#EMPTY} for a point without payload: one pass over both column families' keys, which
   * sort alike.
   */
  void forEachPointPayload(BiConsumer<PointId, Payload> consumer) {
    try (SectionIterator idSection = new SectionIterator(POINTS, null);
        SectionIterator payloadSection = new SectionIterator(PAYLOADS, null)) {
      RocksIterator payloadIt = payloadSection.it;
      for (RocksIterator ids = idSection.it; ids.isValid(); ids.next()) {
        byte[] key = ShardStore.key(PAYLOADS, idSection.key());
        while (payloadIt.isValid() && java.util.Arrays.compareUnsigned(payloadIt.key(), key) < 0) {
          payloadIt.next();
        }
        boolean has = payloadIt.isValid() && java.util.Arrays.equals(payloadIt.key(), key);
        consumer.accept(
            PointId.fromBytes(idSection.key()),
            has ? Payload.fromBytes(payloadIt.value()) : Payload.EMPTY);
      }
    }
  }

  /**
   * Calls {@code visitor} with every stored point in id order: its id, version, and a supplier that
   * decodes its (prepared) vectors only when asked, so a scan at open does not keep them.
   */
  void forEachPoint(io.quiver.storage.segment.ShardSegments.StoredPoints.Visitor visitor) {
    try (SectionIterator section = new SectionIterator(POINTS, null)) {
      for (RocksIterator it = section.it; it.isValid(); it.next()) {
        byte[] value = it.value();
        visitor.visit(
            PointId.fromBytes(section.key()),
            versionOf(value),
            () -> decodePoint(value).vectors(),
            () -> vectorNames(value),
            value[0] == POINT_FORMAT_IN_SEGMENTS);
      }
    }
  }

  /**
   * Calls {@code visitor} with the id of every stored point from {@code from} (inclusive; null: the
   * first) in Qdrant's id order, until it returns false.
   */
  void forEachIdFrom(PointId from, java.util.function.Predicate<PointId> visitor) {
    try (SectionIterator section =
        new SectionIterator(POINTS, from == null ? null : from.toBytes())) {
      for (RocksIterator it = section.it; it.isValid(); it.next()) {
        if (!visitor.test(PointId.fromBytes(section.key()))) {
          return;
        }
      }
    }
  }

  /**
   * Flushes this store's memtable to SST files and syncs the WAL: everything written so far
   * survives power loss. One column family, so one flush: a consistent cut of the shard (see the
   * class comment).
   */
  void flush() {
    engine.flush(family);
  }

  /**
   * Makes the store durable ({@link #flush}) and writes a consistent copy of it into {@code
   * target}: the {@link StoreSstFiles} of everything it holds as of this call, which {@link
   * NodeEngine#openStore} ingests into a new column family when a shard opens in a directory
   * holding them. Costs one sequential read of the store and one write of its bytes (RocksJava
   * offers no export another node can import, see {@link StoreSstFiles}); {@link #pin} does the
   * same in two steps, so that the costly one can run elsewhere.
   */
  void checkpoint(Path target) {
    try (PinnedState state = pin()) {
      state.writeTo(target, () -> false);
    }
  }

  /**
   * Pins what the store holds now for a copy written later ({@link PinnedState#writeTo}), whatever
   * is written meanwhile: makes it durable first (Ratis may purge its log up to a snapshot of this
   * state, so the live store must not lose it on power loss), then takes a RocksDB snapshot, which
   * keeps this state readable (and its older versions from being compacted away) until closed.
   * Cheap: a flush and a sequence number.
   */
  PinnedState pin() {
    flush();
    return new PinnedState(db.getSnapshot());
  }

  /**
   * A state of the store pinned by {@link #pin}; close it (it holds back compaction) once written.
   */
  final class PinnedState implements AutoCloseable {
    private final org.rocksdb.Snapshot snapshot;
    private boolean released;

    private PinnedState(org.rocksdb.Snapshot snapshot) {
      this.snapshot = snapshot;
    }

    /**
     * Writes the pinned state into {@code target} as {@link StoreSstFiles}; asks {@code cancelled}
     * every 4,096 keys and stops with a {@link java.util.concurrent.CancellationException} (leaving
     * partial files for the caller to remove) when it says true.
     */
    void writeTo(Path target, java.util.function.BooleanSupplier cancelled) {
      try (org.rocksdb.ReadOptions options = new org.rocksdb.ReadOptions().setSnapshot(snapshot);
          RocksIterator it = db.newIterator(family, options);
          StoreSstFiles.Writer writer = new StoreSstFiles.Writer(target)) {
        long keys = 0;
        for (it.seekToFirst(); it.isValid(); it.next()) {
          if ((++keys & 4095) == 0 && cancelled.getAsBoolean()) {
            throw new java.util.concurrent.CancellationException(
                "the checkpoint into " + target + " was cancelled");
          }
          writer.put(it.key(), it.value());
        }
        it.status();
        writer.finish();
      } catch (RocksDBException | IOException e) {
        throw new StorageException("cannot create a checkpoint at " + target, e);
      }
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        db.releaseSnapshot(snapshot);
      }
    }
  }

  /**
   * A decoded point value; {@code inSegments} names the dense vectors that sealed segments hold
   * instead of the value.
   */
  record StoredVectors(
      long version,
      Map<String, float[]> vectors,
      Map<String, io.quiver.index.sparse.SparseVector> sparse,
      Set<String> inSegments) {}

  /** The sparse vectors a stored point has (empty when it has none or does not exist). */
  Map<String, io.quiver.index.sparse.SparseVector> sparse(PointId id) {
    byte[] v = get(key(POINTS, id.toBytes()));
    return v == null ? Map.of() : decodePoint(v).sparse();
  }

  /** Calls {@code consumer} with every stored point that has sparse vectors, in id order. */
  void forEachSparse(
      BiConsumer<PointId, Map<String, io.quiver.index.sparse.SparseVector>> consumer) {
    try (SectionIterator section = new SectionIterator(POINTS, null)) {
      for (RocksIterator it = section.it; it.isValid(); it.next()) {
        byte[] value = it.value();
        if (value[0] == POINT_FORMAT_VERSION_SPARSE || value[0] == POINT_FORMAT_IN_SEGMENTS) {
          var sparse = decodePoint(value).sparse();
          if (!sparse.isEmpty()) {
            consumer.accept(PointId.fromBytes(section.key()), sparse);
          }
        }
      }
    }
  }

  /**
   * Calls {@code visitor} with every sparse vector stored, in point id order, in its encoded form
   * (nothing is decoded: a scan at open that finds most vectors in sealed sparse parts allocates
   * nothing for them).
   */
  void forEachSparseEncoded(io.quiver.storage.sparse.SparseIndexes.StoredVisitor visitor) {
    try (SectionIterator section = new SectionIterator(POINTS, null)) {
      for (RocksIterator it = section.it; it.isValid(); it.next()) {
        byte[] value = it.value();
        if (value[0] != POINT_FORMAT_VERSION_SPARSE && value[0] != POINT_FORMAT_IN_SEGMENTS) {
          continue;
        }
        ByteBuffer buf = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(1 + 8);
        int count = buf.getInt();
        for (int i = 0; i < count; i++) {
          int nameLength = buf.getShort();
          buf.position(buf.position() + nameLength);
          int dim = buf.getInt();
          buf.position(buf.position() + 4 * dim);
        }
        PointId id = null;
        int sparseCount = buf.getInt();
        for (int i = 0; i < sparseCount; i++) {
          byte[] name = new byte[buf.getShort()];
          buf.get(name);
          int n = buf.getInt();
          if (id == null) {
            id = PointId.fromBytes(section.key());
          }
          visitor.visit(id, new String(name, StandardCharsets.UTF_8), buf, buf.position(), n);
          buf.position(buf.position() + 8 * n);
        }
      }
    }
  }

  private static byte[] encodePoint(
      long version,
      Map<String, float[]> vectors,
      Map<String, io.quiver.index.sparse.SparseVector> sparse,
      Set<String> inSegments) {
    int format =
        !inSegments.isEmpty()
            ? POINT_FORMAT_IN_SEGMENTS
            : sparse.isEmpty() ? POINT_FORMAT_VERSION : POINT_FORMAT_VERSION_SPARSE;
    int size = 1 + 8 + 4;
    List<byte[]> heldNames = new ArrayList<>();
    if (format == POINT_FORMAT_IN_SEGMENTS) {
      size += 4;
      for (String name : inSegments) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        heldNames.add(bytes);
        size += 2 + bytes.length;
      }
    }
    List<byte[]> sparseNames = new ArrayList<>();
    if (format != POINT_FORMAT_VERSION) {
      size += 4;
      for (Map.Entry<String, io.quiver.index.sparse.SparseVector> e : sparse.entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        sparseNames.add(name);
        size += 2 + name.length + 4 + 8 * e.getValue().size();
      }
    }
    List<byte[]> names = new ArrayList<>();
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      size += 2 + name.length + 4 + 4 * e.getValue().length;
    }
    ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    buf.put((byte) format).putLong(version).putInt(vectors.size());
    int i = 0;
    for (float[] v : vectors.values()) {
      byte[] name = names.get(i++);
      buf.putShort((short) name.length).put(name).putInt(v.length);
      buf.asFloatBuffer().put(v);
      buf.position(buf.position() + 4 * v.length);
    }
    if (format != POINT_FORMAT_VERSION) {
      buf.putInt(sparse.size());
      int j = 0;
      for (io.quiver.index.sparse.SparseVector v : sparse.values()) {
        byte[] name = sparseNames.get(j++);
        buf.putShort((short) name.length).put(name).putInt(v.size());
        for (int k = 0; k < v.size(); k++) {
          buf.putInt(v.index(k));
        }
        for (int k = 0; k < v.size(); k++) {
          buf.putFloat(v.value(k));
        }
      }
    }
    if (format == POINT_FORMAT_IN_SEGMENTS) {
      buf.putInt(heldNames.size());
      for (byte[] name : heldNames) {
        buf.putShort((short) name.length).put(name);
      }
    }
    return buf.array();
  }

  /** The names of the dense vectors of an encoded point, without decoding the vectors. */
  private static java.util.Set<String> vectorNames(byte[] bytes) {
    if (bytes[0] == POINT_FORMAT_IN_SEGMENTS) {
      StoredVectors v = decodePoint(bytes);
      java.util.Set<String> names = new java.util.HashSet<>(v.vectors().keySet());
      names.addAll(v.inSegments());
      return names;
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.position(1 + 8);
    int count = buf.getInt();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[buf.getShort()];
      buf.get(name);
      int dim = buf.getInt();
      buf.position(buf.position() + 4 * dim);
      names.add(new String(name, StandardCharsets.UTF_8));
    }
    return names;
  }

  private static long versionOf(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int format = buf.get();
    if (format != POINT_FORMAT_VERSION
        && format != POINT_FORMAT_VERSION_SPARSE
        && format != POINT_FORMAT_IN_SEGMENTS) {
      throw new StorageException("unknown point format " + format, null);
    }
    return buf.getLong();
  }

  private static StoredVectors decodePoint(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int format = buf.get();
    if (format != POINT_FORMAT_VERSION
        && format != POINT_FORMAT_VERSION_SPARSE
        && format != POINT_FORMAT_IN_SEGMENTS) {
      throw new StorageException("unknown point format " + format, null);
    }
    long version = buf.getLong();
    int count = buf.getInt();
    Map<String, float[]> vectors = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[buf.getShort()];
      buf.get(name);
      float[] v = new float[buf.getInt()];
      buf.asFloatBuffer().get(v);
      buf.position(buf.position() + 4 * v.length);
      vectors.put(new String(name, StandardCharsets.UTF_8), v);
    }
    Map<String, io.quiver.index.sparse.SparseVector> sparse = new LinkedHashMap<>();
    if (format != POINT_FORMAT_VERSION) {
      int sparseCount = buf.getInt();
      for (int i = 0; i < sparseCount; i++) {
        byte[] name = new byte[buf.getShort()];
        buf.get(name);
        int n = buf.getInt();
        int[] indices = new int[n];
        float[] values = new float[n];
        for (int k = 0; k < n; k++) {
          indices[k] = buf.getInt();
        }
        for (int k = 0; k < n; k++) {
          values[k] = buf.getFloat();
        }
        sparse.put(
            new String(name, StandardCharsets.UTF_8),
            io.quiver.index.sparse.SparseVector.of(indices, values));
      }
    }
    Set<String> inSegments = Set.of();
    if (format == POINT_FORMAT_IN_SEGMENTS) {
      int heldCount = buf.getInt();
      inSegments = new java.util.LinkedHashSet<>();
      for (int i = 0; i < heldCount; i++) {
        byte[] name = new byte[buf.getShort()];
        buf.get(name);
        inSegments.add(new String(name, StandardCharsets.UTF_8));
      }
    }
    return new StoredVectors(version, vectors, sparse, inSegments);
  }

  private byte[] get(byte[] key) {
    try {
      return db.get(family, key);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read shard store", e);
    }
  }

  @Override
  public void close() {
    writeOptions.close();
    engine.release(name);
  }

  @Override
  public String toString() {
    return "ShardStore[" + name + "]";
  }
}
