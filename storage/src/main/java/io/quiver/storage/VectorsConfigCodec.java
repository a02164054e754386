package io.quiver.storage;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
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
 * version 4: marker (int -6), the version 3 fields after its marker (both counts may be 0), then the
 *            multivectors: count (int), per vector: name (UTF), the version 2 fields of one vector
 *            after its name, comparator (byte: 0 max_sim)
 * version 5: marker (int -7), the version 4 fields after its marker (all three counts may be 0),
 *            then the datatypes of dense vectors: count (int), per vector with a datatype: name
 *            (UTF), datatype (byte: VectorDatatype ordinal, 0 float32, 1 float16, 2 uint8)
 * version 6: marker (int -8), the version 5 fields after its marker (the datatype count may be 0),
 *            then the datatypes of multivectors, in version 5's form: count (int), per multivector
 *            with a datatype: name (UTF), datatype (byte)
 * </pre>
 *
 * Writers write version 2 when there are neither sparse vectors nor multivectors nor datatypes (so
 * the bytes of such configs do not change), version 3 when there are sparse vectors only, version 4
 * when there are multivectors, version 5 when a dense vector has a datatype (even float32: it is
 * reported back as given), version 6 when a multivector has one; readers read all six.
 */
public final class VectorsConfigCodec {

  private static final int VERSION_2_MARKER = -2;
  private static final int VERSION_3_MARKER = -5;
  private static final int VERSION_4_MARKER = -6;
  private static final int VERSION_5_MARKER = -7;
  private static final int VERSION_6_MARKER = -8;

  private VectorsConfigCodec() {}

  public static void write(VectorsConfig config, DataOutput out) throws IOException {
    Map<String, VectorDatatype> datatypes = new LinkedHashMap<>();
    config
        .vectors()
        .forEach(
            (name, p) -> {
              if (p.datatype() != null) {
                datatypes.put(name, p.datatype());
              }
            });
    Map<String, VectorDatatype> multiDatatypes = new LinkedHashMap<>();
    config
        .multi()
        .forEach(
            (name, p) -> {
              if (p.vector().datatype() != null) {
                multiDatatypes.put(name, p.vector().datatype());
              }
            });
    boolean version6 = !multiDatatypes.isEmpty();
    boolean version5 = version6 || !datatypes.isEmpty();
    boolean version4 = version5 || !config.multi().isEmpty();
    boolean version3 = version4 || !config.sparse().isEmpty();
    out.writeInt(
        version6
            ? VERSION_6_MARKER
            : version5
                ? VERSION_5_MARKER
                : version4 ? VERSION_4_MARKER : version3 ? VERSION_3_MARKER : VERSION_2_MARKER);
    out.writeInt(config.vectors().size());
    for (Map.Entry<String, VectorParams> e : config.vectors().entrySet()) {
      out.writeUTF(e.getKey());
      writeDense(e.getValue(), out);
    }
    if (version3) {
      writeSparse(config.sparse(), out);
    }
    if (version4) {
      out.writeInt(config.multi().size());
      for (Map.Entry<String, MultiVectorParams> e : config.multi().entrySet()) {
        out.writeUTF(e.getKey());
        writeDense(e.getValue().vector(), out);
        out.writeByte(e.getValue().comparator().ordinal());
      }
    }
    if (version5) {
      writeDatatypes(datatypes, out);
    }
    if (version6) {
      writeDatatypes(multiDatatypes, out);
    }
  }

  private static void writeDatatypes(Map<String, VectorDatatype> datatypes, DataOutput out)
      throws IOException {
    out.writeInt(datatypes.size());
    for (Map.Entry<String, VectorDatatype> e : datatypes.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeByte(e.getValue().ordinal());
    }
  }

  private static void writeDense(VectorParams p, DataOutput out) throws IOException {
    out.writeInt(p.size());
    out.writeByte(p.distance().ordinal());
    out.writeBoolean(p.onDisk());
    out.writeBoolean(p.hnsw() != null);
    if (p.hnsw() != null) {
      writeHnsw(p.hnsw(), out);
    }
  }

  private static VectorParams readDense(DataInput in, boolean withHnsw) throws IOException {
    int size = in.readInt();
    int distance = in.readByte();
    if (distance < 0 || distance >= Distance.values().length) {
      throw new IOException("corrupt vectors config: distance " + distance);
    }
    boolean onDisk = in.readBoolean();
    HnswConfig hnsw = withHnsw && in.readBoolean() ? readHnsw(in) : null;
    try {
      return new VectorParams(size, Distance.values()[distance], onDisk, hnsw);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt vectors config: " + e.getMessage());
    }
  }

  private static Map<String, MultiVectorParams> readMulti(DataInput in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > 1024) {
      throw new IOException("corrupt vectors config: " + count + " multivectors");
    }
    Map<String, MultiVectorParams> multi = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      VectorParams vector = readDense(in, true);
      int comparator = in.readByte();
      if (comparator < 0 || comparator >= MultiVectorParams.Comparator.values().length) {
        throw new IOException(
            "corrupt multivector config of " + name + ": comparator " + comparator);
      }
      multi.put(
          name, new MultiVectorParams(vector, MultiVectorParams.Comparator.values()[comparator]));
    }
    return multi;
  }

  private static void writeSparse(Map<String, SparseVectorParams> sparse, DataOutput out)
      throws IOException {
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
      if (onDisk < 0
          || onDisk > 2
          || modifier < 0
          || modifier > SparseVectorParams.Modifier.values().length) {
        throw new IOException("corrupt sparse vector config of " + name);
      }
      try {
        sparse.put(
            name,
            new SparseVectorParams(
                hasIndex,
                threshold < 0 ? null : threshold,
                onDisk == 0 ? null : onDisk == 2,
                datatype.isEmpty() ? null : datatype,
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
    boolean version6 = first == VERSION_6_MARKER;
    boolean version5 = first == VERSION_5_MARKER || version6;
    boolean version4 = first == VERSION_4_MARKER || version5;
    boolean version3 = first == VERSION_3_MARKER || version4;
    boolean version2 = first == VERSION_2_MARKER || version3;
    int count = version2 ? in.readInt() : first;
    if (count < (version3 ? 0 : 1) || count > 1024) {
      throw new IOException("corrupt vectors config: " + count + " vectors");
    }
    Map<String, VectorParams> vectors = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      vectors.put(name, readDense(in, version2));
    }
    Map<String, SparseVectorParams> sparse = version3 ? readSparse(in) : Map.of();
    Map<String, MultiVectorParams> multi = version4 ? readMulti(in) : Map.of();
    if (version5) {
      readDatatypes(in, vectors);
    }
    if (version6) {
      Map<String, VectorParams> rows = new LinkedHashMap<>();
      multi.forEach((name, p) -> rows.put(name, p.vector()));
      readDatatypes(in, rows);
      Map<String, MultiVectorParams> typed = new LinkedHashMap<>();
      try {
        multi.forEach(
            (name, p) -> typed.put(name, new MultiVectorParams(rows.get(name), p.comparator())));
      } catch (BadRequestException e) {
        throw new IOException("corrupt multivector config: " + e.getMessage());
      }
      multi = typed;
    }
    return new VectorsConfig(vectors, sparse, multi);
  }

  /** Reads version 5's (or 6's) datatypes into the vectors they name. */
  private static void readDatatypes(DataInput in, Map<String, VectorParams> vectors)
      throws IOException {
    int count = in.readInt();
    if (count < 0 || count > vectors.size()) {
      throw new IOException(
          "corrupt vectors config: " + count + " datatypes for " + vectors.size() + " vectors");
    }
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      int ordinal = in.readByte();
      VectorParams p = vectors.get(name);
      if (p == null || ordinal < 0 || ordinal >= VectorDatatype.values().length) {
        throw new IOException("corrupt vectors config: datatype " + ordinal + " of vector " + name);
      }
      try {
        vectors.put(
            name,
            new VectorParams(
                p.size(),
                p.distance(),
                p.onDisk(),
                p.hnsw(),
                p.quantization(),
                VectorDatatype.values()[ordinal]));
      } catch (BadRequestException e) {
        throw new IOException("corrupt vectors config of " + name + ": " + e.getMessage());
      }
    }
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
