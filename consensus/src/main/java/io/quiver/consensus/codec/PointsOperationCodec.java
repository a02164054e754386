package io.quiver.consensus.codec;

import io.quiver.storage.PayloadUpdate;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import io.quiver.storage.filter.FilterCodec;
import io.quiver.storage.filter.JsonPath;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The log form of a {@link PointsOperation}:
 *
 * <pre>
 * operation: kind (1 delete points, 2 update payload, 3 update vectors, 4 delete vectors,
 *            5 update vectors with sparse ones) | body
 * update vectors: n | n x (id | vectors) | has filter | filter    (the filter since command version 2)
 * update vectors with sparse ones: n | n x (id | vectors | sparse vectors) | has filter | filter
 *                                  (kind 3 when no point has sparse vectors, so those keep their bytes)
 * delete vectors: selector | n | n x name
 * selector:  0 ids | ids     or     1 filter | filter
 * payload update: 1 set | payload | has key | key   2 overwrite | payload   3 delete keys | n | keys   4 clear
 * </pre>
 *
 * Key paths are written in their canonical text form.
 */
public final class PointsOperationCodec {

  private static final byte DELETE_POINTS = 1;
  private static final byte UPDATE_PAYLOAD = 2;
  private static final byte UPDATE_VECTORS = 3;
  private static final byte DELETE_VECTORS = 4;
  private static final byte UPDATE_VECTORS_SPARSE = 5;

  private static final byte BY_IDS = 0;
  private static final byte BY_FILTER = 1;

  private static final byte SET = 1;
  private static final byte OVERWRITE = 2;
  private static final byte DELETE_KEYS = 3;
  private static final byte CLEAR = 4;

  private PointsOperationCodec() {}

  /**
   * @param commandVersion the version of the shard command it goes into: 2 is needed for a vector
   *     update's filter
   */
  public static void write(PointsOperation operation, DataOutput out, int commandVersion)
      throws IOException {
    switch (operation) {
      case PointsOperation.DeletePoints d -> {
        out.writeByte(DELETE_POINTS);
        writeSelector(d.selector(), out);
      }
      case PointsOperation.UpdatePayload p -> {
        out.writeByte(UPDATE_PAYLOAD);
        writeSelector(p.selector(), out);
        writeUpdate(p.update(), out);
      }
      case PointsOperation.DeleteVectors d -> {
        out.writeByte(DELETE_VECTORS);
        writeSelector(d.selector(), out);
        out.writeInt(d.names().size());
        for (String name : d.names()) {
          out.writeUTF(name);
        }
      }
      case PointsOperation.UpdateVectors u
          when u.points().stream().anyMatch(pv -> !pv.sparse().isEmpty()) -> {
        out.writeByte(UPDATE_VECTORS_SPARSE);
        out.writeInt(u.points().size());
        for (PointsOperation.PointVectors pv : u.points()) {
          PointCodec.writeId(pv.id(), out);
          PointCodec.writeVectors(pv.vectors(), out);
          PointCodec.writeSparse(pv.sparse(), out);
        }
        out.writeBoolean(u.updateFilter() != null);
        if (u.updateFilter() != null) {
          FilterCodec.write(u.updateFilter(), out);
        }
      }
      case PointsOperation.UpdateVectors u -> {
        out.writeByte(UPDATE_VECTORS);
        out.writeInt(u.points().size());
        for (PointsOperation.PointVectors pv : u.points()) {
          PointCodec.writeId(pv.id(), out);
          PointCodec.writeVectors(pv.vectors(), out);
        }
        if (commandVersion >= 2) {
          out.writeBoolean(u.updateFilter() != null);
          if (u.updateFilter() != null) {
            FilterCodec.write(u.updateFilter(), out);
          }
        } else if (u.updateFilter() != null) {
          throw new IllegalArgumentException(
              "a vector update with a filter needs command version 2");
        }
      }
    }
  }

  /**
   * @param commandVersion the version of the shard command it is in ({@link
   *     io.quiver.consensus.shard.ShardMessages#COMMAND_VERSION} or older): version 1 has no update
   *     filter
   */
  public static PointsOperation read(DataInput in, int commandVersion) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case DELETE_POINTS -> new PointsOperation.DeletePoints(readSelector(in));
      case UPDATE_PAYLOAD -> new PointsOperation.UpdatePayload(readSelector(in), readUpdate(in));
      case UPDATE_VECTORS -> {
        int n = PointCodec.readCount(in);
        List<PointsOperation.PointVectors> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          points.add(
              new PointsOperation.PointVectors(PointCodec.readId(in), PointCodec.readVectors(in)));
        }
        boolean filtered = commandVersion >= 2 && in.readBoolean();
        yield new PointsOperation.UpdateVectors(points, filtered ? FilterCodec.read(in) : null);
      }
      case DELETE_VECTORS -> {
        PointSelector selector = readSelector(in);
        int n = PointCodec.readCount(in);
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          names.add(in.readUTF());
        }
        yield new PointsOperation.DeleteVectors(selector, names);
      }
      case UPDATE_VECTORS_SPARSE -> {
        int n = PointCodec.readCount(in);
        List<PointsOperation.PointVectors> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          points.add(
              new PointsOperation.PointVectors(
                  PointCodec.readId(in), PointCodec.readVectors(in), PointCodec.readSparse(in)));
        }
        yield new PointsOperation.UpdateVectors(
            points, in.readBoolean() ? FilterCodec.read(in) : null);
      }
      default -> throw new IOException("unknown points operation kind " + kind);
    };
  }

  private static void writeSelector(PointSelector selector, DataOutput out) throws IOException {
    switch (selector) {
      case PointSelector.Ids ids -> {
        out.writeByte(BY_IDS);
        PointCodec.writeIds(ids.ids(), out);
      }
      case PointSelector.ByFilter f -> {
        out.writeByte(BY_FILTER);
        FilterCodec.write(f.filter(), out);
      }
    }
  }

  private static PointSelector readSelector(DataInput in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case BY_IDS -> new PointSelector.Ids(PointCodec.readIds(in));
      case BY_FILTER -> new PointSelector.ByFilter(FilterCodec.read(in));
      default -> throw new IOException("unknown point selector kind " + kind);
    };
  }

  private static void writeUpdate(PayloadUpdate update, DataOutput out) throws IOException {
    switch (update) {
      case PayloadUpdate.Set s -> {
        out.writeByte(SET);
        PointCodec.writePayload(s.values(), out);
        out.writeBoolean(s.key() != null);
        if (s.key() != null) {
          out.writeUTF(s.key().toString());
        }
      }
      case PayloadUpdate.Overwrite o -> {
        out.writeByte(OVERWRITE);
        PointCodec.writePayload(o.payload(), out);
      }
      case PayloadUpdate.DeleteKeys d -> {
        out.writeByte(DELETE_KEYS);
        out.writeInt(d.keys().size());
        for (JsonPath key : d.keys()) {
          out.writeUTF(key.toString());
        }
      }
      case PayloadUpdate.Clear c -> out.writeByte(CLEAR);
    }
  }

  private static PayloadUpdate readUpdate(DataInput in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case SET ->
          new PayloadUpdate.Set(
              PointCodec.readPayload(in), in.readBoolean() ? path(in.readUTF()) : null);
      case OVERWRITE -> new PayloadUpdate.Overwrite(PointCodec.readPayload(in));
      case DELETE_KEYS -> {
        int n = PointCodec.readCount(in);
        List<JsonPath> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          keys.add(path(in.readUTF()));
        }
        yield new PayloadUpdate.DeleteKeys(keys);
      }
      case CLEAR -> new PayloadUpdate.Clear();
      default -> throw new IOException("unknown payload update kind " + kind);
    };
  }

  private static JsonPath path(String text) throws IOException {
    try {
      return JsonPath.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IOException("bad key path in log: " + text, e);
    }
  }
}
