package io.quiver.consensus.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.index.vector.Distance;
import io.quiver.storage.SparseVectorParams;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: a named vector created (dense, sparse, multivector, with datatypes) or deleted survives the
 * meta log encoding. Oracle: record equality.
 */
class ChangeVectorNameMessageTest {

  private static MetaCommand roundTrip(MetaCommand command) throws Exception {
    return MetaMessages.decodeCommand(MetaMessages.encode(command).getContent());
  }

  @Test
  void createAndDeleteRoundTrip() throws Exception {
    var dense =
        new MetaCommand.ChangeVectorName(
            "c",
            "img",
            new VectorsConfig(Map.of("img", new VectorParams(8, Distance.COSINE, false))));
    var sparse =
        new MetaCommand.ChangeVectorName(
            "c",
            "text",
            new VectorsConfig(
                Map.of(),
                Map.of(
                    "text",
                    new SparseVectorParams(
                        false, null, null, null, SparseVectorParams.Modifier.IDF))));
    var drop = new MetaCommand.ChangeVectorName("c", "img", null);
    var multi =
        new MetaCommand.ChangeVectorName(
            "c",
            "colbert",
            new VectorsConfig(
                Map.of(),
                Map.of(),
                Map.of(
                    "colbert",
                    new io.quiver.storage.MultiVectorParams(
                        new VectorParams(
                            4,
                            Distance.DOT,
                            false,
                            null,
                            null,
                            io.quiver.index.vector.VectorDatatype.UINT8),
                        io.quiver.storage.MultiVectorParams.Comparator.MAX_SIM))));
    var narrowSparse =
        new MetaCommand.ChangeVectorName(
            "c",
            "bm25",
            new VectorsConfig(
                Map.of(),
                Map.of("bm25", new SparseVectorParams(true, null, null, "float16", null))));
    for (MetaCommand command : new MetaCommand[] {dense, sparse, drop, multi, narrowSparse}) {
      assertEquals(command, roundTrip(command));
    }
  }
}
