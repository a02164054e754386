package io.quiver.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * A shard store in transit: its keys and values as SST files that {@link NodeEngine} ingests into a
 * new column family. It is what a checkpoint holds (so what a Raft snapshot streams), and what an
 * old per-shard RocksDB is migrated through.
 *
 * <p>Layout: the directory {@value #DIR} holds {@code 000001.sst}, {@code 000002.sst}, ... (files
 * of at most {@link #FILE_BYTES_MAX}, keys in order across them) and {@value #FILES}, the list of
 * those names, written last (temp file, fsync, rename): a directory without it was cut short and is
 * never ingested. SST files are only ever written once, so a snapshot may hard-link them.
 *
 * <p>Why SST files rather than RocksDB's {@code exportColumnFamily}: RocksJava 10.10 exports only
 * into an {@code ExportImportFilesMetaData} object that cannot be written down or rebuilt on the
 * node that receives it, and RocksDB refuses to ingest the DB-generated files of an export (its
 * {@code allow_db_generated_files} is not in RocksJava). Files written by {@link SstFileWriter}
 * ingest into an empty column family as they are.
 */
final class StoreSstFiles {

  /** The subdirectory of a checkpoint (or of a shard directory to be installed) with the files. */
  static final String DIR = "store";

  static final String FILES = "FILES";

  /** A file is closed and the next one started past this size. */
  static final long FILE_BYTES_MAX = 256L << 20;

  private StoreSstFiles() {}

  /** Whether {@code shardDir} holds a complete set of files to ingest. */
  static boolean present(Path shardDir) {
    return Files.exists(shardDir.resolve(DIR).resolve(FILES));
  }

  /** The files of the complete set in {@code shardDir}, in key order; each must exist. */
  static List<String> files(Path shardDir) throws IOException {
    Path dir = shardDir.resolve(DIR);
    List<String> files = new ArrayList<>();
    for (String name : Files.readAllLines(dir.resolve(FILES), StandardCharsets.UTF_8)) {
      if (name.isBlank()) {
        continue;
      }
      Path file = dir.resolve(name);
      if (!Files.isRegularFile(file)) {
        throw new IOException("the store files in " + dir + " name " + name + ", which is missing");
      }
      files.add(file.toString());
    }
    return files;
  }

  /**
   * Writes keys in strictly increasing order into a new {@value #DIR} directory under {@code
   * target}; {@link #finish} lists the files. Not thread-safe.
   */
  static final class Writer implements AutoCloseable {
    private final Path dir;
    private final List<String> names = new ArrayList<>();
    private final EnvOptions envOptions = new EnvOptions();
    private final Options options = new Options();
    private SstFileWriter current;

    Writer(Path target) throws IOException {
      this.dir = target.resolve(DIR);
      Files.createDirectories(dir);
    }

    void put(byte[] key, byte[] value) throws RocksDBException {
      if (current == null) {
        String name = String.format("%06d.sst", names.size() + 1);
        current = new SstFileWriter(envOptions, options);
        current.open(dir.resolve(name).toString());
        names.add(name);
      }
      current.put(key, value);
      if (current.fileSize() >= FILE_BYTES_MAX) {
        closeCurrent();
      }
    }

    /** Closes the last file (SstFileWriter syncs it) and writes the list, durably. */
    void finish() throws IOException, RocksDBException {
      closeCurrent();
      Path tmp = dir.resolve(FILES + ".tmp");
      Files.writeString(tmp, String.join("\n", names) + "\n", StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, dir.resolve(FILES), StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
        channel.force(true);
      }
    }

    private void closeCurrent() throws RocksDBException {
      if (current != null) {
        current.finish();
        current.close();
        current = null;
      }
    }

    @Override
    public void close() {
      if (current != null) {
        current.close();
      }
      options.close();
      envOptions.close();
    }
  }
}
