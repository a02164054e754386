package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.index.vector.Distance;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Write -> read -> equal for every version the writer picks, and the marker each one starts with.
 */
class VectorsConfigCodecTest {

  private static final VectorParams DENSE =
      new VectorParams(4, Distance.DOT, false, new HnswConfig(8, 32, 10, true));
  private static final MultiVectorParams MULTI =
      new MultiVectorParams(
          new VectorParams(128, Distance.COSINE, true, new HnswConfig(16, 64, 20, false)),
          MultiVectorParams.Comparator.MAX_SIM);

  @Test
  void eachVersionRoundTripsWithItsMarker() throws IOException {
    VectorsConfig dense = new VectorsConfig(Map.of("d", DENSE));
    VectorsConfig sparse =
        new VectorsConfig(Map.of("d", DENSE), Map.of("s", SparseVectorParams.DEFAULT));
    VectorsConfig multi =
        new VectorsConfig(
            Map.of("d", DENSE), Map.of("s", SparseVectorParams.DEFAULT), Map.of("m", MULTI));
    VectorsConfig multiOnly =
        new VectorsConfig(Map.of(), Map.of(), Map.of(VectorsConfig.DEFAULT, MULTI));
    assertEquals(-2, marker(dense));
    assertEquals(-5, marker(sparse));
    assertEquals(-6, marker(multi));
    assertEquals(-6, marker(multiOnly));
    for (VectorsConfig c : new VectorsConfig[] {dense, sparse, multi, multiOnly}) {
      assertEquals(c, roundTrip(c));
    }
  }

  @Test
  void aShardConfigKeepsItsMultivectors() throws IOException {
    ShardConfig config =
        new ShardConfig(
            new VectorsConfig(
                Map.of("d", DENSE), Map.of("s", SparseVectorParams.DEFAULT), Map.of("m", MULTI)),
            HnswConfig.DEFAULT,
            OptimizersConfig.DEFAULT);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ShardConfigCodec.write(config, new DataOutputStream(out));
    assertEquals(
        config,
        ShardConfigCodec.read(new DataInputStream(new ByteArrayInputStream(out.toByteArray()))));
  }

  /**
   * Version 5 carries dense datatypes (float32 too, when given: it is reported back as given);
   * through a shard config with per-vector quantization as well, which must not drop them.
   */
  @Test
  void datatypesRoundTripInVersion5() throws IOException {
    VectorParams half =
        new VectorParams(
            4, Distance.COSINE, false, null, null, io.quiver.index.vector.VectorDatatype.FLOAT16);
    VectorParams bytes =
        new VectorParams(
            8,
            Distance.EUCLID,
            true,
            null,
            new QuantizationConfig.Scalar(null, null),
            io.quiver.index.vector.VectorDatatype.UINT8);
    VectorParams given32 =
        new VectorParams(
            2, Distance.DOT, false, null, null, io.quiver.index.vector.VectorDatatype.FLOAT32);
    VectorsConfig config =
        new VectorsConfig(
            new java.util.LinkedHashMap<>(Map.of("h", half, "b", bytes, "f", given32, "d", DENSE)),
            Map.of("s", SparseVectorParams.DEFAULT),
            Map.of("m", MULTI));
    assertEquals(-7, marker(config));
    VectorsConfig read = roundTrip(config);
    assertEquals(io.quiver.index.vector.VectorDatatype.FLOAT16, read.get("h").datatype());
    assertEquals(io.quiver.index.vector.VectorDatatype.UINT8, read.get("b").datatype());
    assertEquals(io.quiver.index.vector.VectorDatatype.FLOAT32, read.get("f").datatype());
    assertEquals(null, read.get("d").datatype());
    assertEquals(
        -2,
        marker(new VectorsConfig(Map.of("d", DENSE))),
        "configs without datatypes keep their bytes");
    ShardConfig shard = new ShardConfig(config, HnswConfig.DEFAULT, OptimizersConfig.DEFAULT);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ShardConfigCodec.write(shard, new DataOutputStream(out));
    ShardConfig back =
        ShardConfigCodec.read(new DataInputStream(new ByteArrayInputStream(out.toByteArray())));
    assertEquals(shard, back);
    assertEquals(io.quiver.index.vector.VectorDatatype.UINT8, back.vectors().get("b").datatype());
  }

  /**
   * Version 6 carries multivector datatypes after version 5's; sparse datatypes travel in the
   * sparse fields (version 3) as their names.
   */
  @Test
  void multivectorAndSparseDatatypesRoundTripInVersion6() throws IOException {
    MultiVectorParams half =
        new MultiVectorParams(
            new VectorParams(
                4,
                Distance.COSINE,
                false,
                null,
                null,
                io.quiver.index.vector.VectorDatatype.FLOAT16),
            MultiVectorParams.Comparator.MAX_SIM);
    MultiVectorParams bytes =
        new MultiVectorParams(
            new VectorParams(
                4, Distance.DOT, false, null, null, io.quiver.index.vector.VectorDatatype.UINT8),
            MultiVectorParams.Comparator.MAX_SIM);
    VectorsConfig config =
        new VectorsConfig(
            Map.of("d", DENSE),
            Map.of("s", new SparseVectorParams(true, null, null, "uint8", null)),
            new java.util.LinkedHashMap<>(Map.of("h", half, "b", bytes, "m", MULTI)));
    assertEquals(-8, marker(config));
    VectorsConfig read = roundTrip(config);
    assertEquals(config, read);
    assertEquals(
        io.quiver.index.vector.VectorDatatype.FLOAT16, read.getMulti("h").vector().datatype());
    assertEquals(
        io.quiver.index.vector.VectorDatatype.UINT8, read.getMulti("b").vector().datatype());
    assertEquals(null, read.getMulti("m").vector().datatype());
    assertEquals(io.quiver.index.vector.VectorDatatype.UINT8, read.getSparse("s").storedDatatype());
    assertEquals(
        -6,
        marker(new VectorsConfig(Map.of("d", DENSE), Map.of(), Map.of("m", MULTI))),
        "multivectors without datatypes keep their bytes");
  }

  @Test
  void aCorruptComparatorIsRefused() throws IOException {
    byte[] bytes = bytes(new VectorsConfig(Map.of(), Map.of(), Map.of("m", MULTI)));
    bytes[bytes.length - 1] = 7; // the comparator byte
    assertThrows(
        IOException.class,
        () -> VectorsConfigCodec.read(new DataInputStream(new ByteArrayInputStream(bytes))));
  }

  @Test
  void namesMustBeDisjoint() {
    assertThrows(
        BadRequestException.class,
        () -> new VectorsConfig(Map.of("m", DENSE), Map.of(), Map.of("m", MULTI)));
  }

  private static int marker(VectorsConfig c) throws IOException {
    return ByteBuffer.wrap(bytes(c)).getInt();
  }

  private static VectorsConfig roundTrip(VectorsConfig c) throws IOException {
    return VectorsConfigCodec.read(new DataInputStream(new ByteArrayInputStream(bytes(c))));
  }

  private static byte[] bytes(VectorsConfig c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    VectorsConfigCodec.write(c, new DataOutputStream(out));
    return out.toByteArray();
  }
}
