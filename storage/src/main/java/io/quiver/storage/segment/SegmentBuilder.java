package io.quiver.storage.segment;

import io.quiver.index.hnsw.BuildCancelledException;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.SegmentFloatVectors;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.PointId;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Writes a new sealed segment from points of existing segments.
 *
 * <p>An <em>indexed</em> segment (sealing plain segments, merging, vacuuming):
 *
 * <ol>
 *   <li>per vector name, the chosen vectors are copied into a temporary raw file ({@code
 *       NAME.V.vec}), mapped, and the HNSW graph is built over the mapping (so the vectors are
 *       never all on the heap; only the graph under construction is);
 *   <li>graph and vectors are written in HnswFormat (fsynced), the temporary file removed;
 *   <li>the ids and versions are written (fsynced);
 *   <li>when the config quantizes a vector, its codes are built from the segment's vectors and
 *       written beside the graphs ({@link SegmentCodes}, fsynced), then the directory is fsynced.
 * </ol>
 *
 * A <em>plain</em> segment (flushing a full appendable segment): per vector name the vectors are
 * written to {@code NAME.V.plain} (fsynced), then ids and directory as above — no graph, so it
 * takes about as long as writing the bytes.
 *
 * <p>Before the new segment is handed back, its vectors are read back and compared with their
 * origins' ({@link CopiedVectorsCheck}): a segment written wrong fails its build instead of
 * replacing good data. The new files are named by the manifest only after all of this; until then a
 * crash leaves files that the next open removes. A cancelled build (the shard is closing) removes
 * its files, temporary ones included, and returns null: the graph build asks the cancellation
 * before every node it inserts.
 */
final class SegmentBuilder {

  private final Path dir;
  private final ShardConfig config;
  private final int threads;

  SegmentBuilder(Path dir, ShardConfig config, int threads) {
    this.dir = dir;
    this.config = config;
    this.threads = threads;
  }

  /**
   * Builds indexed segment {@code name} holding the points at {@code origins}, in that order, and
   * opens it; null (files removed) when {@code cancelled} said true.
   */
  SealedSegment build(String name, List<SealedSegment.Origin> origins, BooleanSupplier cancelled)
      throws IOException {
    return write(name, origins, cancelled, false);
  }

  /**
   * Writes plain segment {@code name} (vectors only) holding the points at {@code origins}, in that
   * order, and opens it; null (files removed) when {@code cancelled} said true.
   */
  SealedSegment buildPlain(
      String name, List<SealedSegment.Origin> origins, BooleanSupplier cancelled)
      throws IOException {
    return write(name, origins, cancelled, true);
  }

  private SealedSegment write(
      String name, List<SealedSegment.Origin> origins, BooleanSupplier cancelled, boolean plain)
      throws IOException {
    if (SegmentFiles.isPlain(name) != plain) {
      throw new IllegalArgumentException(
          "segment name " + name + " does not say " + (plain ? "plain" : "indexed"));
    }
    try {
      int number = 0;
      for (Map.Entry<String, VectorParams> e : config.vectors().vectors().entrySet()) {
        boolean done =
            !cancelled.getAsBoolean()
                && (plain
                    ? PlainVectorsFile.write(
                        SegmentFiles.plainFile(dir, name, number),
                        e.getKey(),
                        e.getValue().size(),
                        e.getValue().distance(),
                        e.getValue().storedDatatype(),
                        origins,
                        cancelled)
                    : buildIndex(name, number, e.getKey(), e.getValue(), origins, cancelled));
        if (!done) {
          deleteFiles(name);
          return null;
        }
        number++;
      }
      PointId[] ids = new PointId[origins.size()];
      long[] versions = new long[origins.size()];
      for (int i = 0; i < ids.length; i++) {
        SealedSegment.Origin o = origins.get(i);
        ids[i] = o.segment().id(o.ord());
        versions[i] = o.segment().version(o.ord());
      }
      SegmentFiles.writeIds(SegmentFiles.idsFile(dir, name), ids, versions, ids.length);
      SealedSegment segment = SealedSegment.open(dir, name, config);
      markAbsent(segment, origins);
      try {
        CopiedVectorsCheck.verify(segment, origins, config.vectors().vectors().keySet());
      } catch (RuntimeException e) {
        segment.close();
        throw e;
      }
      if (!plain && !quantize(segment, cancelled)) {
        segment.close();
        deleteFiles(name);
        return null;
      }
      SegmentFiles.syncDirectory(dir);
      return segment;
    } catch (BuildCancelledException e) {
      deleteFiles(name);
      return null;
    } catch (IOException | RuntimeException e) {
      deleteFiles(name);
      throw e;
    }
  }

  /** Gives the new segment the absent bitmaps of the ords it copied (points that omit a vector). */
  private void markAbsent(SealedSegment segment, List<SealedSegment.Origin> origins) {
    for (String vectorName : config.vectors().vectors().keySet()) {
      for (int ord = 0; ord < origins.size(); ord++) {
        SealedSegment.Origin o = origins.get(ord);
        if (!o.segment().hasVector(vectorName, o.ord())) {
          segment.markAbsent(vectorName, ord);
        }
      }
    }
  }

  /**
   * Builds the codes {@code config} asks for from the segment's own vectors (file {@code
   * NAME.ID.quant}) and gives them to it; false when cancelled (no file left).
   */
  private boolean quantize(SealedSegment segment, BooleanSupplier cancelled) throws IOException {
    try {
      SegmentCodes codes =
          SegmentCodes.build(dir, segment.name(), config, segment::vectors, cancelled);
      if (codes == null) {
        return false;
      }
      segment.replaceCodes(codes);
      return true;
    } catch (IOException | RuntimeException e) {
      segment.close();
      throw e;
    }
  }

  /**
   * Writes codes for an existing indexed segment whose codes do not match the config; null when
   * cancelled. The segment is not changed: {@link ShardSegments#swapCodes} publishes them.
   */
  SegmentCodes buildCodes(SealedSegment segment, BooleanSupplier cancelled) throws IOException {
    return SegmentCodes.build(dir, segment.name(), config, segment::vectors, cancelled);
  }

  /** Builds and writes the graph of one vector name; false when cancelled. */
  private boolean buildIndex(
      String name,
      int number,
      String vectorName,
      VectorParams params,
      List<SealedSegment.Origin> origins,
      BooleanSupplier cancelled)
      throws IOException {
    Path raw = dir.resolve(name + "." + number + ".vec");
    if (params.storedAsGiven()) {
      return buildIndexAsGiven(raw, name, number, vectorName, params, origins, cancelled);
    }
    try {
      if (!writeRaw(raw, vectorName, params.size(), origins, cancelled)) {
        return false;
      }
      try (Arena arena = Arena.ofShared();
          FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ)) {
        if (cancelled.getAsBoolean()) {
          return false;
        }
        MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        FloatVectors vectors =
            new SegmentFloatVectors(mapped, 0, origins.size(), params.size(), params.distance());
        HnswConfig hnsw = config.hnswOf(vectorName);
        // Points that omit this vector are not graph nodes: their zero slots are never scored.
        io.quiver.index.hnsw.OrdFilter inserted =
            ord -> {
              SealedSegment.Origin o = origins.get(ord);
              return o.segment().hasVector(vectorName, o.ord());
            };
        HnswIndex index =
            HnswIndex.build(
                vectors,
                new HnswParams(hnsw.m(), hnsw.efConstruct(), 42L, threads),
                cancelled,
                inserted);
        // The graph is built over float32 copies of values the datatype holds exactly, so it is
        // the graph of the stored vectors; they are written at the datatype's width.
        index.write(SegmentFiles.hnswFile(dir, name, number), params.storedDatatype());
        return true;
      }
    } finally {
      Files.deleteIfExists(raw);
    }
  }

  /**
   * {@link #buildIndex} of vectors stored as given (uint8 Cosine): the temporary copy is a plain
   * vectors file at the stored width, whose scorers divide by each vector's norm (a float32 copy
   * would be scored as if normalized); the graph and these vectors are then written as usual.
   */
  private boolean buildIndexAsGiven(
      Path temporary,
      String name,
      int number,
      String vectorName,
      VectorParams params,
      List<SealedSegment.Origin> origins,
      BooleanSupplier cancelled)
      throws IOException {
    try {
      if (!PlainVectorsFile.write(
          temporary,
          vectorName,
          params.size(),
          params.distance(),
          params.storedDatatype(),
          origins,
          cancelled)) {
        return false;
      }
      try (PlainVectorsFile.Mapped mapped = PlainVectorsFile.open(temporary)) {
        if (cancelled.getAsBoolean()) {
          return false;
        }
        HnswConfig hnsw = config.hnswOf(vectorName);
        io.quiver.index.hnsw.OrdFilter inserted =
            ord -> {
              SealedSegment.Origin o = origins.get(ord);
              return o.segment().hasVector(vectorName, o.ord());
            };
        HnswIndex index =
            HnswIndex.build(
                mapped.vectors(),
                new HnswParams(hnsw.m(), hnsw.efConstruct(), 42L, threads),
                cancelled,
                inserted);
        index.write(SegmentFiles.hnswFile(dir, name, number), params.storedDatatype());
        return true;
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Copies the vectors into a raw file; false when {@code cancelled} said true (asked every 4,096
   * vectors).
   */
  private static boolean writeRaw(
      Path file,
      String vectorName,
      int dim,
      List<SealedSegment.Origin> origins,
      BooleanSupplier cancelled)
      throws IOException {
    try (FileChannel ch =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
      float[] vector = new float[dim];
      ByteBuffer bytes = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      FloatVectors source = null;
      Segment sourceSegment = null;
      for (int i = 0; i < origins.size(); i++) {
        if ((i & 4095) == 0 && cancelled.getAsBoolean()) {
          return false;
        }
        SealedSegment.Origin o = origins.get(i);
        if (o.segment() != sourceSegment) {
          sourceSegment = o.segment();
          source = sourceSegment.vectors(vectorName);
        }
        source.copyVector(o.ord(), vector);
        bytes.clear();
        bytes.asFloatBuffer().put(vector);
        out.write(bytes.array());
      }
    }
    return true;
  }

  /** Removes every file of segment {@code name}, finished or not. */
  void deleteFiles(String name) throws IOException {
    int count = config.vectors().vectors().size();
    for (Path f : SegmentFiles.filesOf(dir, name, count)) {
      Files.deleteIfExists(f);
    }
    for (int i = 0; i < count; i++) {
      Files.deleteIfExists(dir.resolve(name + "." + i + ".vec"));
    }
  }
}
