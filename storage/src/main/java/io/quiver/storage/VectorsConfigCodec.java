package io.quiver.storage;

import io.quiver.index.vector.Distance;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary form of a {@link VectorsConfig}, stored in a shard's metadata and in the cluster
 * metadata log. Layout: count (int), then per vector: name (UTF), size (int), distance ordinal
 * (byte), onDisk (boolean). Distance ordinals are part of the format: only append to {@link Distance}.
 */
public final class VectorsConfigCodec {

  private VectorsConfigCodec() {}

  public static void write(VectorsConfig config, DataOutput out) throws IOException {
    out.writeInt(config.vectors().size());
    for (Map.Entry<String, VectorParams> e : config.vectors().entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue().size());
      out.writeByte(e.getValue().distance().ordinal());
      out.writeBoolean(e.getValue().onDisk());
    }
  }

  public static VectorsConfig read(DataInput in) throws IOException {
    int count = in.readInt();
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
      vectors.put(name, new VectorParams(size, Distance.values()[distance], in.readBoolean()));
    }
    return new VectorsConfig(vectors);
  }
}
