package io.quiver.consensus;

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
 * Binary forms of points, ids and results, shared by the log commands and the read replies.
 * Vectors are written as a count, then per vector its name (UTF), dimension and floats; a payload
 * as a length-prefixed UTF-8 JSON object (length 0 = empty). Part of the log format: change only
 * with a new command version.
 */
final class PointCodec {

  /** A sanity bound on decoded collection sizes, so corrupt input fails instead of allocating. */
  private static final int MAX_COUNT = 10_000_000;

  private PointCodec() {}

  static void writeId(PointId id, DataOutput out) throws IOException {
    byte[] bytes = id.toBytes();
    out.writeByte(bytes.length);
    out.write(bytes);
  }

  static PointId readId(DataInput in) throws IOException {
    byte[] bytes = new byte[in.readUnsignedByte()];
    in.readFully(bytes);
    return PointId.fromBytes(bytes);
  }

  static void writeIds(List<PointId> ids, DataOutput out) throws IOException {
    out.writeInt(ids.size());
    for (PointId id : ids) {
      writeId(id, out);
    }
  }

  static List<PointId> readIds(DataInput in) throws IOException {
    int n = readCount(in);
    List<PointId> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(readId(in));
    }
    return ids;
  }

  static void writeVectors(Map<String, float[]> vectors, DataOutput out) throws IOException {
    out.writeInt(vectors.size());
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      out.writeUTF(e.getKey());
      writeFloats(e.getValue(), out);
    }
  }

  static Map<String, float[]> readVectors(DataInput in) throws IOException {
    int n = readCount(in);
    Map<String, float[]> vectors = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      vectors.put(in.readUTF(), readFloats(in));
    }
    return vectors;
  }

  static void writeFloats(float[] v, DataOutput out) throws IOException {
    out.writeInt(v.length);
    for (float x : v) {
      out.writeFloat(x);
    }
  }

  static float[] readFloats(DataInput in) throws IOException {
    float[] v = new float[readCount(in)];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readFloat();
    }
    return v;
  }

  static void writePayload(Payload payload, DataOutput out) throws IOException {
    if (payload.isEmpty()) {
      out.writeInt(0);
      return;
    }
    byte[] bytes = payload.toBytes();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static Payload readPayload(DataInput in) throws IOException {
    int n = readCount(in);
    if (n == 0) {
      return Payload.EMPTY;
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return Payload.fromBytes(bytes);
  }

  static void writePoints(List<Point> points, DataOutput out) throws IOException {
    out.writeInt(points.size());
    for (Point p : points) {
      writePoint(p, out);
    }
  }

  /** One point as {@link #writePoints} writes it after the count. */
  static void writePoint(Point p, DataOutput out) throws IOException {
    writeId(p.id(), out);
    writeVectors(p.vectors(), out);
    writePayload(p.payload(), out);
  }

  static List<Point> readPoints(DataInput in) throws IOException {
    int n = readCount(in);
    List<Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(new Point(readId(in), readVectors(in), readPayload(in)));
    }
    return points;
  }

  static void writeRecords(List<PointRecord> records, DataOutput out) throws IOException {
    out.writeInt(records.size());
    for (PointRecord r : records) {
      writeId(r.id(), out);
      out.writeLong(r.version());
      writeOptionalPayload(r.payload(), out);
      writeOptionalVectors(r.vectors(), out);
    }
  }

  static List<PointRecord> readRecords(DataInput in) throws IOException {
    int n = readCount(in);
    List<PointRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      records.add(new PointRecord(readId(in), in.readLong(), readOptionalPayload(in), readOptionalVectors(in)));
    }
    return records;
  }

  static void writeScored(List<ScoredPoint> hits, DataOutput out) throws IOException {
    out.writeInt(hits.size());
    for (ScoredPoint h : hits) {
      writeId(h.id(), out);
      out.writeLong(h.version());
      out.writeFloat(h.score());
      writeOptionalPayload(h.payload(), out);
      writeOptionalVectors(h.vectors(), out);
    }
  }

  static List<ScoredPoint> readScored(DataInput in) throws IOException {
    int n = readCount(in);
    List<ScoredPoint> hits = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      hits.add(new ScoredPoint(readId(in), in.readLong(), in.readFloat(), readOptionalPayload(in), readOptionalVectors(in)));
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

  private static void writeOptionalVectors(Map<String, float[]> vectors, DataOutput out) throws IOException {
    out.writeBoolean(vectors != null);
    if (vectors != null) {
      writeVectors(vectors, out);
    }
  }

  private static Map<String, float[]> readOptionalVectors(DataInput in) throws IOException {
    return in.readBoolean() ? readVectors(in) : null;
  }

  static int readCount(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_COUNT) {
      throw new IOException("corrupt count " + n);
    }
    return n;
  }
}
