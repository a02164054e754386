package io.quiver.storage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The binary form of a {@link ShardConfig}: a marker (int -3), the {@link VectorsConfigCodec} form
 * of the vectors, then the collection's HNSW settings, then the optimizer's:
 * deletedThreshold (double), vacuumMinVectorNumber (long), defaultSegmentNumber (int),
 * maxSegmentSizeKb (long, -1 for none), indexingThresholdKb (long), flushIntervalSec (long).
 * Marker -4 adds, after those, the quantization ({@link QuantizationConfigCodec}): the collection's,
 * then a count (int) and per vector with its own: name (UTF), config. Writers write -4.
 * A reader also accepts -3 (no quantization) and a bare {@link VectorsConfigCodec} form (what was
 * written before shards had these settings) and gives it the defaults.
 */
public final class ShardConfigCodec {

  private ShardConfigCodec() {}

  private static final int MARKER = -3;
  private static final int MARKER_QUANTIZATION = -4;

  public static void write(ShardConfig config, DataOutput out) throws IOException {
    out.writeInt(MARKER_QUANTIZATION);
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
    config.vectors().vectors().forEach((name, p) -> {
      if (p.quantization() != null) {
        own.put(name, p.quantization());
      }
    });
    out.writeInt(own.size());
    for (var e : own.entrySet()) {
      out.writeUTF(e.getKey());
      QuantizationConfigCodec.write(e.getValue(), out);
    }
  }

  public static ShardConfig read(DataInput in) throws IOException {
    int first = in.readInt();
    if (first != MARKER && first != MARKER_QUANTIZATION) {
      return ShardConfig.of(VectorsConfigCodec.read(first, in));
    }
    VectorsConfig vectors = VectorsConfigCodec.read(in);
    HnswConfig hnsw = VectorsConfigCodec.readHnsw(in);
    try {
      double deleted = in.readDouble();
      long vacuumMin = in.readLong();
      int segments = in.readInt();
      long maxSize = in.readLong();
      OptimizersConfig optimizers = new OptimizersConfig(deleted, vacuumMin, segments, maxSize < 0 ? null : maxSize,
          in.readLong(), in.readLong());
      if (first == MARKER) {
        return new ShardConfig(vectors, hnsw, optimizers);
      }
      QuantizationConfig collection = QuantizationConfigCodec.read(in);
      int count = in.readInt();
      java.util.Map<String, VectorParams> withOwn = new java.util.LinkedHashMap<>(vectors.vectors());
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        VectorParams p = withOwn.get(name);
        QuantizationConfig q = QuantizationConfigCodec.read(in);
        if (p == null) {
          throw new IOException("corrupt shard config: quantization of unknown vector " + name);
        }
        withOwn.put(name, p.withQuantization(q));
      }
      return new ShardConfig(new VectorsConfig(withOwn, vectors.sparse(), vectors.multi()), hnsw, optimizers, collection);
    } catch (BadRequestException e) {
      throw new IOException("corrupt optimizers config: " + e.getMessage());
    }
  }
}
