package io.quiver.consensus.snapshot;

import java.util.List;

/**
 * One snapshot a peer offers: its term and index, whether it holds data (a witness's snapshot is a
 * term and index only), its files, and the points the shard held at it (-1: not known, a snapshot
 * written before the count was recorded, or the meta group's). A file's {@code identity} names its
 * bytes on that peer (its file key, size and modification time): two snapshots of one peer that
 * share a file (a hard link of an immutable segment or SST file) give it the same identity, so a
 * fetch that restarts on a newer snapshot keeps what it already has.
 */
public record SnapshotManifest(long term, long index, boolean data, List<File> files, long points) {

  /** A file of the snapshot, at {@code path} relative to the snapshot's root. */
  public record File(String path, long size, String identity) {}

  public SnapshotManifest {
    files = List.copyOf(files);
  }

  /** A snapshot whose points are not known. */
  public SnapshotManifest(long term, long index, boolean data, List<File> files) {
    this(term, index, data, files, -1);
  }

  public long totalBytes() {
    long total = 0;
    for (File f : files) {
      total += f.size();
    }
    return total;
  }
}
