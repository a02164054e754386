package io.quiver.storage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The binary form of a {@link ShardConfig}: a marker (int -3), the {@link VectorsConfigCodec} form
 * of the vectors, then the collection's HNSW settings, then the optimizer's:
 * deletedThreshold (double), vacuumMinVectorNumber (long), defaultSegmentNumber (int),
 * maxSegmentSizeKb (long, -1 for none), indexingThresholdKb (long), flushIntervalSec (long).
 * A reader also accepts a bare {@link VectorsConfigCodec} form (what was written before shards had
 * these settings) and gives it the defaults.
 */
public final class ShardConfigCodec {

  private ShardConfigCodec() {}

  private static final int MARKER = -3;

  public static void write(ShardConfig config, DataOutput out) throws IOException {
    out.writeInt(MARKER);
    VectorsConfigCodec.write(config.vectors(), out);
    VectorsConfigCodec.writeHnsw(config.hnsw(), out);
    OptimizersConfig o = config.optimizers();
    out.writeDouble(o.deletedThreshold());
    out.writeLong(o.vacuumMinVectorNumber());
    out.writeInt(o.defaultSegmentNumber());
    out.writeLong(o.maxSegmentSizeKb() == null ? -1 : o.maxSegmentSizeKb());
    out.writeLong(o.indexingThresholdKb());
    out.writeLong(o.flushIntervalSec());
  }

  public static ShardConfig read(DataInput in) throws IOException {
    int first = in.readInt();
    if (first != MARKER) {
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
      return new ShardConfig(vectors, hnsw, optimizers);
    } catch (BadRequestException e) {
      throw new IOException("corrupt optimizers config: " + e.getMessage());
    }
  }
}
