package io.quiver.consensus.shard;

import io.quiver.consensus.codec.Envelope;
import io.quiver.consensus.codec.OrderByCodec;
import io.quiver.consensus.codec.PointCodec;
import io.quiver.consensus.codec.PointsOperationCodec;
import io.quiver.consensus.codec.ScoringCodec;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.UpdateMode;
import io.quiver.storage.UpsertCondition;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The wire and log format of shard groups: commands (in the log), queries, and replies.
 *
 * <pre>
 * command: magic "QSC1" | version (1, or 2 when needed) | type (1 upsert, 2 delete, 3 points operation,
 *          4 create field index, 5 delete field index, 6 update config, 7 read barrier,
 *          16 upsert with sparse vectors) | body
 *          upsert body (types 1 and 16): version 2: condition | points    condition: update mode (ordinal) | has filter | filter
 *                       version 1 (an unconditional upsert): points (type 16: each point followed by its sparse vectors)
 *          points operation: see PointsOperationCodec (version 2 adds update vectors' filter)
 * query:   magic "QSQ1" | version 1 | type (1 search, 2 retrieve, 3 count, 4 scroll,
 *          5 estimate count, 6 payload schema, 7 score, 8 facet, 9 ordered scroll, 20 info,
 *          24 sparse search, 25 sparse statistics) | body
 * (types were added, never changed: a log written before sparse vectors reads the same)
 * reply:   magic "QSR1" | version 1 | status (0 ok, 1 bad request) | body or error message
 * </pre>
 */
public final class ShardMessages {

  public static final int COMMAND_MAGIC = 0x51534331; // "QSC1"
  static final int QUERY_MAGIC = 0x51535131; // "QSQ1"
  static final int REPLY_MAGIC = 0x51535231; // "QSR1"
  static final int VERSION = 1;

  /**
   * The newest command version: 2, in which an upsert carries its condition and a vector update its
   * filter. A command that has neither is still written in version 1, so that a node of an earlier
   * build, during a rolling upgrade, applies every write it can (see {@link #commandVersion}).
   */
  static final int COMMAND_VERSION = 2;

  private static final int COMMAND_VERSION_OLDEST = 1;

  /** The oldest version that can hold {@code command}. */
  static int commandVersion(ShardCommand command) {
    return switch (command) {
      case ShardCommand.Upsert u -> upsertVersion(u.condition());
      case ShardCommand.Apply a ->
          a.operation() instanceof io.quiver.storage.PointsOperation.UpdateVectors v
                  && v.updateFilter() != null
              ? 2
              : 1;
      default -> 1;
    };
  }

  private static int upsertVersion(UpsertCondition condition) {
    return condition.isUnconditional() ? 1 : 2;
  }

  static final byte STATUS_OK = 0;
  static final byte STATUS_BAD_REQUEST = 1;

  /** A write of points the shard does not own (resharding): nothing was applied; route it again. */
  static final byte STATUS_MOVED = 2;

  private static final byte UPSERT = 1;
  private static final byte DELETE = 2;
  private static final byte POINTS_OPERATION = 3;
  private static final byte CREATE_FIELD_INDEX = 4;
  private static final byte DELETE_FIELD_INDEX = 5;
  private static final byte UPDATE_CONFIG = 6;
  private static final byte READ_BARRIER = 7;

  /** has ownership | hashing ordinal | shard | shards */
  private static final byte SET_OWNERSHIP = 8;

  private static final byte DROP_FOREIGN_POINTS = 9;
  private static final byte UPSERT_SPARSE = 16;
  private static final byte SPARSE_SEARCH = 24;
  private static final byte SPARSE_STATISTICS = 25;
  private static final byte SEARCH = 1;

  /**
   * The trailer of a search query asking for hits scored as similarities, and of its reply saying
   * they are.
   */
  private static final byte SIMILARITIES = 1;

  private static final byte RETRIEVE = 2;
  private static final byte COUNT = 3;
  private static final byte SCROLL = 4;
  private static final byte ESTIMATE_COUNT = 5;
  private static final byte PAYLOAD_SCHEMA = 6;
  private static final byte SCORE = 7;
  private static final byte FACET = 8;
  private static final byte SCROLL_ORDERED = 9;
  private static final byte INFO = 20;

  private ShardMessages() {}

  public static Message encode(ShardCommand command) {
    int version = commandVersion(command);
    return Envelope.message(
        COMMAND_MAGIC,
        version,
        out -> {
          switch (command) {
            case ShardCommand.Upsert u -> {
              boolean sparse = u.points().stream().anyMatch(p -> !p.sparse().isEmpty());
              out.writeByte(sparse ? UPSERT_SPARSE : UPSERT);
              if (version >= 2) {
                writeUpsertCondition(u.condition(), out);
              }
              if (sparse) {
                PointCodec.writePointsWithSparse(u.points(), out);
              } else {
                PointCodec.writePoints(u.points(), out);
              }
            }
            case ShardCommand.Delete d -> {
              out.writeByte(DELETE);
              PointCodec.writeIds(d.ids(), out);
            }
            case ShardCommand.Apply a -> {
              out.writeByte(POINTS_OPERATION);
              PointsOperationCodec.write(a.operation(), out, version);
            }
            case ShardCommand.CreateFieldIndex c -> {
              out.writeByte(CREATE_FIELD_INDEX);
              out.writeUTF(c.field());
              c.schema().write(out);
            }
            case ShardCommand.DeleteFieldIndex d -> {
              out.writeByte(DELETE_FIELD_INDEX);
              out.writeUTF(d.field());
            }
            case ShardCommand.UpdateConfig u -> {
              out.writeByte(UPDATE_CONFIG);
              io.quiver.storage.ShardConfigCodec.write(u.config(), out);
            }
            case ShardCommand.ReadBarrier b -> out.writeByte(READ_BARRIER);
            case ShardCommand.SetOwnership o -> {
              out.writeByte(SET_OWNERSHIP);
              out.writeBoolean(o.ownership() != null);
              if (o.ownership() != null) {
                out.writeByte(o.ownership().hashing().ordinal());
                out.writeInt(o.ownership().shard());
                out.writeInt(o.ownership().shards());
              }
            }
            case ShardCommand.DropForeignPoints d -> out.writeByte(DROP_FOREIGN_POINTS);
          }
        });
  }

  public static ShardCommand decodeCommand(ByteString content) throws IOException {
    Envelope.Opened opened =
        Envelope.open(content, COMMAND_MAGIC, COMMAND_VERSION_OLDEST, COMMAND_VERSION);
    DataInputStream in = opened.in();
    byte type = in.readByte();
    return switch (type) {
      case UPSERT, UPSERT_SPARSE -> {
        UpsertCondition condition =
            opened.version() >= 2 ? readUpsertCondition(in) : UpsertCondition.NONE;
        yield new ShardCommand.Upsert(
            type == UPSERT_SPARSE ? PointCodec.readPointsWithSparse(in) : PointCodec.readPoints(in),
            condition);
      }
      case DELETE -> new ShardCommand.Delete(PointCodec.readIds(in));
      case POINTS_OPERATION ->
          new ShardCommand.Apply(PointsOperationCodec.read(in, opened.version()));
      case CREATE_FIELD_INDEX ->
          new ShardCommand.CreateFieldIndex(
              in.readUTF(), io.quiver.storage.payloadindex.FieldIndexSchema.read(in));
      case DELETE_FIELD_INDEX -> new ShardCommand.DeleteFieldIndex(in.readUTF());
      case UPDATE_CONFIG ->
          new ShardCommand.UpdateConfig(io.quiver.storage.ShardConfigCodec.read(in));
      case READ_BARRIER -> new ShardCommand.ReadBarrier();
      case SET_OWNERSHIP -> {
        if (!in.readBoolean()) {
          yield new ShardCommand.SetOwnership(null);
        }
        int hashing = in.readByte();
        if (hashing < 0 || hashing >= io.quiver.storage.PointHashing.values().length) {
          throw new IOException("unknown point hashing " + hashing);
        }
        yield new ShardCommand.SetOwnership(
            new io.quiver.storage.ShardOwnership(
                io.quiver.storage.PointHashing.values()[hashing], in.readInt(), in.readInt()));
      }
      case DROP_FOREIGN_POINTS -> new ShardCommand.DropForeignPoints();
      default -> throw new IOException("unknown shard command type " + type);
    };
  }

  /**
   * An upsert entry from points already encoded by {@link #encodePoint}: the same bytes as {@code
   * encode(new ShardCommand.Upsert(points, condition))}, without encoding the points again.
   */
  static Message encodeUpsert(
      UpsertCondition condition, boolean withSparse, List<byte[]> encodedPoints) {
    int version = upsertVersion(condition);
    return Envelope.message(
        COMMAND_MAGIC,
        version,
        out -> {
          out.writeByte(withSparse ? UPSERT_SPARSE : UPSERT);
          if (version >= 2) {
            writeUpsertCondition(condition, out);
          }
          out.writeInt(encodedPoints.size());
          for (byte[] point : encodedPoints) {
            out.write(point);
          }
        });
  }

  /**
   * A point in its upsert-entry form, for {@link #encodeUpsert}: followed by its sparse vectors
   * when the entry is one {@code withSparse} (type 16).
   */
  static byte[] encodePoint(io.quiver.storage.Point point, boolean withSparse) {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
      java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
      PointCodec.writePoint(point, out);
      if (withSparse) {
        PointCodec.writeSparse(point.sparse(), out);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // writing to memory does not fail
    }
  }

  /** The bytes of an upsert entry besides its encoded points: header, condition, point count. */
  static int upsertEntryOverhead(UpsertCondition condition) {
    return encodeUpsert(condition, false, List.of()).getContent().size();
  }

  private static void writeUpsertCondition(UpsertCondition condition, java.io.DataOutput out)
      throws IOException {
    out.writeByte(condition.mode().ordinal());
    out.writeBoolean(condition.updateFilter() != null);
    if (condition.updateFilter() != null) {
      io.quiver.storage.filter.FilterCodec.write(condition.updateFilter(), out);
    }
  }

  private static UpsertCondition readUpsertCondition(DataInputStream in) throws IOException {
    int mode = in.readUnsignedByte();
    UpdateMode[] modes = UpdateMode.values();
    if (mode >= modes.length) {
      throw new IOException("unknown update mode " + mode);
    }
    io.quiver.storage.filter.Filter filter =
        in.readBoolean() ? io.quiver.storage.filter.FilterCodec.read(in) : null;
    return new UpsertCondition(modes[mode], filter);
  }

  public static Message encode(ShardQuery query) {
    return Envelope.message(
        QUERY_MAGIC,
        VERSION,
        out -> {
          switch (query) {
            case ShardQuery.Search s when s.request().isSparse() -> {
              SearchRequest r = s.request();
              out.writeByte(SPARSE_SEARCH);
              out.writeUTF(r.vectorName());
              PointCodec.writeSparseVector(r.sparseVector(), out);
              out.writeInt(r.limit());
              out.writeBoolean(r.withPayload());
              out.writeBoolean(r.withVector());
              out.writeBoolean(r.scoreThreshold() != null);
              if (r.scoreThreshold() != null) {
                out.writeFloat(r.scoreThreshold());
              }
              writeFilter(r.filter(), out);
            }
            case ShardQuery.SparseStatistics st -> {
              out.writeByte(SPARSE_STATISTICS);
              out.writeUTF(st.vectorName());
              out.writeInt(st.indices().length);
              for (int d : st.indices()) {
                out.writeInt(d);
              }
            }
            case ShardQuery.Search s -> {
              SearchRequest r = s.request();
              out.writeByte(SEARCH);
              out.writeUTF(r.vectorName());
              PointCodec.writeFloats(r.vector(), out);
              out.writeInt(r.limit());
              out.writeBoolean(r.withPayload());
              out.writeBoolean(r.withVector());
              out.writeBoolean(r.scoreThreshold() != null);
              if (r.scoreThreshold() != null) {
                out.writeFloat(r.scoreThreshold());
              }
              writeFilter(r.filter(), out);
              out.writeInt(r.hnswEf() == null ? -1 : r.hnswEf());
              out.writeBoolean(r.exact());
              writeQuantizationParams(r.quantization(), out);
              // A trailer older builds do not read: score the hits as similarities.
              out.writeByte(SIMILARITIES);
            }
            case ShardQuery.Retrieve r -> {
              out.writeByte(RETRIEVE);
              PointCodec.writeIds(r.ids(), out);
              out.writeBoolean(r.withPayload());
              out.writeBoolean(r.withVector());
            }
            case ShardQuery.Scroll s -> {
              out.writeByte(SCROLL);
              out.writeBoolean(s.offset() != null);
              if (s.offset() != null) {
                PointCodec.writeId(s.offset(), out);
              }
              out.writeInt(s.limit());
              writeFilter(s.filter(), out);
              out.writeBoolean(s.withPayload());
              out.writeBoolean(s.withVector());
            }
            case ShardQuery.ScrollOrdered s -> {
              out.writeByte(SCROLL_ORDERED);
              OrderByCodec.writeOrderBy(s.orderBy(), out);
              out.writeInt(s.limit());
              writeFilter(s.filter(), out);
              out.writeBoolean(s.withPayload());
              out.writeBoolean(s.withVector());
            }
            case ShardQuery.EstimateCount c -> {
              out.writeByte(ESTIMATE_COUNT);
              writeFilter(c.filter(), out);
            }
            case ShardQuery.PayloadSchema p -> out.writeByte(PAYLOAD_SCHEMA);
            case ShardQuery.Info i -> out.writeByte(INFO);
            case ShardQuery.Count c -> {
              out.writeByte(COUNT);
              writeFilter(c.filter(), out);
            }
            case ShardQuery.Score s -> {
              out.writeByte(SCORE);
              ScoringCodec.writeScoreRequest(s.request(), out);
              writeFilter(s.request().filter(), out);
            }
            case ShardQuery.Facet f -> {
              out.writeByte(FACET);
              ScoringCodec.writeFacetKey(f.key(), out);
              writeFilter(f.filter(), out);
            }
          }
        });
  }

  /**
   * Search {@code params.quantization}, after {@code exact}: present (boolean) [, ignore (boolean),
   * rescore (byte: -1 not given, 0, 1), oversampling (double, NaN not given)].
   */
  private static void writeQuantizationParams(
      io.quiver.storage.QuantizationSearchParams q, java.io.DataOutput out) throws IOException {
    out.writeBoolean(q != null);
    if (q != null) {
      out.writeBoolean(q.ignore());
      out.writeByte(q.rescore() == null ? -1 : q.rescore() ? 1 : 0);
      out.writeDouble(q.oversampling() == null ? Double.NaN : q.oversampling());
    }
  }

  private static io.quiver.storage.QuantizationSearchParams readQuantizationParams(
      DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    boolean ignore = in.readBoolean();
    int rescore = in.readByte();
    double oversampling = in.readDouble();
    return new io.quiver.storage.QuantizationSearchParams(
        ignore,
        rescore < 0 ? null : rescore == 1,
        Double.isNaN(oversampling) ? null : oversampling);
  }

  public static ShardQuery decodeQuery(ByteString content) throws IOException {
    DataInputStream in = Envelope.open(content, QUERY_MAGIC, VERSION);
    byte type = in.readByte();
    return switch (type) {
      case SEARCH -> {
        String name = in.readUTF();
        float[] vector = PointCodec.readFloats(in);
        int limit = in.readInt();
        boolean withPayload = in.readBoolean();
        boolean withVector = in.readBoolean();
        Float threshold = in.readBoolean() ? in.readFloat() : null;
        var filter = readFilter(in);
        int ef = in.readInt();
        boolean exact = in.readBoolean();
        var quantization = readQuantizationParams(in);
        yield new ShardQuery.Search(
            new SearchRequest(
                name,
                vector,
                limit,
                withPayload,
                withVector,
                threshold,
                filter,
                ef < 0 ? null : ef,
                exact,
                quantization),
            in.available() > 0 && in.readByte() == SIMILARITIES);
      }
      case SPARSE_SEARCH -> {
        String name = in.readUTF();
        var vector = PointCodec.readSparseVector(in);
        int limit = in.readInt();
        boolean withPayload = in.readBoolean();
        boolean withVector = in.readBoolean();
        Float threshold = in.readBoolean() ? in.readFloat() : null;
        // A sparse search scores by the dot product, the same as a similarity or as reported.
        yield new ShardQuery.Search(
            SearchRequest.sparse(
                name, vector, limit, withPayload, withVector, threshold, readFilter(in)),
            true);
      }
      case SPARSE_STATISTICS -> {
        String name = in.readUTF();
        int[] indices = new int[PointCodec.readCount(in)];
        for (int i = 0; i < indices.length; i++) {
          indices[i] = in.readInt();
        }
        yield new ShardQuery.SparseStatistics(name, indices);
      }
      case RETRIEVE ->
          new ShardQuery.Retrieve(PointCodec.readIds(in), in.readBoolean(), in.readBoolean());
      case COUNT -> new ShardQuery.Count(readFilter(in));
      case ESTIMATE_COUNT -> new ShardQuery.EstimateCount(readFilter(in));
      case PAYLOAD_SCHEMA -> new ShardQuery.PayloadSchema();
      case INFO -> new ShardQuery.Info();
      case SCROLL ->
          new ShardQuery.Scroll(
              in.readBoolean() ? PointCodec.readId(in) : null,
              in.readInt(),
              readFilter(in),
              in.readBoolean(),
              in.readBoolean());
      case SCROLL_ORDERED ->
          new ShardQuery.ScrollOrdered(
              OrderByCodec.readOrderBy(in),
              in.readInt(),
              readFilter(in),
              in.readBoolean(),
              in.readBoolean());
      case SCORE ->
          new ShardQuery.Score(ScoringCodec.readScoreRequest(in, ShardMessages::readFilter));
      case FACET -> new ShardQuery.Facet(ScoringCodec.readFacetKey(in), readFilter(in));
      default -> throw new IOException("unknown shard query type " + type);
    };
  }

  private static void writeFilter(io.quiver.storage.filter.Filter filter, java.io.DataOutput out)
      throws IOException {
    out.writeBoolean(filter != null);
    if (filter != null) {
      io.quiver.storage.filter.FilterCodec.write(filter, out);
    }
  }

  private static io.quiver.storage.filter.Filter readFilter(java.io.DataInput in)
      throws IOException {
    return in.readBoolean() ? io.quiver.storage.filter.FilterCodec.read(in) : null;
  }

  /**
   * The info reply: points (long), segments (int), indexed vectors (long), optimizing (boolean),
   * update queue (long; absent from the replies of older builds, read as 0).
   */
  static Message okInfo(io.quiver.storage.ShardInfo info) {
    return ok(
        out -> {
          out.writeLong(info.points());
          out.writeInt(info.segments());
          out.writeLong(info.indexedVectors());
          out.writeBoolean(info.optimizing());
          out.writeLong(info.updateQueue());
        });
  }

  static io.quiver.storage.ShardInfo readInfo(DataInputStream in) throws IOException {
    long points = in.readLong();
    int segments = in.readInt();
    long indexed = in.readLong();
    boolean optimizing = in.readBoolean();
    return new io.quiver.storage.ShardInfo(
        points, segments, indexed, optimizing, in.available() >= Long.BYTES ? in.readLong() : 0);
  }

  /** The sparse statistics reply: count, then the longs. */
  static Message okLongs(long[] values) {
    return ok(
        out -> {
          out.writeInt(values.length);
          for (long v : values) {
            out.writeLong(v);
          }
        });
  }

  static long[] readLongs(DataInputStream in) throws IOException {
    long[] values = new long[PointCodec.readCount(in)];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readLong();
    }
    return values;
  }

  static Message okIndex(long index) {
    return ok(out -> out.writeLong(index));
  }

  /** The payload schema reply: count, then per field its name, schema and indexed point count. */
  static Message okPayloadSchema(
      java.util.Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo> schema) {
    return ok(
        out -> {
          out.writeInt(schema.size());
          for (var e : schema.entrySet()) {
            out.writeUTF(e.getKey());
            e.getValue().schema().write(out);
            out.writeInt(e.getValue().points());
          }
        });
  }

  static java.util.Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo>
      readPayloadSchema(DataInputStream in) throws IOException {
    int n = in.readInt();
    java.util.Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo> out =
        new java.util.LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String field = in.readUTF();
      var schema = io.quiver.storage.payloadindex.FieldIndexSchema.read(in);
      out.put(
          field, new io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo(schema, in.readInt()));
    }
    return out;
  }

  /** A reply with status ok and this body. */
  private static Message ok(Envelope.Body body) {
    return Envelope.message(
        REPLY_MAGIC,
        VERSION,
        out -> {
          out.writeByte(STATUS_OK);
          body.write(out);
        });
  }

  /**
   * The hits of a search scored as similarities: the scored list, then a trailer saying so (a reply
   * without it, from an older build, carries the scores Qdrant reports; see {@link
   * #readSearchHits}).
   */
  static Message okSimilarities(List<ScoredPoint> hits) {
    return ok(
        out -> {
          PointCodec.writeScored(hits, out);
          out.writeByte(SIMILARITIES);
        });
  }

  /**
   * Reads the hits of a search reply (positioned at its body) as similarities: an older build's
   * reply, without the trailer, carries the scores Qdrant reports, turned back by {@code scale}
   * (the searched vector's).
   */
  public static List<ScoredPoint> readSearchHits(
      DataInputStream in, java.util.function.Supplier<io.quiver.storage.ScoreScale> scale)
      throws IOException {
    List<ScoredPoint> hits = PointCodec.readScored(in);
    if (in.available() > 0 && in.readByte() == SIMILARITIES) {
      return hits;
    }
    io.quiver.storage.ScoreScale s = scale.get();
    return hits.stream().map(s::similarity).toList();
  }

  static Message okScored(List<ScoredPoint> hits) {
    return ok(out -> PointCodec.writeScored(hits, out));
  }

  static Message okRecords(List<PointRecord> records) {
    return ok(out -> PointCodec.writeRecords(records, out));
  }

  static Message okOrderedRecords(List<PointRecord> records) {
    return ok(out -> OrderByCodec.writeOrderedRecords(records, out));
  }

  static Message okFacet(java.util.Map<io.quiver.storage.scoring.FacetValue, Long> counts) {
    return ok(out -> ScoringCodec.writeFacetCounts(counts, out));
  }

  static Message moved(String message) {
    return Envelope.message(
        REPLY_MAGIC,
        VERSION,
        out -> {
          out.writeByte(STATUS_MOVED);
          out.writeUTF(message);
        });
  }

  static Message badRequest(String message) {
    return Envelope.message(
        REPLY_MAGIC,
        VERSION,
        out -> {
          out.writeByte(STATUS_BAD_REQUEST);
          out.writeUTF(message);
        });
  }

  /**
   * Opens a reply: returns the stream positioned at the body when the status is ok, throws {@link
   * io.quiver.storage.BadRequestException} with the state machine's message otherwise.
   */
  public static DataInputStream openReply(ByteString content) throws IOException {
    DataInputStream in = Envelope.open(content, REPLY_MAGIC, VERSION);
    byte status = in.readByte();
    if (status == STATUS_BAD_REQUEST) {
      throw new io.quiver.storage.BadRequestException(in.readUTF());
    }
    if (status == STATUS_MOVED) {
      throw new io.quiver.sharding.PointsMovedException(in.readUTF());
    }
    if (status != STATUS_OK) {
      throw new IOException("unknown reply status " + status);
    }
    return in;
  }
}
