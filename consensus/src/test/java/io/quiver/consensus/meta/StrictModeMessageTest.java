package io.quiver.consensus.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.StrictModeConfig;
import io.quiver.storage.ShardConfigCodec;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Goal: a collection's strict mode survives the meta log encoding (every field, some unset, the
 * per-vector maps with an unset entry), and a version-1 create command, written before strict mode,
 * still decodes (without one). Oracle: record equality.
 */
class StrictModeMessageTest {

  private static final VectorsConfig VECTORS =
      VectorsConfig.single(new VectorParams(4, Distance.DOT, false));

  private static MetaCommand roundTrip(MetaCommand command) throws Exception {
    return MetaMessages.decodeCommand(MetaMessages.encode(command).getContent());
  }

  @Test
  void everyFieldRoundTrips() throws Exception {
    Map<String, Long> multi = new LinkedHashMap<>();
    multi.put("m", 3L);
    multi.put("unset", null);
    StrictModeConfig full =
        new StrictModeConfig(
            true,
            10L,
            2L,
            false,
            true,
            64L,
            false,
            1.5,
            100L,
            4L,
            1000L,
            8L,
            16L,
            3L,
            multi,
            Map.of("s", 7L),
            600L,
            60L);
    StrictModeConfig sparse =
        new StrictModeConfig(
            false, null, 5L, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null);
    for (StrictModeConfig strict : new StrictModeConfig[] {full, sparse, null}) {
      CollectionConfig config = new CollectionConfig(VECTORS, 2, 1, 1).withStrictMode(strict);
      assertEquals(
          new MetaCommand.CreateCollection("c", config),
          roundTrip(new MetaCommand.CreateCollection("c", config)));
      assertEquals(
          new MetaCommand.UpdateCollection("c", config),
          roundTrip(new MetaCommand.UpdateCollection("c", config)));
    }
  }

  @Test
  void aCommandWrittenBeforeStrictModeDecodes() throws Exception {
    CollectionConfig config = new CollectionConfig(VECTORS, 2, 1, 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MetaMessages.COMMAND_MAGIC);
    out.writeByte(1); // version 1: configs end with write_consistency_factor
    out.writeByte(2); // create collection
    out.writeUTF("old");
    ShardConfigCodec.write(config.shardConfig(), out);
    out.writeInt(2);
    out.writeInt(1);
    out.writeInt(1);
    MetaCommand decoded = MetaMessages.decodeCommand(ByteString.copyFrom(bytes.toByteArray()));
    assertEquals(
        new MetaCommand.CreateCollection("old", config, io.quiver.storage.PointHashing.MOD),
        decoded,
        "a create from an earlier build hashes by MOD");
    assertNull(((MetaCommand.CreateCollection) decoded).config().strictMode());
  }
}
