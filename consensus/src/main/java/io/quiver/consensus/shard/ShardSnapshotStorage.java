package io.quiver.consensus.shard;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.FileUtils;

/**
 * Snapshots of a shard replica: each one a complete copy of the shard (a checkpoint: its store as
 * SST files in {@code store/}, and its segment, sparse and multivector files) in {@code
 * <sm>/snapshots/<term>_<index>/}, with a {@code COMPLETE} marker written last so a snapshot cut
 * short by a crash is never used. A follower that is too far behind (or a new replica) fetches the
 * snapshot's files from a peer ({@link #latest}, {@link #root}: see {@code SnapshotFetcher}); they
 * land in the same relative place ({@link #installFetched}) and the state machine restores its
 * shard from them.
 *
 * <p>Layout of the state-machine directory: {@code shard/} (the live shard: its files, and the
 * {@code STORE} file naming its store in the node's storage engine), {@code snapshots/}, {@code
 * incoming/} (a snapshot being fetched), and {@code RESTORE_PENDING} (naming an installed snapshot
 * the shard is not yet restored from).
 */
public final class ShardSnapshotStorage
    implements StateMachineStorage, io.quiver.consensus.snapshot.SnapshotSource.Snapshots {

  private static final Pattern NAME = Pattern.compile("(\\d+)_(\\d+)");
  static final String COMPLETE = "COMPLETE";
  static final String RESTORE_PENDING = "RESTORE_PENDING";
  private static final int RETAINED = 2;

  /**
   * Younger snapshots are never deleted, however many there are: one may be streaming to a
   * follower, and deleting its files would restart the transfer (forever, under steady writes).
   * Young means written, or last read by a peer, within this.
   */
  private static final long RETAIN_YOUNGER_THAN_MS = 120_000;

  /** How often a read moves a snapshot's marker time on ({@link #file}). */
  private static final long KEEP_WHILE_READ_EVERY_MS = 5_000;

  /**
   * How long after it was written reads may keep a snapshot that is not among the newest (a peer
   * stuck on its own side would otherwise hold it for good); past it, it is offered no more by name
   * ({@link #at}) and goes at the next cleanup.
   */
  private static final long KEPT_BY_READS_AT_MOST_MS = 30 * 60_000;

  private volatile File smDir;

  public ShardSnapshotStorage() {}

  /** Storage in state-machine directory {@code smDir} without {@link #init} (for tests). */
  ShardSnapshotStorage(Path smDir) {
    this.smDir = smDir.toFile();
  }

  @Override
  public void init(RaftStorage raftStorage) {
    smDir = raftStorage.getStorageDir().getStateMachineDir();
  }

  Path shardDir() {
    return smDir.toPath().resolve("shard");
  }

  public Path snapshotsDir() {
    return smDir.toPath().resolve("snapshots");
  }

  /** Where a snapshot being fetched from a peer is staged (see {@code SnapshotFetcher}). */
  Path stagingDir() {
    return smDir.toPath().resolve("incoming");
  }

  /**
   * Makes a snapshot fetched from a peer (its files staged under {@code files}) this replica's
   * latest, complete snapshot; the shard is restored from it when the state machine reinitializes.
   */
  void installFetched(io.quiver.consensus.snapshot.SnapshotManifest manifest, Path files)
      throws IOException {
    Path target = newSnapshotDir(TermIndex.valueOf(manifest.term(), manifest.index()));
    if (Files.exists(target)) {
      FileUtils.deleteFully(target); // one of this replica's own, cut short
    }
    Files.createDirectories(snapshotsDir());
    // Durably first: the live shard is older than this snapshot until the state machine restores
    // it from it, and a crash in between must not leave Ratis starting from the snapshot's index
    // over the older shard ({@link #restorePending}).
    writeDurably(smDir.toPath().resolve(RESTORE_PENDING), target.getFileName().toString());
    Files.move(files, target, StandardCopyOption.ATOMIC_MOVE);
    markComplete(target, manifest.points());
  }

  /**
   * Whether the live shard has yet to be restored from {@code snapshot}, the latest: it was fetched
   * from a peer and installed, and no restore from it finished since ({@link
   * #clearRestorePending}).
   */
  boolean restorePending(Path snapshot) {
    try {
      Path marker = smDir.toPath().resolve(RESTORE_PENDING);
      return Files.exists(marker)
          && Files.readString(marker, java.nio.charset.StandardCharsets.US_ASCII)
              .trim()
              .equals(snapshot.getFileName().toString());
    } catch (IOException unreadable) {
      return true; // restoring again from the latest snapshot is always safe
    }
  }

  /** The live shard holds the installed snapshot (or newer): see {@link #restorePending}. */
  void clearRestorePending() throws IOException {
    Files.deleteIfExists(smDir.toPath().resolve(RESTORE_PENDING));
  }

  private static void writeDurably(Path file, String text) throws IOException {
    try (var channel =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(
          java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      channel.force(true);
    }
  }

  @Override
  public io.quiver.consensus.snapshot.SnapshotSource.Offered latest() {
    Path dir = latestDir();
    return dir == null ? null : offered(dir);
  }

  @Override
  public io.quiver.consensus.snapshot.SnapshotSource.Offered at(long term, long index) {
    Path dir = snapshotsDir().resolve(term + "_" + index);
    if (!Files.exists(dir.resolve(COMPLETE)) || !writtenWithin(dir, KEPT_BY_READS_AT_MOST_MS)) {
      return null;
    }
    keepWhileRead(dir); // asked for by name: its reads follow
    return offered(dir);
  }

  /** Whether snapshot {@code dir} was written within {@code ms} (its directory's time). */
  private static boolean writtenWithin(Path dir, long ms) {
    try {
      return System.currentTimeMillis() - Files.getLastModifiedTime(dir).toMillis() < ms;
    } catch (IOException gone) {
      return false;
    }
  }

  /**
   * Complete snapshot {@code dir} as offered to a peer: every file but the marker and checksums;
   * null when it went meanwhile.
   */
  private static io.quiver.consensus.snapshot.SnapshotSource.Offered offered(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      return null;
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile)
          .sorted()
          .forEach(
              f -> {
                String name = f.getFileName().toString();
                if (!name.equals(COMPLETE) && !name.endsWith(".md5")) {
                  files.add(f);
                }
              });
    } catch (IOException | java.io.UncheckedIOException gone) {
      return null;
    }
    if (!Files.exists(dir.resolve(COMPLETE))) {
      return null; // removed while it was listed: some files may be missing from the list
    }
    return new io.quiver.consensus.snapshot.SnapshotSource.Offered(
        TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
        dir,
        files,
        true,
        points(dir));
  }

  /**
   * {@inheritDoc}
   *
   * <p>A snapshot whose files a peer reads counts as young for {@link #cleanupOldSnapshots} while
   * it is read (its marker's time moves on), so a slow transfer is not cut by the sender's newer
   * snapshots.
   */
  @Override
  public Path file(long term, long index, String path) {
    Path dir = snapshotsDir().resolve(term + "_" + index);
    if (!Files.exists(dir.resolve(COMPLETE))) {
      return null;
    }
    Path file = dir.resolve(path).normalize();
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    // As latest() offers them: every file of the directory but the marker and checksums.
    if (!file.startsWith(dir)
        || file.equals(dir)
        || name.equals(COMPLETE)
        || name.endsWith(".md5")
        || !Files.isRegularFile(file)) {
      return null;
    }
    keepWhileRead(dir);
    return file;
  }

  private static void keepWhileRead(Path dir) {
    Path marker = dir.resolve(COMPLETE);
    try {
      long now = System.currentTimeMillis();
      if (now - Files.getLastModifiedTime(marker).toMillis() > KEEP_WHILE_READ_EVERY_MS) {
        Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.fromMillis(now));
      }
    } catch (IOException gone) {
      // removed meanwhile: the read that follows fails and the peer fetches a newer snapshot
    }
  }

  /** The directory a new snapshot at {@code termIndex} is written into. */
  Path newSnapshotDir(TermIndex termIndex) {
    return snapshotsDir().resolve(termIndex.getTerm() + "_" + termIndex.getIndex());
  }

  /**
   * Marks a fully written snapshot directory as usable; the marker holds the points the snapshot
   * holds ({@code points}, -1 when not known), for a peer's transfer progress.
   */
  void markComplete(Path dir, long points) throws IOException {
    try (var channel =
        java.nio.channels.FileChannel.open(
            dir.resolve(COMPLETE),
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      if (points >= 0) {
        channel.write(
            java.nio.ByteBuffer.wrap(
                ("points " + points + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      }
      channel.force(true);
    }
  }

  /**
   * The points snapshot directory {@code dir} holds, as its marker says; -1 when it does not say (a
   * snapshot marked before the count was recorded) or cannot be read.
   */
  static long points(Path dir) {
    try {
      String marker =
          Files.readString(dir.resolve(COMPLETE), java.nio.charset.StandardCharsets.US_ASCII);
      return marker.startsWith("points ") ? Long.parseLong(marker.substring(7).trim()) : -1;
    } catch (IOException | NumberFormatException unknown) {
      return -1;
    }
  }

  @Override
  public FileListSnapshotInfo getLatestSnapshot() {
    Path latest = latestDir();
    if (latest == null) {
      return null;
    }
    Matcher m = NAME.matcher(latest.getFileName().toString());
    if (!m.matches()) {
      return null;
    }
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(latest)) {
      walk.filter(Files::isRegularFile).sorted().forEach(p -> files.add(new FileInfo(p, null)));
    } catch (IOException e) {
      return null;
    }
    return new FileListSnapshotInfo(
        files, TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
  }

  /** The newest complete snapshot directory, or null. */
  Path latestDir() {
    Path dir = snapshotsDir();
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.exists(p.resolve(COMPLETE)))
          .max(Comparator.comparingLong(ShardSnapshotStorage::indexOf))
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static long indexOf(Path snapshot) {
    Matcher m = NAME.matcher(snapshot.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(2)) : -1;
  }

  /**
   * Replaces the live shard (its store dropped, see {@code Shard.destroy}) with a copy of a
   * snapshot, which the shard ingests when it opens: immutable files are hard linked (the store's
   * SST files, and everything under {@code segments/}, {@code sparse/} and {@code multivectors/}:
   * sealed segment files, sealed sparse parts and their manifests, which are only ever replaced by
   * a rename, and multivector graph files, written once under new names); the others (the store's
   * file list; a snapshot of the old layout: RocksDB's MANIFEST, CURRENT, OPTIONS, which it appends
   * to or rewrites) are copied.
   */
  void restoreShardFrom(Path snapshot) throws IOException {
    Path shard = shardDir();
    if (Files.exists(shard)) {
      io.quiver.storage.Shard.destroy(shard);
    }
    Path tmp = smDir.toPath().resolve("shard.restoring");
    if (Files.exists(tmp)) {
      FileUtils.deleteFully(tmp);
    }
    Files.createDirectories(tmp);
    copyTree(snapshot, tmp, false);
    Files.move(tmp, shard, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void copyTree(Path from, Path to, boolean linkAll) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.equals(COMPLETE) || name.endsWith(".md5")) {
          continue;
        }
        if (Files.isDirectory(f)) {
          Files.createDirectories(to.resolve(name));
          copyTree(
              f,
              to.resolve(name),
              linkAll
                  || name.equals(io.quiver.storage.Shard.SEGMENTS_DIR)
                  || name.equals(io.quiver.storage.Shard.MULTIVECTORS_DIR)
                  || name.equals(io.quiver.storage.sparse.SparseIndexes.DIR));
        } else if (linkAll || name.endsWith(".sst")) {
          Files.createLink(to.resolve(name), f);
        } else {
          Files.copy(f, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  @Override
  public void format() throws IOException {
    // Nothing to prepare: directories are created on first use.
  }

  @Override
  public synchronized void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    Path dir = snapshotsDir();
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> list = Files.list(dir)) {
      all =
          list.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
              .sorted(Comparator.comparingLong(ShardSnapshotStorage::indexOf).reversed())
              .toList();
    }
    int kept = 0;
    long now = System.currentTimeMillis();
    for (Path p : all) {
      boolean complete = Files.exists(p.resolve(COMPLETE));
      if (complete && kept < RETAINED) {
        kept++;
      } else if (complete
          && now - Files.getLastModifiedTime(p.resolve(COMPLETE)).toMillis()
              < RETAIN_YOUNGER_THAN_MS
          && writtenWithin(p, KEPT_BY_READS_AT_MOST_MS)) {
        continue; // may be streaming to a follower
      } else if (complete || kept > 0) {
        // The marker first: from then on no peer is offered it, nor reads it (FileUtils deletes in
        // listing order, which could leave the marker beside half the files).
        Files.deleteIfExists(p.resolve(COMPLETE));
        FileUtils.deleteFully(p); // old, or an incomplete one older than a complete one
      }
    }
  }
}
