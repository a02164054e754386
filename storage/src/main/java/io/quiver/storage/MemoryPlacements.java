package io.quiver.storage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code memory} placements of a {@link ShardConfig} in binary form: the trailer of {@link
 * ShardConfigCodec}'s marker -9 (the format is described there). Kept apart from the vectors' codec
 * so that configs without placements keep their bytes.
 */
final class MemoryPlacements {

  private MemoryPlacements() {}

  /** True when some component of {@code config} has a placement given. */
  static boolean anyIn(ShardConfig config) {
    if (config.hnsw().memory() != null
        || config.quantization() != null && config.quantization().memory() != null
        || config.payloadMemory() != null) {
      return true;
    }
    for (VectorParams p : dense(config.vectors()).values()) {
      if (hasAny(p)) {
        return true;
      }
    }
    for (SparseVectorParams p : config.vectors().sparse().values()) {
      if (p.memory() != null) {
        return true;
      }
    }
    return false;
  }

  static void write(ShardConfig config, DataOutput out) throws IOException {
    write(config.hnsw().memory(), out);
    write(config.quantization() == null ? null : config.quantization().memory(), out);
    write(config.payloadMemory(), out);
    Map<String, VectorParams> placed = new LinkedHashMap<>();
    dense(config.vectors())
        .forEach(
            (name, p) -> {
              if (hasAny(p)) {
                placed.put(name, p);
              }
            });
    out.writeInt(placed.size());
    for (Map.Entry<String, VectorParams> e : placed.entrySet()) {
      VectorParams p = e.getValue();
      out.writeUTF(e.getKey());
      write(p.memory(), out);
      write(p.hnsw() == null ? null : p.hnsw().memory(), out);
      write(p.quantization() == null ? null : p.quantization().memory(), out);
    }
    Map<String, Memory> sparse = new LinkedHashMap<>();
    config
        .vectors()
        .sparse()
        .forEach(
            (name, p) -> {
              if (p.memory() != null) {
                sparse.put(name, p.memory());
              }
            });
    out.writeInt(sparse.size());
    for (Map.Entry<String, Memory> e : sparse.entrySet()) {
      out.writeUTF(e.getKey());
      write(e.getValue(), out);
    }
  }

  /** {@code config} (read without placements) with the placements that follow in {@code in}. */
  static ShardConfig read(ShardConfig config, DataInput in) throws IOException {
    try {
      HnswConfig hnsw = withMemory(config.hnsw(), read(in), "the collection's hnsw config");
      QuantizationConfig quantization =
          withMemory(config.quantization(), read(in), "the collection's quantization");
      Memory payload = read(in);
      Map<String, VectorParams> vectors = new LinkedHashMap<>(config.vectors().vectors());
      Map<String, MultiVectorParams> multi = new LinkedHashMap<>(config.vectors().multi());
      int count = in.readInt();
      if (count < 0 || count > vectors.size() + multi.size()) {
        throw new IOException("corrupt shard config: " + count + " vector placements");
      }
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        Memory own = read(in);
        Memory hnswMemory = read(in);
        Memory quantizationMemory = read(in);
        VectorParams p =
            vectors.containsKey(name)
                ? vectors.get(name)
                : multi.containsKey(name) ? multi.get(name).vector() : null;
        if (p == null) {
          throw new IOException("corrupt shard config: placement of unknown vector " + name);
        }
        p =
            p.withMemory(own)
                .withHnsw(withMemory(p.hnsw(), hnswMemory, "the hnsw config of vector " + name))
                .withQuantization(
                    withMemory(
                        p.quantization(),
                        quantizationMemory,
                        "the quantization of vector " + name));
        if (vectors.containsKey(name)) {
          vectors.put(name, p);
        } else {
          multi.put(name, new MultiVectorParams(p, multi.get(name).comparator()));
        }
      }
      Map<String, SparseVectorParams> sparse = new LinkedHashMap<>(config.vectors().sparse());
      int sparseCount = in.readInt();
      if (sparseCount < 0 || sparseCount > sparse.size()) {
        throw new IOException("corrupt shard config: " + sparseCount + " sparse vector placements");
      }
      for (int i = 0; i < sparseCount; i++) {
        String name = in.readUTF();
        Memory memory = read(in);
        SparseVectorParams p = sparse.get(name);
        if (p == null || memory == null) {
          throw new IOException("corrupt shard config: placement of sparse vector " + name);
        }
        sparse.put(name, p.withMemory(memory));
      }
      return new ShardConfig(
          new VectorsConfig(vectors, sparse, multi),
          hnsw,
          config.optimizers(),
          quantization,
          payload);
    } catch (BadRequestException | IllegalArgumentException e) {
      throw new IOException("corrupt shard config: " + e.getMessage());
    }
  }

  /** Dense vectors and multivectors by name (their names are distinct). */
  private static Map<String, VectorParams> dense(VectorsConfig vectors) {
    Map<String, VectorParams> all = new LinkedHashMap<>(vectors.vectors());
    vectors.multi().forEach((name, p) -> all.put(name, p.vector()));
    return all;
  }

  private static boolean hasAny(VectorParams p) {
    return p.memory() != null
        || p.hnsw() != null && p.hnsw().memory() != null
        || p.quantization() != null && p.quantization().memory() != null;
  }

  private static HnswConfig withMemory(HnswConfig h, Memory memory, String what)
      throws IOException {
    if (memory == null) {
      return h;
    }
    if (h == null) {
      throw new IOException("corrupt shard config: a placement of " + what + ", which is absent");
    }
    return new HnswConfig(h.m(), h.efConstruct(), h.fullScanThresholdKb(), h.onDisk(), memory);
  }

  private static QuantizationConfig withMemory(QuantizationConfig q, Memory memory, String what)
      throws IOException {
    if (memory == null) {
      return q;
    }
    if (q == null) {
      throw new IOException("corrupt shard config: a placement of " + what + ", which is absent");
    }
    return q.withMemory(memory);
  }

  private static void write(Memory memory, DataOutput out) throws IOException {
    out.writeByte(memory == null ? -1 : memory.ordinal());
  }

  private static Memory read(DataInput in) throws IOException {
    int b = in.readByte();
    if (b == -1) {
      return null;
    }
    if (b < 0 || b >= Memory.values().length) {
      throw new IOException("corrupt shard config: memory placement " + b);
    }
    return Memory.values()[b];
  }
}
