package io.quiver.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * A shard directory of the layout before {@link NodeEngine}: one RocksDB instance per shard in the
 * shard's own directory, with column families {@code default} (metadata), {@code points} and {@code
 * payloads}. Such a directory (a node's data from an older build, or an old snapshot restored into
 * it) is migrated when its shard opens: its three column families are written, under the section
 * prefixes of {@link ShardStore}, as {@link StoreSstFiles} that the engine ingests, and its RocksDB
 * files are deleted once the new store is registered.
 */
final class LegacyShardStore {

  /** RocksDB writes {@code CURRENT} last when it creates an instance and never removes it. */
  private static final String CURRENT = "CURRENT";

  private LegacyShardStore() {}

  static boolean present(Path shardDir) {
    return Files.exists(shardDir.resolve(CURRENT));
  }

  /**
   * Copies the old instance in {@code shardDir} into {@code writer}, keys in order: metadata, then
   * points, then payloads (their section prefixes sort the same way). Opening it replays its WAL,
   * so writes acknowledged by the old build are kept.
   */
  static void copyTo(Path shardDir, StoreSstFiles.Writer writer) throws IOException {
    try (Options listOptions = new Options();
        DBOptions options = new DBOptions();
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions()) {
      List<byte[]> names = RocksDB.listColumnFamilies(listOptions, shardDir.toString());
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (byte[] name : names) {
        descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db = RocksDB.open(options, shardDir.toString(), descriptors, handles)) {
        try {
          for (String family : List.of("default", "points", "payloads")) {
            int i = indexOf(names, family);
            if (i >= 0) {
              copy(db, handles.get(i), section(family), writer);
            }
          }
        } finally {
          handles.forEach(ColumnFamilyHandle::close);
        }
      }
    } catch (RocksDBException e) {
      throw new IOException("cannot read the shard store of the old layout in " + shardDir, e);
    }
  }

  private static byte section(String family) {
    return switch (family) {
      case "default" -> ShardStore.META;
      case "points" -> ShardStore.POINTS;
      default -> ShardStore.PAYLOADS;
    };
  }

  private static int indexOf(List<byte[]> names, String family) {
    for (int i = 0; i < names.size(); i++) {
      if (new String(names.get(i), StandardCharsets.UTF_8).equals(family)) {
        return i;
      }
    }
    return -1;
  }

  private static void copy(
      RocksDB db, ColumnFamilyHandle family, byte section, StoreSstFiles.Writer writer)
      throws RocksDBException {
    try (RocksIterator it = db.newIterator(family)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        writer.put(ShardStore.key(section, it.key()), it.value());
      }
      it.status();
    }
  }

  /**
   * Deletes the old instance's files from {@code shardDir} ({@code CURRENT} first, so that a crash
   * halfway leaves no directory that looks like an old store), keeping the shard's other files.
   */
  static void deleteFiles(Path shardDir) throws IOException {
    Files.deleteIfExists(shardDir.resolve(CURRENT));
    try (Stream<Path> files = Files.list(shardDir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f) && isRocksDbFile(name)) {
          Files.delete(f);
        }
      }
    }
  }

  private static boolean isRocksDbFile(String name) {
    return name.endsWith(".sst")
        || name.endsWith(".log")
        || name.endsWith(".blob")
        || name.equals("IDENTITY")
        || name.equals("LOCK")
        || name.startsWith("LOG")
        || name.startsWith("MANIFEST-")
        || name.startsWith("OPTIONS-");
  }
}
