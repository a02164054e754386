package io.quiver.storage.sparse;

import io.quiver.index.sparse.MappedSparseIndex;
import io.quiver.index.sparse.SparseIndexFormat;
import io.quiver.storage.PointId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One sealed sparse part to build: the parts it replaces ({@code sources}, in order) with their
 * deleted ords as they were when it was planned. {@link #run} writes the part's files (no lock
 * held: the sources are immutable, a frozen tail included) and opens the new index.
 */
record PartBuild(
    SparseIndexes indexes,
    String name,
    List<SparseIndexes.Part> sources,
    List<BitSet> deleted,
    String stem,
    SparseIndexes.Placement placement,
    Path dir) {

  /** What a finished build installs. */
  record Result(MappedSparseIndex index, PointId[] ids, long[] fingerprints, long[] from) {}

  /** Thrown when the shard closes during a build. */
  static final class Cancelled extends Exception {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** The points the new part holds. */
  int points() {
    int n = 0;
    for (int s = 0; s < sources.size(); s++) {
      n += sources.get(s).size - deleted.get(s).cardinality();
    }
    return n;
  }

  Result run(BooleanSupplier cancelled) throws IOException, Cancelled {
    int n = points();
    PointId[] ids = new PointId[n];
    long[] fingerprints = new long[n];
    long[] from = new long[n];
    List<SparseIndexFormat.Source> inputs = new ArrayList<>();
    int next = 0;
    for (int s = 0; s < sources.size(); s++) {
      SparseIndexes.Part part = sources.get(s);
      BitSet dead = deleted.get(s);
      int[] remap = new int[part.index.ordBound()];
      java.util.Arrays.fill(remap, -1);
      for (int ord = 0; ord < part.size; ord++) {
        if (!dead.get(ord)) {
          ids[next] = part.ids[ord];
          fingerprints[next] = part.fingerprints[ord];
          from[next] = SparseIndexes.ref(part, ord);
          if (ord < remap.length) {
            remap[ord] = next;
          }
          next++;
        }
      }
      inputs.add(new SparseIndexFormat.Source(part.index, remap));
    }
    Path index = SparsePartFiles.indexFile(dir, stem);
    Path tmp = dir.resolve(stem + ".qspi.tmp");
    try {
      if (cancelled.getAsBoolean()) {
        throw new Cancelled();
      }
      SparseIndexFormat.write(tmp, n, inputs);
      Files.move(tmp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (cancelled.getAsBoolean()) {
        throw new Cancelled();
      }
      SparsePartFiles.writeIds(dir, stem, ids, fingerprints, n);
      SparsePartFiles.syncDirectory(dir);
      MappedSparseIndex opened =
          placement == SparseIndexes.Placement.NATIVE
              ? SparseIndexFormat.load(index)
              : SparseIndexFormat.open(index);
      if (placement == SparseIndexes.Placement.MAPPED_READ_THROUGH) {
        opened.readThrough();
      }
      return new Result(opened, ids, fingerprints, from);
    } catch (IOException | RuntimeException | Cancelled e) {
      deleteFiles();
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** Removes the files of this part (a build cancelled, failed, or not installed). */
  void deleteFiles() throws IOException {
    Files.deleteIfExists(SparsePartFiles.indexFile(dir, stem));
    Files.deleteIfExists(SparsePartFiles.idsFile(dir, stem));
    Files.deleteIfExists(dir.resolve(stem + ".ids.tmp"));
  }
}
