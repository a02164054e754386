package io.quiver.storage;

import io.quiver.index.vector.Distance;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary form of a {@link VectorsConfig}, stored in a shard's metadata and in the cluster
 * metadata log. Distance ordinals are part of the format: only append to {@link Distance}.
 *
 * <pre>
 * version 1: count (int 1..1024), then per vector: name (UTF), size (int), distance (byte), onDisk (boolean)
 * version 2: marker (int -2), count (int), then per vector: the version 1 fields,
 *            hasHnsw (boolean) [, hnsw: m (int), efConstruct (int), fullScanThresholdKb (long), onDisk (boolean)]
 * </pre>
 * Writers write version 2; readers read both.
 */
public final class VectorsConfigCodec {

  private static final int VERSION_2_MARKER = -2;

  private VectorsConfigCodec() {}

  public static void write(VectorsConfig config, DataOutput out) throws IOException {
    out.writeInt(VERSION_2_MARKER);
    out.writeInt(config.vectors().size());
    for (Map.Entry<String, VectorParams> e : config.vectors().entrySet()) {
      VectorParams p = e.getValue();
      out.writeUTF(e.getKey());
      out.writeInt(p.size());
      out.writeByte(p.distance().ordinal());
      out.writeBoolean(p.onDisk());
      out.writeBoolean(p.hnsw() != null);
      if (p.hnsw() != null) {
        writeHnsw(p.hnsw(), out);
      }
    }
  }

  public static VectorsConfig read(DataInput in) throws IOException {
    return read(in.readInt(), in);
  }

  /** Reads a config whose first int ({@code first}) the caller has already read. */
  static VectorsConfig read(int first, DataInput in) throws IOException {
    boolean version2 = first == VERSION_2_MARKER;
    int count = version2 ? in.readInt() : first;
    if (count < 1 || count > 1024) {
      throw new IOException("corrupt vectors config: " + count + " vectors");
    }
    Map<String, VectorParams> vectors = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      int size = in.readInt();
      int distance = in.readByte();
      if (distance < 0 || distance >= Distance.values().length) {
        throw new IOException("corrupt vectors config: distance " + distance);
      }
      boolean onDisk = in.readBoolean();
      HnswConfig hnsw = version2 && in.readBoolean() ? readHnsw(in) : null;
      vectors.put(name, new VectorParams(size, Distance.values()[distance], onDisk, hnsw));
    }
    return new VectorsConfig(vectors);
  }

  static void writeHnsw(HnswConfig h, DataOutput out) throws IOException {
    out.writeInt(h.m());
    out.writeInt(h.efConstruct());
    out.writeLong(h.fullScanThresholdKb());
    out.writeBoolean(h.onDisk());
  }

  static HnswConfig readHnsw(DataInput in) throws IOException {
    try {
      return new HnswConfig(in.readInt(), in.readInt(), in.readLong(), in.readBoolean());
    } catch (BadRequestException e) {
      throw new IOException("corrupt hnsw config: " + e.getMessage());
    }
  }
}
