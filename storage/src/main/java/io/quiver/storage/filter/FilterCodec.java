package io.quiver.storage.filter;

import io.quiver.storage.PointId;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The binary form of a {@link Filter}, for Raft log entries and shard queries. It is an on-disk
 * format: tags and layouts below only ever get appended to, and a new layout gets a new version.
 *
 * <pre>
 * filter     := version:u8(=1) body
 * body       := list(must) should minShould list(mustNot)
 * should     := i32(-1 = absent) | i32(n) condition*n
 * minShould  := u8(0) | u8(1) list i32(minCount)
 * list       := i32(n) condition*n
 * condition  := u8(tag) ...         tags: see the TAG_ constants
 * path       := string(firstKey) i32(n) (u8(0) string | u8(1) i32 | u8(2))*n
 * string     := i32(byte length) utf8
 * bounds     := u8(mask: gt=1 gte=2 lt=4 lte=8) value per set bit, in that order
 * point id   := u8(0) i64 | u8(1) i64 i64
 * </pre>
 *
 * Reading checks every count and tag and rejects nesting deeper than {@link #DEPTH_MAX}, so a
 * corrupt entry fails with an {@link IOException} instead of exhausting memory or the stack.
 *
 * <p><b>Why it lives here and not beside the log codecs of {@code consensus}.</b> The module
 * direction would allow the move (consensus depends on storage, and no storage code calls this
 * class), but the codec belongs with the filter AST it writes, as the binary forms of storage's
 * other value types do ({@code ShardConfigCodec}, {@code VectorsConfigCodec}, which the meta and
 * shard commands embed the same way): {@code consensus} owns the formats of its own messages
 * (commands, replies, snapshots) and composes these. Three things tie it to this package: its
 * writer switches exhaustively over the sealed {@link Condition} and {@link FieldPredicate}, so a
 * new condition and its tag are one change to one module; its randomized round trip runs on the
 * filter generator of storage's tests ({@code FilterRandomizedTest}, {@code RandomFilters}); and
 * {@link #DEPTH_MAX} and {@link #LIST_LENGTH_MAX} are limits of the filter language that {@code
 * node}'s JSON reader enforces too, so that a filter it accepts is one this codec accepts.
 */
public final class FilterCodec {

  public static final byte VERSION = 1;

  /** Deepest nesting of filters (through conditions or {@code nested}) either side accepts. */
  public static final int DEPTH_MAX = 64;

  /** Largest element count of any list in a filter. */
  public static final int LIST_LENGTH_MAX = 1 << 20;

  /** Largest UTF-8 length of any string in a filter. */
  public static final int STRING_BYTES_MAX = 1 << 24;

  private static final byte TAG_FILTER = 0;
  private static final byte TAG_FIELD = 1;
  private static final byte TAG_IS_EMPTY = 2;
  private static final byte TAG_IS_NULL = 3;
  private static final byte TAG_HAS_ID = 4;
  private static final byte TAG_HAS_VECTOR = 5;
  private static final byte TAG_NESTED = 6;
  private static final byte TAG_SLICE = 7;
  private static final byte TAG_OWNED_BY = 8;

  private static final byte P_MATCH_KEYWORD = 0;
  private static final byte P_MATCH_INTEGER = 1;
  private static final byte P_MATCH_BOOL = 2;
  private static final byte P_ANY_KEYWORDS = 3;
  private static final byte P_ANY_INTEGERS = 4;
  private static final byte P_EXCEPT_KEYWORDS = 5;
  private static final byte P_EXCEPT_INTEGERS = 6;
  private static final byte P_TEXT = 7;
  private static final byte P_PHRASE = 8;
  private static final byte P_TEXT_ANY = 9;
  private static final byte P_PREFIX = 10;
  private static final byte P_NUMBER_RANGE = 11;
  private static final byte P_DATETIME_RANGE = 12;
  private static final byte P_GEO_BOUNDING_BOX = 13;
  private static final byte P_GEO_RADIUS = 14;
  private static final byte P_GEO_POLYGON = 15;
  private static final byte P_VALUES_COUNT = 16;

  private FilterCodec() {}

  /**
   * Writes the filter, version byte first.
   *
   * @throws IllegalArgumentException if the filter is deeper or larger than the format's limits
   */
  public static void write(Filter filter, DataOutput out) throws IOException {
    out.writeByte(VERSION);
    writeFilter(filter, out, 1);
  }

  /**
   * Reads a filter written by {@link #write}; a malformed or unknown input is an {@link
   * IOException}.
   */
  public static Filter read(DataInput in) throws IOException {
    byte version = in.readByte();
    if (version != VERSION) {
      throw new IOException("corrupt filter: unknown format version " + version);
    }
    try {
      return readFilter(in, 1);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IOException("corrupt filter: " + e.getMessage(), e);
    }
  }

  // ---- write ----

  private static void writeFilter(Filter f, DataOutput out, int depth) throws IOException {
    if (depth > DEPTH_MAX) {
      throw new IllegalArgumentException("filter nested deeper than " + DEPTH_MAX);
    }
    writeList(f.must(), out, depth);
    if (f.should() == null) {
      out.writeInt(-1);
    } else {
      writeList(f.should(), out, depth);
    }
    if (f.minShould() == null) {
      out.writeByte(0);
    } else {
      out.writeByte(1);
      writeList(f.minShould().conditions(), out, depth);
      out.writeInt(f.minShould().minCount());
    }
    writeList(f.mustNot(), out, depth);
  }

  private static void writeList(List<Condition> conditions, DataOutput out, int depth)
      throws IOException {
    writeCount(conditions.size(), out);
    for (Condition c : conditions) {
      writeCondition(c, out, depth);
    }
  }

  private static void writeCondition(Condition c, DataOutput out, int depth) throws IOException {
    switch (c) {
      case Filter f -> {
        out.writeByte(TAG_FILTER);
        writeFilter(f, out, depth + 1);
      }
      case Condition.Field f -> {
        out.writeByte(TAG_FIELD);
        writePath(f.key(), out);
        writePredicate(f.predicate(), out);
      }
      case Condition.IsEmpty e -> {
        out.writeByte(TAG_IS_EMPTY);
        writePath(e.key(), out);
      }
      case Condition.IsNull n -> {
        out.writeByte(TAG_IS_NULL);
        writePath(n.key(), out);
      }
      case Condition.HasId h -> {
        out.writeByte(TAG_HAS_ID);
        writeCount(h.ids().size(), out);
        for (PointId id : h.ids().stream().sorted().toList()) { // sorted: stable bytes
          writePointId(id, out);
        }
      }
      case Condition.HasVector v -> {
        out.writeByte(TAG_HAS_VECTOR);
        writeString(v.vector(), out);
      }
      case Condition.Nested n -> {
        out.writeByte(TAG_NESTED);
        writePath(n.key(), out);
        writeFilter(n.filter(), out, depth + 1);
      }
      case Condition.Slice s -> {
        out.writeByte(TAG_SLICE);
        out.writeInt(s.index());
        out.writeInt(s.total());
      }
      case Condition.OwnedBy o -> {
        out.writeByte(TAG_OWNED_BY);
        out.writeByte(o.hashing().ordinal());
        out.writeInt(o.shard());
        out.writeInt(o.shards());
      }
    }
  }

  private static void writePredicate(FieldPredicate p, DataOutput out) throws IOException {
    switch (p) {
      case FieldPredicate.MatchKeyword m -> tagged(P_MATCH_KEYWORD, out).writeString(m.value());
      case FieldPredicate.MatchInteger m -> tagged(P_MATCH_INTEGER, out).out().writeLong(m.value());
      case FieldPredicate.MatchBool m -> tagged(P_MATCH_BOOL, out).out().writeBoolean(m.value());
      case FieldPredicate.MatchAnyKeywords m ->
          tagged(P_ANY_KEYWORDS, out).writeStrings(m.values());
      case FieldPredicate.MatchAnyIntegers m -> tagged(P_ANY_INTEGERS, out).writeLongs(m.values());
      case FieldPredicate.MatchExceptKeywords m ->
          tagged(P_EXCEPT_KEYWORDS, out).writeStrings(m.values());
      case FieldPredicate.MatchExceptIntegers m ->
          tagged(P_EXCEPT_INTEGERS, out).writeLongs(m.values());
      case FieldPredicate.MatchText m -> tagged(P_TEXT, out).writeString(m.text());
      case FieldPredicate.MatchPhrase m -> tagged(P_PHRASE, out).writeString(m.phrase());
      case FieldPredicate.MatchTextAny m -> tagged(P_TEXT_ANY, out).writeString(m.textAny());
      case FieldPredicate.MatchPrefix m -> tagged(P_PREFIX, out).writeString(m.prefix());
      case FieldPredicate.IndexedText m -> writePredicate(m.source(), out);
      case FieldPredicate.NumberRange r -> {
        out.writeByte(P_NUMBER_RANGE);
        out.writeByte(mask(r.gt(), r.gte(), r.lt(), r.lte()));
        for (Double b : new Double[] {r.gt(), r.gte(), r.lt(), r.lte()}) {
          if (b != null) {
            out.writeDouble(b);
          }
        }
      }
      case FieldPredicate.DatetimeRange r -> {
        out.writeByte(P_DATETIME_RANGE);
        out.writeByte(mask(r.gt(), r.gte(), r.lt(), r.lte()));
        for (Long b : new Long[] {r.gt(), r.gte(), r.lt(), r.lte()}) {
          if (b != null) {
            out.writeLong(b);
          }
        }
      }
      case FieldPredicate.GeoBoundingBox g -> {
        out.writeByte(P_GEO_BOUNDING_BOX);
        writeGeoPoint(g.topLeft(), out);
        writeGeoPoint(g.bottomRight(), out);
      }
      case FieldPredicate.GeoRadius g -> {
        out.writeByte(P_GEO_RADIUS);
        writeGeoPoint(g.center(), out);
        out.writeDouble(g.radiusMeters());
      }
      case FieldPredicate.GeoPolygon g -> {
        out.writeByte(P_GEO_POLYGON);
        writeRing(g.exterior(), out);
        writeCount(g.interiors().size(), out);
        for (List<GeoPoint> ring : g.interiors()) {
          writeRing(ring, out);
        }
      }
      case FieldPredicate.ValuesCount v -> {
        out.writeByte(P_VALUES_COUNT);
        out.writeByte(mask(v.gt(), v.gte(), v.lt(), v.lte()));
        for (Integer b : new Integer[] {v.gt(), v.gte(), v.lt(), v.lte()}) {
          if (b != null) {
            out.writeInt(b);
          }
        }
      }
    }
  }

  /**
   * Writes a tag and returns a helper for the payload that follows, to keep the switch above short.
   */
  private static Writer tagged(byte tag, DataOutput out) throws IOException {
    out.writeByte(tag);
    return new Writer(out);
  }

  private record Writer(DataOutput out) {
    void writeString(String s) throws IOException {
      FilterCodec.writeString(s, out);
    }

    void writeStrings(Set<String> values) throws IOException {
      writeCount(values.size(), out);
      for (String s :
          values.stream().sorted().toList()) { // sorted: the bytes do not depend on set order
        FilterCodec.writeString(s, out);
      }
    }

    void writeLongs(long[] values) throws IOException {
      writeCount(values.length, out);
      for (long v : values) {
        out.writeLong(v);
      }
    }
  }

  private static int mask(Object gt, Object gte, Object lt, Object lte) {
    return (gt != null ? 1 : 0)
        | (gte != null ? 2 : 0)
        | (lt != null ? 4 : 0)
        | (lte != null ? 8 : 0);
  }

  private static void writeRing(List<GeoPoint> ring, DataOutput out) throws IOException {
    writeCount(ring.size(), out);
    for (GeoPoint p : ring) {
      writeGeoPoint(p, out);
    }
  }

  private static void writeGeoPoint(GeoPoint p, DataOutput out) throws IOException {
    out.writeDouble(p.lat());
    out.writeDouble(p.lon());
  }

  private static void writePath(JsonPath path, DataOutput out) throws IOException {
    writeString(path.firstKey(), out);
    writeCount(path.rest().size(), out);
    for (JsonPath.Step step : path.rest()) {
      switch (step) {
        case JsonPath.Key k -> {
          out.writeByte(0);
          writeString(k.name(), out);
        }
        case JsonPath.Index i -> {
          out.writeByte(1);
          out.writeInt(i.index());
        }
        case JsonPath.Wildcard w -> out.writeByte(2);
      }
    }
  }

  private static void writePointId(PointId id, DataOutput out) throws IOException {
    if (id.isUuid()) {
      out.writeByte(1);
      out.writeLong(id.uuid().getMostSignificantBits());
      out.writeLong(id.uuid().getLeastSignificantBits());
    } else {
      out.writeByte(0);
      out.writeLong(id.number());
    }
  }

  private static void writeCount(int count, DataOutput out) throws IOException {
    if (count > LIST_LENGTH_MAX) {
      throw new IllegalArgumentException(
          "filter list of " + count + " elements exceeds " + LIST_LENGTH_MAX);
    }
    out.writeInt(count);
  }

  private static void writeString(String s, DataOutput out) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > STRING_BYTES_MAX) {
      throw new IllegalArgumentException(
          "filter string of " + bytes.length + " bytes exceeds " + STRING_BYTES_MAX);
    }
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  // ---- read ----

  private static Filter readFilter(DataInput in, int depth) throws IOException {
    if (depth > DEPTH_MAX) {
      throw new IOException("corrupt filter: nested deeper than " + DEPTH_MAX);
    }
    List<Condition> must = readList(in, readCount(in), depth);
    int shouldCount = in.readInt();
    List<Condition> should =
        shouldCount == -1 ? null : readList(in, checkCount(shouldCount), depth);
    Condition.MinShould minShould =
        switch (in.readByte()) {
          case 0 -> null;
          case 1 -> new Condition.MinShould(readList(in, readCount(in), depth), in.readInt());
          default -> throw new IOException("corrupt filter: bad min_should marker");
        };
    List<Condition> mustNot = readList(in, readCount(in), depth);
    return new Filter(must, should, mustNot, minShould);
  }

  private static List<Condition> readList(DataInput in, int count, int depth) throws IOException {
    List<Condition> out = new ArrayList<>(Math.min(count, 1024));
    for (int i = 0; i < count; i++) {
      out.add(readCondition(in, depth));
    }
    return out;
  }

  private static Condition readCondition(DataInput in, int depth) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case TAG_FILTER -> readFilter(in, depth + 1);
      case TAG_FIELD -> new Condition.Field(readPath(in), readPredicate(in));
      case TAG_IS_EMPTY -> new Condition.IsEmpty(readPath(in));
      case TAG_IS_NULL -> new Condition.IsNull(readPath(in));
      case TAG_HAS_ID -> {
        int count = readCount(in);
        Set<PointId> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
          ids.add(readPointId(in));
        }
        yield new Condition.HasId(ids);
      }
      case TAG_HAS_VECTOR -> new Condition.HasVector(readString(in));
      case TAG_NESTED -> new Condition.Nested(readPath(in), readFilter(in, depth + 1));
      case TAG_SLICE -> new Condition.Slice(in.readInt(), in.readInt());
      case TAG_OWNED_BY ->
          new Condition.OwnedBy(readHashing(in.readByte()), in.readInt(), in.readInt());
      default -> throw new IOException("corrupt filter: unknown condition tag " + tag);
    };
  }

  private static io.quiver.storage.PointHashing readHashing(byte ordinal) throws IOException {
    io.quiver.storage.PointHashing[] all = io.quiver.storage.PointHashing.values();
    if (ordinal < 0 || ordinal >= all.length) {
      throw new IOException("corrupt filter: unknown point hashing " + ordinal);
    }
    return all[ordinal];
  }

  private static FieldPredicate readPredicate(DataInput in) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case P_MATCH_KEYWORD -> new FieldPredicate.MatchKeyword(readString(in));
      case P_MATCH_INTEGER -> new FieldPredicate.MatchInteger(in.readLong());
      case P_MATCH_BOOL -> new FieldPredicate.MatchBool(in.readBoolean());
      case P_ANY_KEYWORDS -> new FieldPredicate.MatchAnyKeywords(readStrings(in));
      case P_ANY_INTEGERS -> new FieldPredicate.MatchAnyIntegers(readLongs(in));
      case P_EXCEPT_KEYWORDS -> new FieldPredicate.MatchExceptKeywords(readStrings(in));
      case P_EXCEPT_INTEGERS -> new FieldPredicate.MatchExceptIntegers(readLongs(in));
      case P_TEXT -> new FieldPredicate.MatchText(readString(in));
      case P_PHRASE -> new FieldPredicate.MatchPhrase(readString(in));
      case P_TEXT_ANY -> new FieldPredicate.MatchTextAny(readString(in));
      case P_PREFIX -> new FieldPredicate.MatchPrefix(readString(in));
      case P_NUMBER_RANGE -> {
        int mask = readMask(in);
        yield new FieldPredicate.NumberRange(
            (mask & 1) != 0 ? in.readDouble() : null, (mask & 2) != 0 ? in.readDouble() : null,
            (mask & 4) != 0 ? in.readDouble() : null, (mask & 8) != 0 ? in.readDouble() : null);
      }
      case P_DATETIME_RANGE -> {
        int mask = readMask(in);
        yield new FieldPredicate.DatetimeRange(
            (mask & 1) != 0 ? in.readLong() : null, (mask & 2) != 0 ? in.readLong() : null,
            (mask & 4) != 0 ? in.readLong() : null, (mask & 8) != 0 ? in.readLong() : null);
      }
      case P_GEO_BOUNDING_BOX ->
          new FieldPredicate.GeoBoundingBox(readGeoPoint(in), readGeoPoint(in));
      case P_GEO_RADIUS -> new FieldPredicate.GeoRadius(readGeoPoint(in), in.readDouble());
      case P_GEO_POLYGON -> {
        List<GeoPoint> exterior = readRing(in);
        int count = readCount(in);
        List<List<GeoPoint>> interiors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          interiors.add(readRing(in));
        }
        yield new FieldPredicate.GeoPolygon(exterior, interiors);
      }
      case P_VALUES_COUNT -> {
        int mask = readMask(in);
        yield new FieldPredicate.ValuesCount(
            (mask & 1) != 0 ? in.readInt() : null, (mask & 2) != 0 ? in.readInt() : null,
            (mask & 4) != 0 ? in.readInt() : null, (mask & 8) != 0 ? in.readInt() : null);
      }
      default -> throw new IOException("corrupt filter: unknown field predicate tag " + tag);
    };
  }

  private static int readMask(DataInput in) throws IOException {
    int mask = in.readByte();
    if ((mask & ~0xF) != 0) {
      throw new IOException("corrupt filter: bad bounds mask " + mask);
    }
    return mask;
  }

  private static Set<String> readStrings(DataInput in) throws IOException {
    int count = readCount(in);
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < count; i++) {
      out.add(readString(in));
    }
    return out;
  }

  private static long[] readLongs(DataInput in) throws IOException {
    long[] out = new long[readCount(in)];
    for (int i = 0; i < out.length; i++) {
      out[i] = in.readLong();
    }
    return out;
  }

  private static List<GeoPoint> readRing(DataInput in) throws IOException {
    int count = readCount(in);
    List<GeoPoint> out = new ArrayList<>(Math.min(count, 1024));
    for (int i = 0; i < count; i++) {
      out.add(readGeoPoint(in));
    }
    return out;
  }

  private static GeoPoint readGeoPoint(DataInput in) throws IOException {
    return new GeoPoint(in.readDouble(), in.readDouble());
  }

  private static JsonPath readPath(DataInput in) throws IOException {
    String first = readString(in);
    int count = readCount(in);
    List<JsonPath.Step> steps = new ArrayList<>(Math.min(count, 64));
    for (int i = 0; i < count; i++) {
      byte kind = in.readByte();
      steps.add(
          switch (kind) {
            case 0 -> new JsonPath.Key(readString(in));
            case 1 -> new JsonPath.Index(in.readInt());
            case 2 -> new JsonPath.Wildcard();
            default -> throw new IOException("corrupt filter: unknown path step " + kind);
          });
    }
    return new JsonPath(first, steps);
  }

  private static PointId readPointId(DataInput in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case 0 -> PointId.of(in.readLong());
      case 1 -> PointId.of(new UUID(in.readLong(), in.readLong()));
      default -> throw new IOException("corrupt filter: unknown point id kind " + kind);
    };
  }

  private static int readCount(DataInput in) throws IOException {
    return checkCount(in.readInt());
  }

  private static int checkCount(int count) throws IOException {
    if (count < 0 || count > LIST_LENGTH_MAX) {
      throw new IOException("corrupt filter: list length " + count);
    }
    return count;
  }

  private static String readString(DataInput in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > STRING_BYTES_MAX) {
      throw new IOException("corrupt filter: string length " + length);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
