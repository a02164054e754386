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
 * version 3: marker (int -5; -3 and -4 are ShardConfigCodec's markers), the version 2 fields after its marker (count may be 0), then the sparse
 *            vectors: count (int), per vector: name (UTF), hasIndex (boolean), fullScanThreshold (long,
 *            -1 absent), onDisk (byte: 0 absent, 1 false, 2 true), datatype (UTF, "" absent),
 *            modifier (byte: 0 absent, 1 none, 2 idf)
 * </pre>
 * Writers write version 2 when there are no sparse vectors (so the bytes of such configs do not
 * change), version 3 otherwise; readers read all three.
 */
public final class VectorsConfigCodec {

  private static final int VERSION_2_MARKER = -2;
  private static final int VERSION_3_MARKER = -5;

  private VectorsConfigCodec() {}

  public static void write(VectorsConfig config, DataOutput out) throws IOException {
    boolean version3 = !config.sparse().isEmpty();
    out.writeInt(version3 ? VERSION_3_MARKER : VERSION_2_MARKER);
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
    if (version3) {
      writeSparse(config.sparse(), out);
    }
  }

  private static void writeSparse(Map<String, SparseVectorParams> sparse, DataOutput out) throws IOException {
    out.writeInt(sparse.size());
    for (Map.Entry<String, SparseVectorParams> e : sparse.entrySet()) {
      SparseVectorParams p = e.getValue();
      out.writeUTF(e.getKey());
      out.writeBoolean(p.hasIndex());
      out.writeLong(p.fullScanThreshold() == null ? -1 : p.fullScanThreshold());
      out.writeByte(p.onDisk() == null ? 0 : p.onDisk() ? 2 : 1);
      out.writeUTF(p.datatype() == null ? "" : p.datatype());
      out.writeByte(p.modifier() == null ? 0 : p.modifier().ordinal() + 1);
    }
  }

  private static Map<String, SparseVectorParams> readSparse(DataInput in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > 1024) {
      throw new IOException("corrupt vectors config: " + count + " sparse vectors");
    }
    Map<String, SparseVectorParams> sparse = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      boolean hasIndex = in.readBoolean();
      long threshold = in.readLong();
      int onDisk = in.readByte();
      String datatype = in.readUTF();
      int modifier = in.readByte();
      if (onDisk < 0 || onDisk > 2 || modifier < 0 || modifier > SparseVectorParams.Modifier.values().length) {
        throw new IOException("corrupt sparse vector config of " + name);
      }
      try {
        sparse.put(name, new SparseVectorParams(hasIndex, threshold < 0 ? null : threshold,
            onDisk == 0 ? null : onDisk == 2, datatype.isEmpty() ? null : datatype,
            modifier == 0 ? null : SparseVectorParams.Modifier.values()[modifier - 1]));
      } catch (BadRequestException | IllegalArgumentException e) {
        throw new IOException("corrupt sparse vector config of " + name + ": " + e.getMessage());
      }
    }
    return sparse;
  }

  public static VectorsConfig read(DataInput in) throws IOException {
    return read(in.readInt(), in);
  }

  /** Reads a config whose first int ({@code first}) the caller has already read. */
  static VectorsConfig read(int first, DataInput in) throws IOException {
    boolean version3 = first == VERSION_3_MARKER;
    boolean version2 = first == VERSION_2_MARKER || version3;
    int count = version2 ? in.readInt() : first;
    if (count < (version3 ? 0 : 1) || count > 1024) {
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
    return new VectorsConfig(vectors, version3 ? readSparse(in) : Map.of());
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
