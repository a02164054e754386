package io.quiver.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one RocksDB instance, holding the stores of all its shard replicas: one column family
 * per store ({@link ShardStore}), on one block cache and one write-buffer manager ({@link
 * StoreMemory}), one WAL and one set of background threads. A shard costs a column family (its
 * memtable and its SST files), not an instance with its own WAL, MANIFEST, LOG and file handles.
 *
 * <p><b>Naming.</b> A shard directory names its store in the file {@value #STORE_FILE}: a random
 * name ({@code shard-<uuid>}), never reused. The shard's other files (segments, sparse parts,
 * multivector graphs) stay in the directory. The engine's {@code default} column family is the
 * <i>registry</i>: {@code store:<name>} -&gt; state ({@code LIVE} or {@code DROPPING}) and the
 * owner directory relative to the engine's. Registry writes are synced.
 *
 * <p><b>Creating, installing, migrating</b> ({@link #openStore}): (1) a fresh name is written to
 * the directory's {@value #STORE_FILE} (temp file, fsync, rename); (2) the column family is
 * created; (3) files are ingested into it when the directory holds {@link StoreSstFiles} (a
 * checkpoint to install) or an old per-shard RocksDB ({@link LegacyShardStore}, migrated through
 * SST files); (4) the store is registered {@code LIVE}; (5) the ingested or migrated files are
 * deleted. A crash before (4) leaves a column family with no {@code LIVE} entry, dropped when the
 * engine next opens, and a name that resolves to nothing, so the shard is absent ({@link #holds})
 * and its files to ingest are still there: the open starts again. A crash after (4) leaves only
 * files to delete.
 *
 * <p><b>Dropping</b> ({@link #destroy}): the entry becomes {@code DROPPING} (synced), the column
 * family is dropped (RocksDB deletes its SST files), the entry is deleted. A crash in between is
 * finished when the engine opens. A drop is one MANIFEST record, whatever the shard's size. Stores
 * whose directory was deleted by someone else (Ratis removing a group) are dropped by {@link
 * #dropUnreferenced}.
 *
 * <p><b>Durability.</b> Shards write the WAL without fsync (the Raft log is the WAL); {@link
 * #flush} flushes one store's memtable and syncs the WAL. With more than one column family RocksDB
 * syncs a closed WAL before it records a flush's SST file, so after power loss no column family is
 * ahead of the WAL the others recover from, and each store recovers to a prefix of its own writes.
 * {@code max_total_wal_size} is the write-buffer budget, so an idle store's small memtable cannot
 * keep old WAL files alive for ever (RocksDB flushes the stores holding the oldest WAL instead).
 *
 * <p>Thread-safe. Open as many stores at once as wanted; one store is open at most once.
 */
public final class NodeEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeEngine.class);

  /** The file of a shard directory that names its store. */
  static final String STORE_FILE = "STORE";

  private static final String REGISTRY_PREFIX = "store:";
  private static final byte LIVE = 1;
  private static final byte DROPPING = 2;

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final RocksDB db;
  private final ColumnFamilyHandle registry;
  private final WriteOptions synced = new WriteOptions().setSync(true);

  /** Registered ({@code LIVE}) stores. */
  private final Map<String, ColumnFamilyHandle> stores = new ConcurrentHashMap<>();

  /** Stores a {@link ShardStore} has open. */
  private final Set<String> open = ConcurrentHashMap.newKeySet();

  private volatile boolean closed;

  /**
   * Opens (or creates) the engine in {@code dir}: finishes drops and drops stores whose creation
   * was cut short, then drops the stores no directory names any more ({@link #dropUnreferenced}).
   */
  NodeEngine(Path dir, StoreMemory memory) {
    this.dir = dir.toAbsolutePath().normalize();
    this.dbOptions = memory.dbOptions().setMaxTotalWalSize(memory.writeBufferBytes());
    this.cfOptions = memory.columnFamilyOptions();
    try {
      Files.createDirectories(this.dir);
      List<byte[]> names =
          Files.exists(this.dir.resolve("CURRENT"))
              ? listFamilies()
              : List.of(RocksDB.DEFAULT_COLUMN_FAMILY);
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (byte[] name : names) {
        descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      this.db = RocksDB.open(dbOptions, this.dir.toString(), descriptors, handles);
      this.registry = handles.get(0);
      for (int i = 1; i < handles.size(); i++) {
        adopt(new String(names.get(i), StandardCharsets.UTF_8), handles.get(i));
      }
      deleteEntriesWithoutFamily();
    } catch (RocksDBException | IOException e) {
      throw new StorageException("cannot open the node's storage engine at " + dir, e);
    }
    int dropped = dropUnreferenced();
    LOG.info(
        "storage engine {}: {} shard stores{}",
        this.dir,
        stores.size(),
        dropped > 0 ? ", dropped " + dropped + " no shard directory names" : "");
  }

  private List<byte[]> listFamilies() throws RocksDBException {
    try (Options options = new Options()) {
      return RocksDB.listColumnFamilies(options, dir.toString());
    }
  }

  /** Keeps a column family found at open if it is a registered store; drops it otherwise. */
  private void adopt(String name, ColumnFamilyHandle family) throws RocksDBException {
    byte[] entry = db.get(registry, registryKey(name));
    if (entry != null && entry[0] == LIVE) {
      stores.put(name, family);
      return;
    }
    LOG.warn(
        "storage engine {}: dropping store {}, whose {} was cut short by a crash",
        dir,
        name,
        entry == null ? "creation" : "drop");
    db.dropColumnFamily(family);
    family.close();
    db.delete(registry, synced, registryKey(name));
  }

  private void deleteEntriesWithoutFamily() throws RocksDBException {
    List<byte[]> orphans = new ArrayList<>();
    try (RocksIterator it = db.newIterator(registry)) {
      for (it.seek(REGISTRY_PREFIX.getBytes(StandardCharsets.UTF_8)); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.UTF_8);
        if (!key.startsWith(REGISTRY_PREFIX)) {
          break;
        }
        if (!stores.containsKey(key.substring(REGISTRY_PREFIX.length()))) {
          orphans.add(it.key());
        }
      }
    }
    for (byte[] key : orphans) {
      db.delete(registry, synced, key);
    }
  }

  /** The directory of the engine's RocksDB instance. */
  public Path dir() {
    return dir;
  }

  /** Registered stores, open or not. */
  public int storeCount() {
    return stores.size();
  }

  /**
   * Whether {@code shardDir} holds a shard store: one this engine has under the directory's name,
   * or files that {@link #openStore} installs (a checkpoint) or migrates (the old layout). A
   * directory that names a store this engine does not have (a creation or a drop cut short) holds
   * none.
   */
  public boolean holds(Path shardDir) {
    String name = readName(shardDir);
    return (name != null && stores.containsKey(name))
        || StoreSstFiles.present(shardDir)
        || LegacyShardStore.present(shardDir);
  }

  /**
   * Opens the store of {@code shardDir}, creating the directory and the store when there is none,
   * installing the checkpoint files it holds, or migrating its old per-shard RocksDB (see the class
   * comment). Close the store when done; the directory's store is then free to open again.
   *
   * @throws IllegalStateException when the store is open already (a copy of a shard directory)
   */
  ShardStore openStore(Path shardDir) {
    checkOpen();
    Path owner = shardDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(owner);
      String name = readName(owner);
      if (name != null && stores.containsKey(name)) {
        if (!open.add(name)) {
          throw new IllegalStateException(
              "the store " + name + " of " + owner + " is open already");
        }
        deleteLeftovers(owner); // of an install or a migration cut short after (4)
        return new ShardStore(this, name, db, stores.get(name));
      }
      return create(owner);
    } catch (IOException e) {
      throw new StorageException("cannot open the shard store of " + shardDir, e);
    } catch (RocksDBException e) {
      throw new StorageException("cannot create the shard store of " + shardDir, e);
    }
  }

  private ShardStore create(Path owner) throws IOException, RocksDBException {
    String name = "shard-" + UUID.randomUUID();
    writeName(owner, name); // (1)
    ColumnFamilyHandle family =
        db.createColumnFamily(
            new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions)); // (2)
    String how = "created";
    try {
      List<String> files = List.of();
      if (StoreSstFiles.present(owner)) {
        files = StoreSstFiles.files(owner);
        how = "installed from " + files.size() + " SST files";
      } else if (LegacyShardStore.present(owner)) {
        files = migrate(owner);
        how = "migrated from the shard's own RocksDB";
      }
      if (!files.isEmpty()) {
        try (IngestExternalFileOptions options =
            new IngestExternalFileOptions().setMoveFiles(true)) {
          db.ingestExternalFile(family, files, options); // (3)
        }
      }
      db.put(registry, synced, registryKey(name), registryValue(LIVE, owner)); // (4)
    } catch (IOException | RocksDBException | RuntimeException e) {
      db.dropColumnFamily(family);
      family.close();
      throw e;
    }
    stores.put(name, family);
    open.add(name);
    deleteLeftovers(owner); // (5)
    LOG.info("storage engine: store {} of {} {}", name, owner, how);
    return new ShardStore(this, name, db, family);
  }

  /** Writes the old store of {@code owner} as SST files beside it; returns them. */
  private static List<String> migrate(Path owner) throws IOException, RocksDBException {
    Path staging = owner.resolve("store.migrating");
    deleteTree(staging);
    try (StoreSstFiles.Writer writer = new StoreSstFiles.Writer(staging)) {
      LegacyShardStore.copyTo(owner, writer);
      writer.finish();
    }
    return StoreSstFiles.files(staging);
  }

  private static void deleteLeftovers(Path owner) throws IOException {
    deleteTree(owner.resolve(StoreSstFiles.DIR));
    deleteTree(owner.resolve("store.migrating"));
    if (LegacyShardStore.present(owner) || Files.exists(owner.resolve("LOCK"))) {
      LegacyShardStore.deleteFiles(owner);
    }
  }

  /**
   * Drops the store of {@code shardDir} (if this engine has it) and deletes the directory. A crash
   * halfway leaves either a store finished dropping at the next open, or a directory naming no
   * store ({@link #holds} false).
   *
   * @throws IllegalStateException when the store is open
   */
  public void destroy(Path shardDir) throws IOException {
    checkOpen();
    String name = readName(shardDir);
    if (name != null && stores.containsKey(name)) {
      if (open.contains(name)) {
        throw new IllegalStateException(
            "the store " + name + " of " + shardDir + " is open; close its shard first");
      }
      drop(name);
    }
    deleteTree(shardDir);
  }

  private synchronized void drop(String name) {
    ColumnFamilyHandle family = stores.remove(name);
    if (family == null) {
      return;
    }
    try {
      byte[] entry = db.get(registry, registryKey(name));
      if (entry != null) {
        entry[0] = DROPPING;
        db.put(registry, synced, registryKey(name), entry);
      }
      db.dropColumnFamily(family);
      family.close();
      db.delete(registry, synced, registryKey(name));
      LOG.info("storage engine: dropped store {}", name);
    } catch (RocksDBException e) {
      throw new StorageException("cannot drop the shard store " + name, e);
    }
  }

  /**
   * Drops every store that is not open and whose owner directory does not name it any more (Ratis
   * deleted a removed group's directory, a snapshot install replaced it, or the node stopped while
   * it did). Returns how many. Reads one small file per store: call it after removals, not per
   * write.
   */
  public synchronized int dropUnreferenced() {
    if (closed) {
      return 0;
    }
    int dropped = 0;
    for (String name : List.copyOf(stores.keySet())) {
      if (open.contains(name)) {
        continue;
      }
      Path owner = ownerOf(name);
      if (owner == null || !name.equals(readName(owner))) {
        LOG.info(
            "storage engine: store {} is named by no shard directory ({} is gone): dropping it",
            name,
            owner);
        drop(name);
        dropped++;
      }
    }
    return dropped;
  }

  private Path ownerOf(String name) {
    try {
      byte[] entry = db.get(registry, registryKey(name));
      if (entry == null || entry.length < 2) {
        return null;
      }
      return dir.resolve(new String(entry, 1, entry.length - 1, StandardCharsets.UTF_8))
          .normalize();
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the registry of the storage engine", e);
    }
  }

  /** Flushes one store's memtable to SST files, then syncs the WAL (see the class comment). */
  void flush(ColumnFamilyHandle family) {
    try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
      db.flush(options, family);
      db.syncWal();
    } catch (RocksDBException e) {
      throw new StorageException("cannot flush a shard store", e);
    }
  }

  /** Called by {@link ShardStore#close()}. */
  void release(String name) {
    open.remove(name);
  }

  private byte[] registryKey(String name) {
    return (REGISTRY_PREFIX + name).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The state, then the owner directory relative to the engine's (so the data directory may move).
   */
  private byte[] registryValue(byte state, Path owner) {
    byte[] path = dir.relativize(owner).toString().getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[path.length + 1];
    value[0] = state;
    System.arraycopy(path, 0, value, 1, path.length);
    return value;
  }

  /** The store name in {@code shardDir}'s {@value #STORE_FILE}, or null. */
  private static String readName(Path shardDir) {
    try {
      Path file = shardDir.resolve(STORE_FILE);
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + shardDir.resolve(STORE_FILE), e);
    }
  }

  private static void writeName(Path shardDir, String name) throws IOException {
    Path tmp = shardDir.resolve(STORE_FILE + ".tmp");
    Files.writeString(tmp, name + "\n", StandardCharsets.UTF_8);
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(
        tmp,
        shardDir.resolve(STORE_FILE),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel channel = FileChannel.open(shardDir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the storage engine at " + dir + " is closed");
    }
  }

  /**
   * Closes the instance. Call after every shard closed: a store still open keeps the instance open
   * (logged), since closing RocksDB under a live store would crash the process.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    if (!open.isEmpty()) {
      LOG.error(
          "storage engine {}: {} stores still open at close ({}...): left open",
          dir,
          open.size(),
          open.iterator().next());
      return;
    }
    closed = true;
    long start = System.nanoTime();
    int count = stores.size();
    stores.values().forEach(ColumnFamilyHandle::close);
    stores.clear();
    registry.close();
    synced.close();
    db.close();
    dbOptions.close();
    cfOptions.close();
    LOG.info(
        "storage engine {}: closed with {} stores in {} ms",
        dir,
        count,
        (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public String toString() {
    return "storage engine " + dir;
  }
}
