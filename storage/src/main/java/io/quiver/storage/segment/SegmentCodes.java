package io.quiver.storage.segment;

import io.quiver.index.quant.QuantizedVectors;
import io.quiver.index.quant.QuantizedVectorsFormat;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.ShardConfig;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The quantized codes of one indexed segment: per quantized vector name the codes (ords as in the
 * segment, deleted ones included) and the {@link QuantizationConfig#codesKey()} they were built
 * for. Immutable; a config change gives the segment a new instance ({@link
 * SealedSegment#replaceCodes}), with a new {@code id}.
 *
 * <p>File {@code NAME.ID.quant} beside the segment's graphs (the manifest names it: entry {@code
 * NAME@ID}): magic "QSQC", version 1, count (int), then per vector: name (UTF), codes key (UTF),
 * the codes in {@link QuantizedVectorsFormat}; CRC32C of the preceding bytes (long). It is read
 * into memory when the segment opens and checked against the config then: codes built for another
 * config are not used, and the optimizer rebuilds them.
 */
final class SegmentCodes {

  private static final int MAGIC = 0x51535143;

  static final SegmentCodes NONE = new SegmentCodes(null, Map.of());

  /** One vector's codes and the key of the config they were built for. */
  record Entry(String key, QuantizedVectors codes) {}

  private final String id;
  private final Map<String, Entry> byVector;

  private SegmentCodes(String id, Map<String, Entry> byVector) {
    this.id = id;
    this.byVector = Collections.unmodifiableMap(byVector);
  }

  /** The id in the codes file's name, or null when there are no codes (and no file). */
  String id() {
    return id;
  }

  static Path file(Path dir, String segmentName, String id) {
    return dir.resolve(segmentName + "." + id + ".quant");
  }

  /** The codes of {@code vectorName} when they were built for {@code wanted}; else null. */
  QuantizedVectors usable(String vectorName, QuantizationConfig wanted) {
    Entry e = byVector.get(vectorName);
    return e != null && wanted != null && e.key().equals(wanted.codesKey()) ? e.codes() : null;
  }

  /**
   * True when every vector has exactly the codes {@code config} asks for (none where it asks none).
   */
  boolean matches(ShardConfig config) {
    for (String name : config.vectors().vectors().keySet()) {
      QuantizationConfig q = config.quantizationOf(name);
      Entry e = byVector.get(name);
      if (!Objects.equals(q == null ? null : q.codesKey(), e == null ? null : e.key())) {
        return false;
      }
    }
    return byVector.keySet().stream().allMatch(config.vectors().vectors()::containsKey);
  }

  /** Bytes of codes on the heap. */
  long heapBytes() {
    long n = 0;
    for (Entry e : byVector.values()) {
      n += e.codes().heapBytes();
    }
    return n;
  }

  /**
   * Quantizes the vectors of segment {@code segmentName} as {@code config} asks and writes the
   * codes file (fsynced) under a new id; {@link #NONE} when no vector is quantized, null (file
   * removed) when {@code cancelled} said true between two vectors. Cost: int8 and binary two passes
   * over the vectors; product k-means on a sample, then one pass ({@link
   * io.quiver.storage.QuantizationTraining}).
   */
  static SegmentCodes build(
      Path dir,
      String segmentName,
      ShardConfig config,
      Function<String, FloatVectors> vectors,
      BooleanSupplier cancelled)
      throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (String name : config.vectors().vectors().keySet()) {
      QuantizationConfig q = config.quantizationOf(name);
      if (q == null) {
        continue;
      }
      if (cancelled.getAsBoolean()) {
        return null;
      }
      entries.put(name, new Entry(q.codesKey(), quantize(q, vectors.apply(name))));
    }
    if (entries.isEmpty()) {
      return NONE;
    }
    String id =
        java.util.HexFormat.of()
            .toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt());
    Path file = file(dir, segmentName, id);
    try {
      write(file, entries);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    if (cancelled.getAsBoolean()) {
      Files.deleteIfExists(file);
      return null;
    }
    return new SegmentCodes(id, entries);
  }

  static QuantizedVectors quantize(QuantizationConfig q, FloatVectors vectors) {
    return io.quiver.storage.QuantizationTraining.quantize(q, vectors);
  }

  private static void write(Path file, Map<String, Entry> entries) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      CRC32C crc = new CRC32C();
      OutputStream raw = Channels.newOutputStream(ch);
      DataOutputStream out =
          new DataOutputStream(
              new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc));
      out.writeInt(MAGIC);
      out.writeInt(1);
      out.writeInt(entries.size());
      for (Map.Entry<String, Entry> e : entries.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue().key());
        QuantizedVectorsFormat.write(e.getValue().codes(), out);
      }
      out.flush();
      DataOutputStream tail = new DataOutputStream(raw);
      tail.writeLong(crc.getValue());
      tail.flush();
      ch.force(true);
    }
  }

  /**
   * Reads codes file {@code id} of segment {@code segmentName}, checksum verified; sizes checked
   * against {@code size}.
   */
  static SegmentCodes read(Path dir, String segmentName, String id, int size) throws IOException {
    Path file = file(dir, segmentName, id);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = SegmentFiles.checked(file, bytes, MAGIC);
    DataInputStream in =
        new DataInputStream(
            new ByteArrayInputStream(bytes, buf.position(), bytes.length - 8 - buf.position()));
    int count = in.readInt();
    if (count < 0 || count > 1024) {
      throw new IOException(file + ": corrupt count " + count);
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      String key = in.readUTF();
      QuantizedVectors codes = QuantizedVectorsFormat.read(in);
      if (codes.size() != size) {
        throw new IOException(
            file
                + ": vector "
                + name
                + " has "
                + codes.size()
                + " codes, the segment "
                + size
                + " points");
      }
      entries.put(name, new Entry(key, codes));
    }
    return new SegmentCodes(id, entries);
  }

  @Override
  public String toString() {
    Map<String, String> keys = new LinkedHashMap<>();
    byVector.forEach((name, e) -> keys.put(name, e.key()));
    return id == null ? "no codes" : "codes " + id + " " + keys;
  }
}
