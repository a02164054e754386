package io.quiver.consensus.codec;

import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary forms of points, ids and results, shared by the log commands and the read replies. Vectors
 * are written as a count, then per vector its name (UTF), dimension and floats; a payload as a
 * length-prefixed UTF-8 JSON object (length 0 = empty). Sparse vectors as a count, then per vector
 * its name (UTF), its length, indices (int) and values (float). Part of the log format: change only
 * with a new command type or version.
 *
 * <p>In results, the vectors of a record or hit start with a byte: 0 none, 1 dense vectors, 2 dense
 * then sparse vectors (what was a boolean before sparse vectors, so older replies read the same).
 */
public final class PointCodec {

  /** A sanity bound on decoded collection sizes, so corrupt input fails instead of allocating. */
  private static final int MAX_COUNT = 10_000_000;

  private PointCodec() {}

  public static void writeId(PointId id, DataOutput out) throws IOException {
    byte[] bytes = id.toBytes();
    out.writeByte(bytes.length);
    out.write(bytes);
  }

  public static PointId readId(DataInput in) throws IOException {
    byte[] bytes = new byte[in.readUnsignedByte()];
    in.readFully(bytes);
    return PointId.fromBytes(bytes);
  }

  public static void writeIds(List<PointId> ids, DataOutput out) throws IOException {
    out.writeInt(ids.size());
    for (PointId id : ids) {
      writeId(id, out);
    }
  }

  public static List<PointId> readIds(DataInput in) throws IOException {
    int n = readCount(in);
    List<PointId> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(readId(in));
    }
    return ids;
  }

  public static void writeVectors(Map<String, float[]> vectors, DataOutput out) throws IOException {
    out.writeInt(vectors.size());
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      out.writeUTF(e.getKey());
      writeFloats(e.getValue(), out);
    }
  }

  public static Map<String, float[]> readVectors(DataInput in) throws IOException {
    int n = readCount(in);
    Map<String, float[]> vectors = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      vectors.put(in.readUTF(), readFloats(in));
    }
    return vectors;
  }

  public static void writeFloats(float[] v, DataOutput out) throws IOException {
    out.writeInt(v.length);
    writeFloatArray(v, out);
  }

  public static float[] readFloats(DataInput in) throws IOException {
    float[] v = new float[readCount(in)];
    readFloatArray(in, v);
    return v;
  }

  /**
   * Big-endian floats, as {@link DataOutput#writeFloat} writes them one by one, written as one
   * array: one float at a time, a 1,000-point batch of 784 dimensions made 784,000 calls into a
   * synchronized {@code ByteArrayOutputStream} and was a fifth of an upsert's time on the HTTP
   * thread (and reading them back one at a time a third of the apply thread's).
   */
  private static void writeFloatArray(float[] v, DataOutput out) throws IOException {
    byte[] bytes = new byte[v.length * Float.BYTES];
    for (int i = 0; i < v.length; i++) {
      BIG_ENDIAN_FLOAT.set(bytes, i * Float.BYTES, v[i]);
    }
    out.write(bytes);
  }

  private static void readFloatArray(DataInput in, float[] into) throws IOException {
    byte[] bytes = new byte[into.length * Float.BYTES];
    in.readFully(bytes);
    for (int i = 0; i < into.length; i++) {
      into[i] = (float) BIG_ENDIAN_FLOAT.get(bytes, i * Float.BYTES);
    }
  }

  private static final java.lang.invoke.VarHandle BIG_ENDIAN_FLOAT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          float[].class, java.nio.ByteOrder.BIG_ENDIAN);

  public static void writePayload(Payload payload, DataOutput out) throws IOException {
    if (payload.isEmpty()) {
      out.writeInt(0);
      return;
    }
    byte[] bytes = payload.toBytes();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  public static Payload readPayload(DataInput in) throws IOException {
    int n = readCount(in);
    if (n == 0) {
      return Payload.EMPTY;
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return Payload.fromBytes(bytes);
  }

  public static void writePoints(List<Point> points, DataOutput out) throws IOException {
    out.writeInt(points.size());
    for (Point p : points) {
      writePoint(p, out);
    }
  }

  /** One point as {@link #writePoints} writes it after the count. */
  public static void writePoint(Point p, DataOutput out) throws IOException {
    writeId(p.id(), out);
    writeVectors(p.vectors(), out);
    writePayload(p.payload(), out);
  }

  /** As {@link #writePoints}, each point followed by its sparse vectors. */
  public static void writePointsWithSparse(List<Point> points, DataOutput out) throws IOException {
    out.writeInt(points.size());
    for (Point p : points) {
      writePoint(p, out);
      writeSparse(p.sparse(), out);
    }
  }

  public static List<Point> readPointsWithSparse(DataInput in) throws IOException {
    int n = readCount(in);
    List<Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(new Point(readId(in), readVectors(in), readPayload(in), readSparse(in)));
    }
    return points;
  }

  public static void writeSparse(Map<String, SparseVector> sparse, DataOutput out)
      throws IOException {
    out.writeInt(sparse.size());
    for (Map.Entry<String, SparseVector> e : sparse.entrySet()) {
      out.writeUTF(e.getKey());
      writeSparseVector(e.getValue(), out);
    }
  }

  public static Map<String, SparseVector> readSparse(DataInput in) throws IOException {
    int n = readCount(in);
    Map<String, SparseVector> sparse = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      sparse.put(in.readUTF(), readSparseVector(in));
    }
    return sparse;
  }

  public static void writeSparseVector(SparseVector v, DataOutput out) throws IOException {
    out.writeInt(v.size());
    for (int i = 0; i < v.size(); i++) {
      out.writeInt(v.index(i));
    }
    for (int i = 0; i < v.size(); i++) {
      out.writeFloat(v.value(i));
    }
  }

  public static SparseVector readSparseVector(DataInput in) throws IOException {
    int n = readCount(in);
    int[] indices = new int[n];
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      indices[i] = in.readInt();
    }
    for (int i = 0; i < n; i++) {
      values[i] = in.readFloat();
    }
    try {
      return SparseVector.of(indices, values);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt sparse vector: " + e.getMessage());
    }
  }

  /** The vectors of a result: 0 none, 1 dense, 2 dense and sparse (see the class comment). */
  private static void writeResultVectors(
      Map<String, float[]> vectors, Map<String, SparseVector> sparse, DataOutput out)
      throws IOException {
    if (vectors == null) {
      out.writeByte(0);
      return;
    }
    boolean withSparse = sparse != null && !sparse.isEmpty();
    out.writeByte(withSparse ? 2 : 1);
    writeVectors(vectors, out);
    if (withSparse) {
      writeSparse(sparse, out);
    }
  }

  /** Reads what {@link #writeResultVectors} wrote: [dense or null, sparse or null]. */
  private static Object[] readResultVectors(DataInput in) throws IOException {
    int kind = in.readUnsignedByte();
    if (kind == 0) {
      return new Object[] {null, null};
    }
    if (kind > 2) {
      throw new IOException("corrupt result vectors kind " + kind);
    }
    Map<String, float[]> dense = readVectors(in);
    return new Object[] {dense, kind == 2 ? readSparse(in) : Map.of()};
  }

  public static List<Point> readPoints(DataInput in) throws IOException {
    int n = readCount(in);
    List<Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(new Point(readId(in), readVectors(in), readPayload(in)));
    }
    return points;
  }

  public static void writeRecords(List<PointRecord> records, DataOutput out) throws IOException {
    out.writeInt(records.size());
    for (PointRecord r : records) {
      writeId(r.id(), out);
      out.writeLong(r.version());
      writeOptionalPayload(r.payload(), out);
      writeResultVectors(r.vectors(), r.sparse(), out);
    }
  }

  @SuppressWarnings("unchecked")
  public static List<PointRecord> readRecords(DataInput in) throws IOException {
    int n = readCount(in);
    List<PointRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      PointId id = readId(in);
      long version = in.readLong();
      Payload payload = readOptionalPayload(in);
      Object[] v = readResultVectors(in);
      records.add(
          new PointRecord(
              id,
              version,
              payload,
              (Map<String, float[]>) v[0],
              null,
              (Map<String, SparseVector>) v[1]));
    }
    return records;
  }

  public static void writeScored(List<ScoredPoint> hits, DataOutput out) throws IOException {
    out.writeInt(hits.size());
    for (ScoredPoint h : hits) {
      writeId(h.id(), out);
      out.writeLong(h.version());
      out.writeFloat(h.score());
      writeOptionalPayload(h.payload(), out);
      writeResultVectors(h.vectors(), h.sparse(), out);
    }
  }

  @SuppressWarnings("unchecked")
  public static List<ScoredPoint> readScored(DataInput in) throws IOException {
    int n = readCount(in);
    List<ScoredPoint> hits = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      PointId id = readId(in);
      long version = in.readLong();
      float score = in.readFloat();
      Payload payload = readOptionalPayload(in);
      Object[] v = readResultVectors(in);
      hits.add(
          new ScoredPoint(
              id,
              version,
              score,
              payload,
              (Map<String, float[]>) v[0],
              null,
              (Map<String, SparseVector>) v[1]));
    }
    return hits;
  }

  private static void writeOptionalPayload(Payload payload, DataOutput out) throws IOException {
    out.writeBoolean(payload != null);
    if (payload != null) {
      writePayload(payload, out);
    }
  }

  private static Payload readOptionalPayload(DataInput in) throws IOException {
    return in.readBoolean() ? readPayload(in) : null;
  }

  public static int readCount(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_COUNT) {
      throw new IOException("corrupt count " + n);
    }
    return n;
  }
}
