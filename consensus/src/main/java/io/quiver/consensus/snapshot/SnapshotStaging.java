package io.quiver.consensus.snapshot;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.FileUtils;

/**
 * The files of a snapshot being fetched, in a directory of their own ({@code files/}, at their
 * paths in the snapshot), with a {@code MANIFEST} saying which peer's snapshot they are and how
 * many bytes of each are on disk for sure (written and forced). A fetch that starts again (after a
 * crash of either side, a lost peer, or a newer snapshot) keeps every file the new snapshot shares
 * with the staged one, as far as it was forced, and fetches only the rest.
 *
 * <p>Used by one fetch at a time (a replica installs one snapshot at a time).
 */
final class SnapshotStaging {

  private static final int MAGIC = 0x51535331; // "QSS1"
  private static final int VERSION = 1;
  private static final String MANIFEST = "MANIFEST";

  /** A staged file: the identity of its bytes on their source, its path, size and forced bytes. */
  private record Entry(String key, String path, long size, long durable) {}

  private final Path dir;
  private String source;
  private long term;
  private long index;
  private List<Entry> entries = List.of();
  private long written; // since progressed() last answered

  SnapshotStaging(Path dir) throws IOException {
    this.dir = dir;
    load();
  }

  /** The directory holding the staged files at their paths in the snapshot. */
  Path files() {
    return dir.resolve("files");
  }

  /** The peer whose snapshot is staged, or null when nothing is. */
  String source() {
    return source;
  }

  /** The staged snapshot's term and index (meaningful while {@link #source} is not null). */
  TermIndex staged() {
    return TermIndex.valueOf(term, index);
  }

  /**
   * Gets ready to fetch {@code manifest} from {@code source}: keeps the staged files whose bytes
   * the new snapshot has too (same source, same identity), as far as they were forced, and drops
   * every other. Returns the bytes already here.
   */
  long prepare(String newSource, SnapshotManifest manifest) throws IOException {
    Map<String, List<Entry>> staged = new HashMap<>();
    for (Entry e : entries) {
      if (e.durable() > 0 && source != null) {
        staged.computeIfAbsent(source + "|" + e.key(), k -> new ArrayList<>()).add(e);
      }
    }
    Path keep = dir.resolve("keep");
    if (Files.exists(keep)) {
      FileUtils.deleteFully(keep);
    }
    Files.createDirectories(keep);
    List<Entry> next = new ArrayList<>(manifest.files().size());
    long here = 0;
    for (int i = 0; i < manifest.files().size(); i++) {
      SnapshotManifest.File f = manifest.files().get(i);
      List<Entry> same = staged.get(newSource + "|" + f.identity());
      long durable = 0;
      if (same != null && !same.isEmpty()) {
        Entry old = same.removeLast();
        Path file = files().resolve(old.path());
        if (Files.isRegularFile(file) && Files.size(file) >= old.durable()) {
          Files.move(file, keep.resolve(Integer.toString(i)));
          durable = Math.min(old.durable(), f.size());
        }
      }
      next.add(new Entry(f.identity(), f.path(), f.size(), durable));
      here += durable;
    }
    if (Files.exists(files())) {
      FileUtils.deleteFully(files());
    }
    Files.createDirectories(files());
    for (int i = 0; i < next.size(); i++) {
      Entry e = next.get(i);
      Path target = files().resolve(e.path()).normalize();
      if (!target.startsWith(files())) {
        throw new IOException("a snapshot file outside the snapshot: " + e.path());
      }
      Files.createDirectories(target.getParent());
      Path kept = keep.resolve(Integer.toString(i));
      if (e.durable() > 0) {
        Files.move(kept, target);
        try (FileChannel c = FileChannel.open(target, StandardOpenOption.WRITE)) {
          c.truncate(e.durable());
        }
      } else {
        Files.createFile(target);
      }
    }
    FileUtils.deleteFully(keep);
    source = newSource;
    term = manifest.term();
    index = manifest.index();
    entries = next;
    save();
    return here;
  }

  /** Bytes of file {@code i} (in the prepared manifest's order) on disk for sure. */
  long durable(int i) {
    return entries.get(i).durable();
  }

  /** Opens file {@code i} for writing. */
  FileChannel open(int i) throws IOException {
    return FileChannel.open(
        files().resolve(entries.get(i).path()),
        StandardOpenOption.WRITE,
        StandardOpenOption.CREATE);
  }

  /** Records that the first {@code bytes} of file {@code i} were written and forced. */
  void forced(int i, long bytes) throws IOException {
    Entry e = entries.get(i);
    List<Entry> next = new ArrayList<>(entries);
    next.set(i, new Entry(e.key(), e.path(), e.size(), bytes));
    entries = next;
    save();
  }

  /** {@code bytes} more were written (forced or not). */
  void wrote(long bytes) {
    written += bytes;
  }

  /** True when bytes were written since the last call. */
  boolean progressed() {
    boolean any = written > 0;
    written = 0;
    return any;
  }

  /** Drops everything staged. */
  void clear() throws IOException {
    if (Files.exists(dir)) {
      FileUtils.deleteFully(dir);
    }
    source = null;
    entries = List.of();
  }

  private void save() throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(MANIFEST + ".tmp");
    try (FileChannel channel =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        DataOutputStream out =
            new DataOutputStream(java.nio.channels.Channels.newOutputStream(channel))) {
      out.writeInt(MAGIC);
      out.writeByte(VERSION);
      out.writeUTF(source);
      out.writeLong(term);
      out.writeLong(index);
      out.writeInt(entries.size());
      for (Entry e : entries) {
        out.writeUTF(e.key());
        out.writeUTF(e.path());
        out.writeLong(e.size());
        out.writeLong(e.durable());
      }
      out.flush();
      channel.force(true);
    }
    Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
  }

  private void load() throws IOException {
    Path file = dir.resolve(MANIFEST);
    if (!Files.exists(file)) {
      return;
    }
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(raw)) {
      if (in.readInt() != MAGIC || in.readUnsignedByte() != VERSION) {
        return; // not ours to resume: prepare() starts over
      }
      String s = in.readUTF();
      long t = in.readLong();
      long i = in.readLong();
      int n = in.readInt();
      List<Entry> loaded = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        loaded.add(new Entry(in.readUTF(), in.readUTF(), in.readLong(), in.readLong()));
      }
      source = s;
      term = t;
      index = i;
      entries = loaded;
    } catch (java.io.EOFException torn) {
      // A manifest cut short (it is replaced by a rename, so only a damaged disk does this): start
      // over.
    }
  }

  /** The snapshot staged now, as "term_index", for logs. */
  String describe() {
    return source == null ? "nothing" : term + "_" + index + " of " + source;
  }
}
