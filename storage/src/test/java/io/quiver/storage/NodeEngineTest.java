package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;

/**
 * Goal: many shards live in one RocksDB instance ({@link NodeEngine}) and each keeps exactly its
 * own data through writes, a clean reopen of the engine, the drop of another shard, a checkpoint
 * installed into a second engine, an interrupted creation or drop, and the migration of a shard
 * directory of the old layout (a RocksDB per shard). Oracle: the points each shard was given, read
 * back through {@link Shard#retrieve} and {@link Shard#count}. (A crash of the engine by SIGKILL is
 * {@link ShardCrashTest}'s.)
 */
@Timeout(120)
class NodeEngineTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ShardConfig CONFIG =
      ShardConfig.of(VectorsConfig.single(new VectorParams(2, Distance.DOT, false)));

  @TempDir Path dir;

  private ShardResources engine(String name) {
    return new ShardResources(ShardResources.Settings.defaults(), dir.resolve(name));
  }

  /** Shard {@code s} gets points s*100 .. s*100+count-1, with payload {"shard": s}. */
  private static void fill(Shard shard, int s, int count, long index) {
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectNode payload = JSON.createObjectNode().put("shard", s).put("i", i);
      points.add(
          new Point(PointId.of(s * 100L + i), Map.of("", new float[] {s, i}), Payload.of(payload)));
    }
    shard.upsert(points, index);
  }

  private static void assertHolds(Shard shard, int s, int count, String at) {
    assertEquals(count, shard.count(), at + ": count of shard " + s);
    List<PointId> ids = new ArrayList<>();
    for (int i = 0; i < count + 5; i++) {
      ids.add(PointId.of(s * 100L + i));
    }
    List<PointRecord> records = shard.retrieve(ids, true, true);
    assertEquals(count, records.size(), at + ": points of shard " + s);
    for (PointRecord r : records) {
      long i = r.id().number() - s * 100L;
      assertEquals(s, r.payload().tree().get("shard").asInt(), at + ": payload of " + r.id());
      assertEquals(i, r.payload().tree().get("i").asLong(), at + ": payload of " + r.id());
      assertEquals(i, (long) r.vectors().get("")[1], at + ": vector of " + r.id());
    }
  }

  @Test
  void shardsShareOneInstanceAndKeepTheirDataThroughReopenAndDrop() throws Exception {
    Path[] shards = {dir.resolve("s0"), dir.resolve("s1"), dir.resolve("s2")};
    try (ShardResources engine = engine("engine")) {
      for (int s = 0; s < 3; s++) {
        try (Shard shard = Shard.openOrCreate(shards[s], CONFIG, engine)) {
          fill(shard, s, 10 + s, 1);
          fill(shard, s, 10 + s, 2); // the same points again, newer versions
          shard.flush();
        }
      }
      assertEquals(3, engine.engine().storeCount());
    }
    for (Path s : shards) {
      assertFalse(Files.exists(s.resolve("CURRENT")), "no RocksDB instance of its own in " + s);
      assertTrue(Files.exists(s.resolve(NodeEngine.STORE_FILE)), s + " names its store");
    }
    try (ShardResources engine = engine("engine")) {
      assertEquals(3, engine.engine().storeCount(), "the stores after a clean reopen");
      for (int s = 0; s < 3; s++) {
        try (Shard shard = Shard.openOrCreate(shards[s], null, engine)) {
          assertEquals(2, shard.appliedIndex());
          assertHolds(shard, s, 10 + s, "reopened");
        }
      }
      engine.engine().destroy(shards[1]);
      assertFalse(Files.exists(shards[1]), "the dropped shard's directory is gone");
      assertFalse(engine.engine().holds(shards[1]));
      assertEquals(2, engine.engine().storeCount());
    }
    try (ShardResources engine = engine("engine")) {
      assertEquals(2, engine.engine().storeCount(), "the drop is durable");
      for (int s : new int[] {0, 2}) {
        try (Shard shard = Shard.openOrCreate(shards[s], null, engine)) {
          assertHolds(shard, s, 10 + s, "after another shard was dropped");
        }
      }
      // A directory deleted behind the engine's back (Ratis removing a group) leaves a store no
      // directory names: dropped by the sweep, the others stay.
      deleteTree(shards[2]);
      assertEquals(1, engine.engine().dropUnreferenced());
      assertEquals(1, engine.engine().storeCount());
    }
  }

  @Test
  void aStoreIsOpenOnceAndAnOpenStoreIsNotDropped() throws Exception {
    try (ShardResources engine = engine("engine");
        Shard shard = Shard.openOrCreate(dir.resolve("s"), CONFIG, engine)) {
      assertThrows(IllegalStateException.class, () -> engine.engine().destroy(dir.resolve("s")));
      copyTree(dir.resolve("s"), dir.resolve("copy"));
      assertThrows(
          IllegalStateException.class, () -> Shard.openOrCreate(dir.resolve("copy"), null, engine));
      deleteTree(dir.resolve("s"));
      assertEquals(0, engine.engine().dropUnreferenced(), "an open store is never swept");
    }
  }

  @Test
  void aCheckpointInstallsIntoAnotherEngine() throws Exception {
    try (ShardResources source = engine("engine-a");
        Shard shard = Shard.openOrCreate(dir.resolve("a"), CONFIG, source)) {
      fill(shard, 3, 20, 1);
      shard.checkpoint(dir.resolve("cp"));
      fill(shard, 3, 25, 2); // after the checkpoint: not in it
    }
    assertTrue(
        Files.exists(dir.resolve("cp").resolve(StoreSstFiles.DIR).resolve(StoreSstFiles.FILES)));
    try (ShardResources target = engine("engine-b")) {
      assertTrue(target.engine().holds(dir.resolve("cp")), "files to install count as a shard");
      try (Shard installed = Shard.openOrCreate(dir.resolve("cp"), null, target)) {
        assertEquals(1, installed.appliedIndex());
        assertHolds(installed, 3, 20, "installed");
        fill(installed, 3, 21, 2);
      }
      assertFalse(
          Files.exists(dir.resolve("cp").resolve(StoreSstFiles.DIR)),
          "the ingested files are gone");
      try (Shard reopened = Shard.openOrCreate(dir.resolve("cp"), null, target)) {
        assertHolds(reopened, 3, 21, "installed, written and reopened");
      }
    }
  }

  @Test
  void anInstallCutShortBeforeItsStoreWasRegisteredStartsAgain() throws Exception {
    try (ShardResources source = engine("engine-a");
        Shard shard = Shard.openOrCreate(dir.resolve("a"), CONFIG, source)) {
      fill(shard, 4, 7, 5);
      shard.checkpoint(dir.resolve("cp"));
    }
    // The state a crash leaves between steps (1) and (4): the directory names a store the engine
    // never registered, and the files to install are still there.
    Files.writeString(dir.resolve("cp").resolve(NodeEngine.STORE_FILE), "shard-never-registered\n");
    try (ShardResources target = engine("engine-b")) {
      assertTrue(target.engine().holds(dir.resolve("cp")));
      try (Shard installed = Shard.openOrCreate(dir.resolve("cp"), null, target)) {
        assertHolds(installed, 4, 7, "installed after the interrupted install");
      }
    }
    // Without files to install, a name that resolves to nothing is no shard: a new one is created.
    Files.createDirectories(dir.resolve("n"));
    Files.writeString(dir.resolve("n").resolve(NodeEngine.STORE_FILE), "shard-never-registered\n");
    try (ShardResources target = engine("engine-b")) {
      assertFalse(target.engine().holds(dir.resolve("n")));
      assertThrows(
          NullPointerException.class,
          () -> Shard.openOrCreate(dir.resolve("n"), null, target),
          "no config: nothing to open");
      try (Shard created = Shard.openOrCreate(dir.resolve("n"), CONFIG, target)) {
        assertEquals(0, created.count());
        assertEquals(-1, created.appliedIndex());
      }
    }
  }

  @Test
  void aShardDirectoryOfTheOldLayoutIsMigratedAtOpen() throws Exception {
    try (ShardResources source = engine("engine-a");
        Shard shard = Shard.openOrCreate(dir.resolve("a"), CONFIG, source)) {
      fill(shard, 6, 30, 9);
      shard.checkpoint(dir.resolve("cp"));
    }
    Path legacy = dir.resolve("legacy");
    writeOldLayout(dir.resolve("cp"), legacy);
    try (ShardResources target = engine("engine-b")) {
      assertTrue(target.engine().holds(legacy), "an old store counts as a shard");
      try (Shard migrated = Shard.openOrCreate(legacy, null, target)) {
        assertEquals(9, migrated.appliedIndex());
        assertHolds(migrated, 6, 30, "migrated");
        fill(migrated, 6, 31, 10);
      }
      assertFalse(Files.exists(legacy.resolve("CURRENT")), "the old instance's files are deleted");
      try (Stream<Path> files = Files.list(legacy)) {
        assertTrue(
            files.noneMatch(
                f ->
                    f.getFileName().toString().endsWith(".sst")
                        || f.getFileName().toString().startsWith("MANIFEST")),
            "no file of the old instance is left");
      }
    }
    try (ShardResources target = engine("engine-b");
        Shard reopened = Shard.openOrCreate(legacy, null, target)) {
      assertHolds(reopened, 6, 31, "migrated, written and reopened");
    }
  }

  @Test
  void aDropOrACreationCutShortByACrashIsFinishedWhenTheEngineOpens() throws Exception {
    try (ShardResources engine = engine("engine")) {
      for (int s = 0; s < 2; s++) {
        try (Shard shard = Shard.openOrCreate(dir.resolve("s" + s), CONFIG, engine)) {
          fill(shard, s, 5, 1);
        }
      }
    }
    // The engine's files as a crash leaves them: the drop of s0 past its first step (its entry
    // DROPPING, synced), and a column family created (step 2) whose store was never registered.
    String s0 = Files.readString(dir.resolve("s0").resolve(NodeEngine.STORE_FILE)).trim();
    Path engineDir = dir.resolve("engine");
    try (Options listOptions = new Options();
        DBOptions options = new DBOptions();
        ColumnFamilyOptions cf = new ColumnFamilyOptions()) {
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (byte[] name : RocksDB.listColumnFamilies(listOptions, engineDir.toString())) {
        descriptors.add(new ColumnFamilyDescriptor(name, cf));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db = RocksDB.open(options, engineDir.toString(), descriptors, handles)) {
        byte[] key = ("store:" + s0).getBytes(StandardCharsets.UTF_8);
        byte[] entry = db.get(handles.getFirst(), key);
        entry[0] = 2; // DROPPING
        db.put(handles.getFirst(), key, entry);
        handles.add(
            db.createColumnFamily(
                new ColumnFamilyDescriptor(
                    "shard-never-registered".getBytes(StandardCharsets.UTF_8), cf)));
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
    try (ShardResources engine = engine("engine")) {
      assertEquals(
          1, engine.engine().storeCount(), "the half-dropped and the unregistered stores are gone");
      assertFalse(
          engine.engine().holds(dir.resolve("s0")),
          "the half-dropped shard does not come back as data");
      try (Shard shard = Shard.openOrCreate(dir.resolve("s1"), null, engine)) {
        assertHolds(shard, 1, 5, "the other shard");
      }
      try (Shard fresh = Shard.openOrCreate(dir.resolve("s0"), CONFIG, engine)) {
        assertEquals(0, fresh.count(), "the dropped shard's directory opens only as a new shard");
      }
    }
    try (Options listOptions = new Options()) {
      List<String> families =
          RocksDB.listColumnFamilies(listOptions, engineDir.toString()).stream()
              .map(b -> new String(b, StandardCharsets.UTF_8))
              .toList();
      assertFalse(
          families.contains(s0) || families.contains("shard-never-registered"),
          "column families left: " + families);
    }
  }

  /**
   * Writes, in {@code legacy}, the RocksDB instance the old layout had: column families default,
   * points and payloads, keys without section bytes. Its content comes from a checkpoint's SST
   * files, split by section.
   */
  private static void writeOldLayout(Path checkpoint, Path legacy) throws Exception {
    Files.createDirectories(legacy);
    try (DBOptions options =
            new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions cf = new ColumnFamilyOptions()) {
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db =
          RocksDB.open(
              options,
              legacy.toString(),
              List.of(
                  new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cf),
                  new ColumnFamilyDescriptor("points".getBytes(StandardCharsets.UTF_8), cf),
                  new ColumnFamilyDescriptor("payloads".getBytes(StandardCharsets.UTF_8), cf)),
              handles)) {
        for (String file : StoreSstFiles.files(checkpoint)) {
          try (Options readerOptions = new Options();
              SstFileReader reader = new SstFileReader(readerOptions);
              ReadOptions read = new ReadOptions()) {
            reader.open(file);
            try (SstFileReaderIterator it = reader.newIterator(read)) {
              for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                db.put(
                    handles.get(key[0]),
                    java.util.Arrays.copyOfRange(key, 1, key.length),
                    it.value());
              }
            }
          }
        }
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void deleteTree(Path path) throws Exception {
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
