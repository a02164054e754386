package io.quiver.consensus.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.consensus.shard.ShardCommand;
import io.quiver.consensus.shard.ShardMessages;
import io.quiver.storage.Payload;
import io.quiver.storage.PayloadUpdate;
import io.quiver.storage.PointId;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Goal: every points operation survives the log encoding unchanged. Oracle: record equality. */
class PointsOperationCodecTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static PointsOperation roundTrip(PointsOperation operation) throws Exception {
    var message = ShardMessages.encode(new ShardCommand.Apply(operation));
    return assertInstanceOf(
            ShardCommand.Apply.class, ShardMessages.decodeCommand(message.getContent()))
        .operation();
  }

  @Test
  void operationsRoundTrip() throws Exception {
    PointSelector ids =
        new PointSelector.Ids(
            List.of(
                PointId.of(3),
                PointId.of(UUID.fromString("00000000-0000-0000-0000-00000000000a"))));
    PointSelector filter =
        new PointSelector.ByFilter(
            Filter.allOf(
                new Condition.Field(
                    JsonPath.parse("a.b[].c"), new FieldPredicate.MatchKeyword("x"))));
    Payload payload = Payload.of(JSON.createObjectNode().put("k", 1));
    List<PointsOperation> operations =
        List.of(
            new PointsOperation.DeletePoints(ids),
            new PointsOperation.DeletePoints(filter),
            new PointsOperation.UpdatePayload(
                filter, new PayloadUpdate.Set(payload, JsonPath.parse("meta.inner[]"))),
            new PointsOperation.UpdatePayload(ids, new PayloadUpdate.Set(payload, null)),
            new PointsOperation.UpdatePayload(ids, new PayloadUpdate.Overwrite(Payload.EMPTY)),
            new PointsOperation.UpdatePayload(
                ids,
                new PayloadUpdate.DeleteKeys(List.of(JsonPath.parse("x.y"), JsonPath.of("z")))),
            new PointsOperation.UpdatePayload(filter, new PayloadUpdate.Clear()));
    for (PointsOperation op : operations) {
      assertEquals(op, roundTrip(op));
    }
    var vectors =
        new PointsOperation.UpdateVectors(
            List.of(
                new PointsOperation.PointVectors(
                    PointId.of(1), Map.of("img", new float[] {1, 2.5f}))));
    var decoded = (PointsOperation.UpdateVectors) roundTrip(vectors);
    assertEquals(PointId.of(1), decoded.points().getFirst().id());
    assertArrayEquals(new float[] {1, 2.5f}, decoded.points().getFirst().vectors().get("img"));
    assertEquals(null, decoded.updateFilter());
    var filtered =
        (PointsOperation.UpdateVectors)
            roundTrip(
                new PointsOperation.UpdateVectors(
                    vectors.points(), ((PointSelector.ByFilter) filter).filter()));
    assertEquals(((PointSelector.ByFilter) filter).filter(), filtered.updateFilter());
    assertEquals(
        1,
        ShardMessages.encode(new ShardCommand.Apply(vectors)).getContent().byteAt(4),
        "no filter: version 1");
  }

  /**
   * Vector deletion (kind 4) and a vector update with sparse vectors (kind 5) survive the log
   * encoding.
   */
  @Test
  void vectorDeletionsAndSparseUpdatesRoundTrip() throws Exception {
    PointSelector ids = new PointSelector.Ids(List.of(PointId.of(3), PointId.of(9)));
    Filter filter = Filter.allOf(new Condition.HasVector("img"));
    for (PointsOperation op :
        List.of(
            new PointsOperation.DeleteVectors(ids, List.of("img", "text")),
            new PointsOperation.DeleteVectors(
                new PointSelector.ByFilter(filter), List.of("text")))) {
      assertEquals(op, roundTrip(op));
    }
    var sparse = io.quiver.index.sparse.SparseVector.of(new int[] {7, 2}, new float[] {1.5f, -2});
    var update =
        new PointsOperation.UpdateVectors(
            List.of(
                new PointsOperation.PointVectors(
                    PointId.of(1), Map.of("img", new float[] {1, 2}), Map.of("text", sparse)),
                new PointsOperation.PointVectors(PointId.of(2), Map.of(), Map.of("text", sparse))),
            filter);
    var decoded = (PointsOperation.UpdateVectors) roundTrip(update);
    assertEquals(filter, decoded.updateFilter());
    assertEquals(Map.of("text", sparse), decoded.points().get(0).sparse());
    assertArrayEquals(new float[] {1, 2}, decoded.points().get(0).vectors().get("img"));
    assertEquals(Map.of(), decoded.points().get(1).vectors());
    assertEquals(Map.of("text", sparse), decoded.points().get(1).sparse());
    var restricted = update.restrictedTo(List.of(PointId.of(2)));
    assertEquals(
        List.of(PointId.of(2)),
        ((PointsOperation.UpdateVectors) restricted)
            .points().stream().map(PointsOperation.PointVectors::id).toList());
  }

  /**
   * A vector update as the previous build wrote it (command version 1: no filter) is still read.
   */
  @Test
  void version1VectorUpdatesAreRead() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    out.writeInt(ShardMessages.COMMAND_MAGIC);
    out.writeByte(1); // version
    out.writeByte(3); // points operation
    out.writeByte(3); // update vectors
    out.writeInt(1);
    PointCodec.writeId(PointId.of(4), out);
    PointCodec.writeVectors(Map.of("", new float[] {3, 4}), out);
    var apply =
        assertInstanceOf(
            ShardCommand.Apply.class,
            ShardMessages.decodeCommand(
                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                    bytes.toByteArray())));
    var decoded = assertInstanceOf(PointsOperation.UpdateVectors.class, apply.operation());
    assertEquals(PointId.of(4), decoded.points().getFirst().id());
    assertEquals(null, decoded.updateFilter());
  }
}
