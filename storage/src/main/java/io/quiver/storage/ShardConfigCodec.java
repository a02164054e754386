package io.quiver.storage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The binary form of a {@link ShardConfig}: a marker (int -3), the {@link VectorsConfigCodec} form
 * of the vectors, then the collection's HNSW settings, then the optimizer's: deletedThreshold
 * (double), vacuumMinVectorNumber (long), defaultSegmentNumber (int), maxSegmentSizeKb (long, -1
 * for none), indexingThresholdKb (long), flushIntervalSec (long). Marker -4 adds, after those, the
 * quantization ({@link QuantizationConfigCodec}): the collection's, then a count (int) and per
 * dense vector or multivector with its own: name (UTF), config. Marker -9 adds, after those,
 * Qdrant's {@code memory} placements ({@link Memory}, each a byte: -1 not given, else the ordinal):
 * the collection HNSW config's, the collection quantization's, the payload storage's, then a count
 * (int) and per dense vector or multivector with any placement: name (UTF), the vector's, its own
 * HNSW config's, its own quantization's; then a count (int) and per sparse vector with a placement:
 * name (UTF), its index's. Writers write -9 when some placement is given and -4 otherwise (so the
 * bytes of such configs do not change). A reader also accepts -3 (no quantization) and a bare
 * {@link VectorsConfigCodec} form (what was written before shards had these settings) and gives it
 * the defaults. The markers must never be a marker of {@link VectorsConfigCodec} (-2, -5..-8).
 */
public final class ShardConfigCodec {

  private ShardConfigCodec() {}

  private static final int MARKER = -3;
  private static final int MARKER_QUANTIZATION = -4;
  private static final int MARKER_MEMORY = -9;

  public static void write(ShardConfig config, DataOutput out) throws IOException {
    boolean memory = MemoryPlacements.anyIn(config);
    out.writeInt(memory ? MARKER_MEMORY : MARKER_QUANTIZATION);
    VectorsConfigCodec.write(config.vectors(), out);
    VectorsConfigCodec.writeHnsw(config.hnsw(), out);
    OptimizersConfig o = config.optimizers();
    out.writeDouble(o.deletedThreshold());
    out.writeLong(o.vacuumMinVectorNumber());
    out.writeInt(o.defaultSegmentNumber());
    out.writeLong(o.maxSegmentSizeKb() == null ? -1 : o.maxSegmentSizeKb());
    out.writeLong(o.indexingThresholdKb());
    out.writeLong(o.flushIntervalSec());
    QuantizationConfigCodec.write(config.quantization(), out);
    java.util.Map<String, QuantizationConfig> own = new java.util.LinkedHashMap<>();
    config
        .vectors()
        .vectors()
        .forEach(
            (name, p) -> {
              if (p.quantization() != null) {
                own.put(name, p.quantization());
              }
            });
    config
        .vectors()
        .multi()
        .forEach(
            (name, p) -> {
              if (p.vector().quantization() != null) {
                own.put(name, p.vector().quantization());
              }
            });
    out.writeInt(own.size());
    for (var e : own.entrySet()) {
      out.writeUTF(e.getKey());
      QuantizationConfigCodec.write(e.getValue(), out);
    }
    if (memory) {
      MemoryPlacements.write(config, out);
    }
  }

  public static ShardConfig read(DataInput in) throws IOException {
    int first = in.readInt();
    if (first != MARKER && first != MARKER_QUANTIZATION && first != MARKER_MEMORY) {
      return ShardConfig.of(VectorsConfigCodec.read(first, in));
    }
    VectorsConfig vectors = VectorsConfigCodec.read(in);
    HnswConfig hnsw = VectorsConfigCodec.readHnsw(in);
    try {
      double deleted = in.readDouble();
      long vacuumMin = in.readLong();
      int segments = in.readInt();
      long maxSize = in.readLong();
      OptimizersConfig optimizers =
          new OptimizersConfig(
              deleted,
              vacuumMin,
              segments,
              maxSize < 0 ? null : maxSize,
              in.readLong(),
              in.readLong());
      if (first == MARKER) {
        return new ShardConfig(vectors, hnsw, optimizers);
      }
      QuantizationConfig collection = QuantizationConfigCodec.read(in);
      int count = in.readInt();
      java.util.Map<String, VectorParams> withOwn =
          new java.util.LinkedHashMap<>(vectors.vectors());
      java.util.Map<String, MultiVectorParams> multiWithOwn =
          new java.util.LinkedHashMap<>(vectors.multi());
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        QuantizationConfig q = QuantizationConfigCodec.read(in);
        if (withOwn.containsKey(name)) {
          withOwn.put(name, withOwn.get(name).withQuantization(q));
        } else if (multiWithOwn.containsKey(name)) {
          MultiVectorParams m = multiWithOwn.get(name);
          multiWithOwn.put(
              name, new MultiVectorParams(m.vector().withQuantization(q), m.comparator()));
        } else {
          throw new IOException("corrupt shard config: quantization of unknown vector " + name);
        }
      }
      ShardConfig config =
          new ShardConfig(
              new VectorsConfig(withOwn, vectors.sparse(), multiWithOwn),
              hnsw,
              optimizers,
              collection);
      return first == MARKER_MEMORY ? MemoryPlacements.read(config, in) : config;
    } catch (BadRequestException e) {
      throw new IOException("corrupt optimizers config: " + e.getMessage());
    }
  }
}
