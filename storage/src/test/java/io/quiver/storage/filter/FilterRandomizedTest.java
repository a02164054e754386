package io.quiver.storage.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FilterRandomizedTest {

  /**
   * Goal: the evaluator agrees with Qdrant's semantics on arbitrary payload shapes (nested objects,
   * arrays of arrays, nulls, mixed types) and arbitrary filter trees. Oracle: {@link Oracle}, a
   * naive list-collecting re-implementation over java.util maps. Also checks that both sides see a
   * healthy mix of matches and non-matches, so the agreement is not vacuous.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void evaluatorAgreesWithOracle() throws Exception {
    Seeds.run(
        "evaluatorAgreesWithOracle",
        random -> {
          RandomFilters gen = new RandomFilters(random);
          int matched = 0;
          int total = 0;
          for (int round = 0; round < 300; round++) {
            ObjectNode[] payloads = new ObjectNode[20];
            for (int i = 0; i < payloads.length; i++) {
              payloads[i] = gen.payload();
            }
            for (int f = 0; f < 20; f++) {
              Filter filter = gen.filter(3);
              for (ObjectNode tree : payloads) {
                PointId id = gen.id();
                Set<String> vectors = gen.vectors();
                @SuppressWarnings("unchecked")
                boolean expected =
                    Oracle.matches(
                        filter, id, (Map<String, Object>) Oracle.plain(tree), vectors, false);
                boolean actual = filter.matches(id, Payload.of(tree), vectors::contains);
                assertEquals(
                    expected,
                    actual,
                    () ->
                        "filter "
                            + filter
                            + "\npayload "
                            + tree
                            + "\nid "
                            + id
                            + " vectors "
                            + vectors);
                matched += actual ? 1 : 0;
                total++;
              }
            }
          }
          double share = matched / (double) total;
          // Far from 0 and 1, or the comparison above would prove little.
          assertEquals(true, share > 0.1 && share < 0.9, "share of matches " + share);
        });
  }

  /**
   * Goal: single field conditions agree with the oracle, predicate by predicate, on many more
   * payloads than the tree test reaches. Oracle: {@link Oracle}.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void fieldConditionsAgreeWithOracle() throws Exception {
    Seeds.run(
        "fieldConditionsAgreeWithOracle",
        random -> {
          RandomFilters gen = new RandomFilters(random);
          for (int i = 0; i < 100_000; i++) {
            ObjectNode tree = gen.payload();
            Filter filter = Filter.allOf(gen.condition(0));
            PointId id = gen.id();
            @SuppressWarnings("unchecked")
            boolean expected =
                Oracle.matches(
                    filter, id, (Map<String, Object>) Oracle.plain(tree), Set.of(), false);
            assertEquals(
                expected,
                filter.matches(id, Payload.of(tree), v -> false),
                () -> "filter " + filter + "\npayload " + tree);
          }
        });
  }

  /**
   * Goal: every filter survives encode → decode equal, and decodes to the same bytes again. Oracle:
   * record equality of the AST.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void codecRoundTripsRandomFilters() throws Exception {
    Seeds.run(
        "codecRoundTripsRandomFilters",
        random -> {
          RandomFilters gen = new RandomFilters(random);
          for (int i = 0; i < 5_000; i++) {
            Filter filter = gen.filter(4);
            byte[] bytes = encode(filter);
            Filter decoded = FilterCodec.read(new DataInputStream(new ByteArrayInputStream(bytes)));
            assertEquals(filter, decoded);
            assertEquals(
                java.util.HexFormat.of().formatHex(bytes),
                java.util.HexFormat.of().formatHex(encode(decoded)));
          }
        });
  }

  static byte[] encode(Filter filter) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FilterCodec.write(filter, new DataOutputStream(bytes));
    return bytes.toByteArray();
  }
}
