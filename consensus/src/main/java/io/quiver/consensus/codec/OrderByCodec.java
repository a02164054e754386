package io.quiver.consensus.codec;

import io.quiver.storage.OrderBy;
import io.quiver.storage.OrderValue;
import io.quiver.storage.PointRecord;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of {@link OrderBy} in an ordered-scroll query and of the order values in its
 * reply.
 *
 * <pre>
 * order by:    key (UTF) | direction (0 asc, 1 desc) | has start (bool) | [order value]
 * order value: kind (0 integer, 1 double) | long or double
 * records:     the records as {@link PointCodec#writeRecords} | one order value per record
 * </pre>
 */
public final class OrderByCodec {

  private OrderByCodec() {}

  public static void writeOrderBy(OrderBy orderBy, DataOutput out) throws IOException {
    ScoringCodec.writeFacetKey(orderBy.key(), out);
    out.writeByte(orderBy.descending() ? 1 : 0);
    out.writeBoolean(orderBy.startFrom() != null);
    if (orderBy.startFrom() != null) {
      writeValue(orderBy.startFrom(), out);
    }
  }

  public static OrderBy readOrderBy(DataInput in) throws IOException {
    var key = ScoringCodec.readFacetKey(in);
    byte direction = in.readByte();
    if (direction != 0 && direction != 1) {
      throw new IOException("unknown order direction " + direction);
    }
    OrderValue start = in.readBoolean() ? readValue(in) : null;
    return new OrderBy(key, direction == 1 ? OrderBy.Direction.DESC : OrderBy.Direction.ASC, start);
  }

  public static void writeValue(OrderValue value, DataOutput out) throws IOException {
    if (value.isInteger()) {
      out.writeByte(0);
      out.writeLong(value.longValue());
    } else {
      out.writeByte(1);
      out.writeDouble(value.doubleValue());
    }
  }

  public static OrderValue readValue(DataInput in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case 0 -> OrderValue.of(in.readLong());
      case 1 -> OrderValue.of(in.readDouble());
      default -> throw new IOException("unknown order value kind " + kind);
    };
  }

  public static void writeOrderedRecords(List<PointRecord> records, DataOutput out)
      throws IOException {
    PointCodec.writeRecords(records, out);
    for (PointRecord r : records) {
      writeValue(r.orderValue(), out);
    }
  }

  public static List<PointRecord> readOrderedRecords(DataInput in) throws IOException {
    List<PointRecord> plain = PointCodec.readRecords(in);
    List<PointRecord> out = new ArrayList<>(plain.size());
    for (PointRecord r : plain) {
      out.add(
          new PointRecord(
              r.id(), r.version(), r.payload(), r.vectors(), readValue(in), r.sparse()));
    }
    return out;
  }
}
