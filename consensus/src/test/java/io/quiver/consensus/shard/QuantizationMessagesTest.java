package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.index.vector.Distance;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.QuantizationSearchParams;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: quantization settings survive the log (a shard's config update, which carries the
 * collection's and each vector's quantization) and the wire (a search's {@code
 * params.quantization}) unchanged, for every variant and every optional field given or not. Oracle:
 * record equality.
 */
class QuantizationMessagesTest {

  private static final List<QuantizationConfig> CONFIGS =
      new ArrayList<>(
          Arrays.asList(
              null,
              new QuantizationConfig.Scalar(null, null),
              new QuantizationConfig.Scalar(0.99f, true),
              new QuantizationConfig.Product(QuantizationConfig.Compression.X64, false),
              new QuantizationConfig.Binary(false, null, null),
              new QuantizationConfig.Binary(
                  true, QuantizationConfig.BinaryQueryEncoding.BINARY, true),
              new QuantizationConfig.Binary(
                  true, QuantizationConfig.BinaryQueryEncoding.SCALAR4BITS, false),
              new QuantizationConfig.Turbo(null, null),
              new QuantizationConfig.Turbo(io.quiver.index.quant.TurboBits.BITS1_5, true),
              new QuantizationConfig.Turbo(io.quiver.index.quant.TurboBits.BITS4, false)));

  @Test
  void shardConfigsRoundTrip() throws Exception {
    for (QuantizationConfig collection : CONFIGS) {
      for (QuantizationConfig own : CONFIGS) {
        Map<String, VectorParams> vectors = new LinkedHashMap<>();
        vectors.put("a", new VectorParams(8, Distance.DOT, false, null, own));
        vectors.put(
            "b", new VectorParams(4, Distance.EUCLID, true, new HnswConfig(8, 50, 0, true), null));
        ShardConfig config =
            new ShardConfig(
                new VectorsConfig(vectors),
                HnswConfig.DEFAULT,
                OptimizersConfig.DEFAULT,
                collection);
        var update = new ShardCommand.UpdateConfig(config);
        assertEquals(
            update, ShardMessages.decodeCommand(ShardMessages.encode(update).getContent()));
      }
    }
  }

  @Test
  void searchParamsRoundTrip() throws Exception {
    List<QuantizationSearchParams> params =
        Arrays.asList(
            null,
            QuantizationSearchParams.DEFAULT,
            new QuantizationSearchParams(true, false, 2.5),
            new QuantizationSearchParams(false, true, null));
    for (QuantizationSearchParams p : params) {
      var search =
          new ShardQuery.Search(
              new SearchRequest("v", new float[] {1, 2}, 3, false, true, 0.5f, null, 64, false, p));
      var decoded =
          (ShardQuery.Search) ShardMessages.decodeQuery(ShardMessages.encode(search).getContent());
      assertEquals(p, decoded.request().quantization());
      assertArrayEquals(search.request().vector(), decoded.request().vector());
      assertEquals(64, decoded.request().hnswEf());
    }
  }
}
