package io.quiver.consensus.codec;

import io.quiver.sharding.StrictModeConfig;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A collection's strict mode in the meta log and its snapshots:
 *
 * <pre>
 * present (bool) | mask (int: bit i set = field i given) | the given fields in order:
 *   0 enabled (bool), 1 max_query_limit, 2 max_timeout (long), 3 unindexed_filtering_retrieve,
 *   4 unindexed_filtering_update (bool), 5 search_max_hnsw_ef (long), 6 search_allow_exact (bool),
 *   7 search_max_oversampling (double), 8 upsert_max_batchsize, 9 search_max_batchsize,
 *   10 max_points_count, 11 filter_max_conditions, 12 condition_max_size, 13 max_payload_index_count (long),
 *   14 multivector max_vectors, 15 sparse max_length (map: count | name | given (bool) | long),
 *   16 read_rate_limit, 17 write_rate_limit (long)
 * </pre>
 */
public final class StrictModeConfigCodec {

  private StrictModeConfigCodec() {}

  public static void write(StrictModeConfig c, DataOutput out) throws IOException {
    out.writeBoolean(c != null);
    if (c == null) {
      return;
    }
    Object[] fields = fields(c);
    int mask = 0;
    for (int i = 0; i < fields.length; i++) {
      if (fields[i] != null) {
        mask |= 1 << i;
      }
    }
    out.writeInt(mask);
    for (Object f : fields) {
      switch (f) {
        case null -> {}
        case Boolean b -> out.writeBoolean(b);
        case Long l -> out.writeLong(l);
        case Double d -> out.writeDouble(d);
        case Map<?, ?> m -> {
          out.writeInt(m.size());
          for (Map.Entry<?, ?> e : m.entrySet()) {
            out.writeUTF((String) e.getKey());
            out.writeBoolean(e.getValue() != null);
            if (e.getValue() != null) {
              out.writeLong((Long) e.getValue());
            }
          }
        }
        default ->
            throw new IllegalStateException(
                "no encoding for a strict mode field of " + f.getClass());
      }
    }
  }

  public static StrictModeConfig read(DataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    int mask = in.readInt();
    return new StrictModeConfig(
        bool(in, mask, 0),
        num(in, mask, 1),
        num(in, mask, 2),
        bool(in, mask, 3),
        bool(in, mask, 4),
        num(in, mask, 5),
        bool(in, mask, 6),
        (mask & (1 << 7)) != 0 ? in.readDouble() : null,
        num(in, mask, 8),
        num(in, mask, 9),
        num(in, mask, 10),
        num(in, mask, 11),
        num(in, mask, 12),
        num(in, mask, 13),
        map(in, mask, 14),
        map(in, mask, 15),
        num(in, mask, 16),
        num(in, mask, 17));
  }

  private static Object[] fields(StrictModeConfig c) {
    return new Object[] {
      c.enabled(),
      c.maxQueryLimit(),
      c.maxTimeout(),
      c.unindexedFilteringRetrieve(),
      c.unindexedFilteringUpdate(),
      c.searchMaxHnswEf(),
      c.searchAllowExact(),
      c.searchMaxOversampling(),
      c.upsertMaxBatchsize(),
      c.searchMaxBatchsize(),
      c.maxPointsCount(),
      c.filterMaxConditions(),
      c.conditionMaxSize(),
      c.maxPayloadIndexCount(),
      c.multivectorMaxVectors(),
      c.sparseMaxLength(),
      c.readRateLimit(),
      c.writeRateLimit()
    };
  }

  private static Boolean bool(DataInput in, int mask, int bit) throws IOException {
    return (mask & (1 << bit)) != 0 ? in.readBoolean() : null;
  }

  private static Long num(DataInput in, int mask, int bit) throws IOException {
    return (mask & (1 << bit)) != 0 ? in.readLong() : null;
  }

  private static Map<String, Long> map(DataInput in, int mask, int bit) throws IOException {
    if ((mask & (1 << bit)) == 0) {
      return null;
    }
    int n = PointCodec.readCount(in);
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      out.put(name, in.readBoolean() ? in.readLong() : null);
    }
    return out;
  }
}
