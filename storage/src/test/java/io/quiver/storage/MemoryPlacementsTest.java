package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.index.vector.Distance;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: Qdrant's {@code memory} placements survive the shard config's binary form (meta log, shard
 * log, shard metadata), and configs without any keep their old bytes (marker -4), which still
 * decode. Oracle: the config written.
 */
class MemoryPlacementsTest {

  private static final HnswConfig PINNED_GRAPH = new HnswConfig(8, 32, 10, false, Memory.PINNED);

  @Test
  void everyPlacementRoundTripsWithMarker9() throws IOException {
    Map<String, VectorParams> dense = new LinkedHashMap<>();
    dense.put("cold", new VectorParams(4, Distance.DOT, false, null, null, null, Memory.COLD));
    dense.put(
        "cached",
        new VectorParams(
            4,
            Distance.EUCLID,
            true,
            PINNED_GRAPH,
            new QuantizationConfig.Scalar(0.99f, true, Memory.CACHED),
            io.quiver.index.vector.VectorDatatype.FLOAT16,
            Memory.CACHED));
    dense.put("none", new VectorParams(4, Distance.DOT, false));
    dense.put(
        "graphOnly",
        new VectorParams(4, Distance.DOT, true, new HnswConfig(16, 64, 0, true, Memory.COLD)));
    MultiVectorParams multi =
        new MultiVectorParams(
            new VectorParams(4, Distance.COSINE, false, PINNED_GRAPH, null, null, Memory.CACHED),
            MultiVectorParams.Comparator.MAX_SIM);
    Map<String, SparseVectorParams> sparse =
        Map.of(
            "s",
            new SparseVectorParams(true, 10L, true, null, null, Memory.PINNED),
            "t",
            SparseVectorParams.DEFAULT);
    ShardConfig config =
        new ShardConfig(
            new VectorsConfig(dense, sparse, Map.of("m", multi)),
            new HnswConfig(16, 100, 10_000, true, Memory.CACHED),
            OptimizersConfig.DEFAULT,
            new QuantizationConfig.Binary(false, null, null, Memory.PINNED),
            Memory.CACHED);
    byte[] bytes = bytes(config);
    assertEquals(-9, ByteBuffer.wrap(bytes).getInt());
    ShardConfig back = read(bytes);
    assertEquals(config, back);
    assertEquals(Memory.CACHED, back.vectors().get("cached").placement());
    assertEquals(Memory.PINNED, back.hnswOf("cached").placement());
    assertEquals(Memory.CACHED, back.quantizationOf("cached").memory());
    assertEquals(Memory.PINNED, back.quantizationOf("none").memory());
    assertEquals(Memory.CACHED, back.vectors().getMulti("m").vector().memory());
    assertEquals(Memory.PINNED, back.vectors().getSparse("s").memory());
    assertEquals(Memory.CACHED, back.payloadMemory());
  }

  /**
   * Without placements the writer keeps the -4 form; it decodes with every placement absent (the
   * defaults).
   */
  @Test
  void configsWithoutPlacementsKeepTheirBytes() throws IOException {
    ShardConfig config =
        new ShardConfig(
            new VectorsConfig(
                Map.of(
                    "d",
                    new VectorParams(4, Distance.DOT, true, new HnswConfig(8, 32, 10, false)))),
            HnswConfig.DEFAULT,
            OptimizersConfig.DEFAULT,
            new QuantizationConfig.Scalar(null, false));
    byte[] bytes = bytes(config);
    assertEquals(-4, ByteBuffer.wrap(bytes).getInt());
    ShardConfig back = read(bytes);
    assertEquals(config, back);
    assertEquals(Memory.COLD, back.vectors().get("d").placement(), "on_disk: true is cold");
    assertEquals(Memory.CACHED, back.hnswOf("d").placement(), "hnsw on_disk: false is cached");
    assertNull(
        new VectorParams(4, Distance.DOT, false).placement(),
        "the default: vectors copied into memory at open");
  }

  @Test
  void aCorruptPlacementIsRefused() throws IOException {
    ShardConfig config =
        new ShardConfig(
            new VectorsConfig(Map.of("d", new VectorParams(4, Distance.DOT, false))),
            new HnswConfig(16, 100, 10_000, false, Memory.COLD),
            OptimizersConfig.DEFAULT);
    byte[] bytes = bytes(config);
    // the trailer: hnsw placement, quantization placement, payload placement, 0 vectors, 0 sparse
    int hnswPlacement = bytes.length - 11;
    assertEquals(Memory.COLD.ordinal(), bytes[hnswPlacement]);
    bytes[hnswPlacement] = 9;
    assertThrows(IOException.class, () -> read(bytes));
    bytes[hnswPlacement] = (byte) Memory.COLD.ordinal();
    bytes[hnswPlacement + 1] = 1; // a placement of the collection's quantization, which is absent
    assertThrows(IOException.class, () -> read(bytes));
  }

  /**
   * A payload index's placement is format version 3 of its schema; without one the bytes stay
   * version 1 or 2.
   */
  @Test
  void aPayloadIndexPlacementRoundTrips() throws IOException {
    var keyword = io.quiver.storage.payloadindex.FieldIndexSchema.keyword(true);
    var plain =
        io.quiver.storage.payloadindex.FieldIndexSchema.of(
            io.quiver.storage.payloadindex.PayloadSchemaType.INTEGER);
    for (var schema :
        new io.quiver.storage.payloadindex.FieldIndexSchema[] {
          keyword, plain, keyword.withMemory(Memory.PINNED), plain.withMemory(Memory.CACHED)
        }) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      schema.write(new DataOutputStream(out));
      byte[] written = out.toByteArray();
      assertEquals(schema.memory() != null ? 3 : schema == keyword ? 2 : 1, written[0]);
      assertEquals(
          schema,
          io.quiver.storage.payloadindex.FieldIndexSchema.read(
              new DataInputStream(new ByteArrayInputStream(written))));
    }
    assertEquals(
        true,
        plain.withMemory(Memory.PINNED).explicitParams(),
        "a placement is reported in params");
    assertThrows(BadRequestException.class, () -> plain.withMemory(Memory.COLD));
  }

  private static byte[] bytes(ShardConfig c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ShardConfigCodec.write(c, new DataOutputStream(out));
    return out.toByteArray();
  }

  private static ShardConfig read(byte[] bytes) throws IOException {
    return ShardConfigCodec.read(new DataInputStream(new ByteArrayInputStream(bytes)));
  }
}
