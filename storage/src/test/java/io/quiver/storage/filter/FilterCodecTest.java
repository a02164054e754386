package io.quiver.storage.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.storage.PointId;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FilterCodecTest {

  private static Filter decode(byte[] bytes) throws IOException {
    return FilterCodec.read(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  @Test
  void everyKindRoundTrips() throws Exception {
    List<GeoPoint> ring =
        List.of(new GeoPoint(0, 0), new GeoPoint(0, 1), new GeoPoint(1, 1), new GeoPoint(0, 0));
    JsonPath key = JsonPath.parse("a.\"b c\"[2][]");
    Filter filter =
        new Filter(
            List.of(
                new Condition.Field(key, new FieldPredicate.MatchKeyword("x\u00e9\ud83d\ude00")),
                new Condition.Field(key, new FieldPredicate.MatchInteger(Long.MIN_VALUE)),
                new Condition.Field(key, new FieldPredicate.MatchBool(false)),
                new Condition.Field(key, new FieldPredicate.MatchAnyKeywords(Set.of("a", "b"))),
                new Condition.Field(key, new FieldPredicate.MatchAnyIntegers(new long[] {3, 1, 3})),
                new Condition.Field(key, new FieldPredicate.MatchExceptKeywords(Set.of())),
                new Condition.Field(key, new FieldPredicate.MatchExceptIntegers(new long[] {-1})),
                new Condition.Field(key, new FieldPredicate.MatchText("t")),
                new Condition.Field(key, new FieldPredicate.MatchPhrase("p q")),
                new Condition.Field(key, new FieldPredicate.MatchTextAny("u v")),
                new Condition.Field(key, new FieldPredicate.MatchPrefix("pre")),
                new Condition.Field(key, new FieldPredicate.NumberRange(1.5, null, null, -0.0)),
                new Condition.Field(
                    key, new FieldPredicate.DatetimeRange(null, 5L, Long.MAX_VALUE, null)),
                new Condition.Field(
                    key,
                    new FieldPredicate.GeoBoundingBox(new GeoPoint(1, 2), new GeoPoint(-1, 3))),
                new Condition.Field(key, new FieldPredicate.GeoRadius(new GeoPoint(1, 2), 1e3)),
                new Condition.Field(key, new FieldPredicate.GeoPolygon(ring, List.of(ring, ring))),
                new Condition.Field(key, new FieldPredicate.ValuesCount(null, 0, 7, null))),
            List.of(),
            List.of(
                new Condition.IsEmpty(key),
                new Condition.IsNull(JsonPath.of("z")),
                new Condition.HasId(Set.of(PointId.of(-1L), PointId.of(new UUID(1, 2)))),
                new Condition.HasVector(""),
                new Condition.Slice(2, 5),
                new Condition.Nested(JsonPath.of("n"), Filter.anyOf(new Condition.HasVector("v")))),
            new Condition.MinShould(List.of(Filter.ALL), 1));
    assertEquals(filter, decode(FilterRandomizedTest.encode(filter)));
    assertEquals(Filter.ALL, decode(FilterRandomizedTest.encode(Filter.ALL)));
  }

  @Test
  void rejectsUnknownVersionAndTags() throws Exception {
    byte[] bytes =
        FilterRandomizedTest.encode(Filter.allOf(new Condition.IsEmpty(JsonPath.of("a"))));
    byte[] version = bytes.clone();
    version[0] = 2;
    assertThrows(IOException.class, () -> decode(version));
    byte[] tag = bytes.clone();
    tag[5] = 99; // first condition's tag: after version (1) and must count (4)
    assertThrows(IOException.class, () -> decode(tag));
  }

  @Test
  void rejectsTruncatedInput() throws Exception {
    byte[] bytes =
        FilterRandomizedTest.encode(
            Filter.allOf(
                new Condition.Field(
                    JsonPath.parse("a[].b"), new FieldPredicate.MatchKeyword("long enough"))));
    for (int length = 0; length < bytes.length; length++) {
      byte[] truncated = Arrays.copyOf(bytes, length);
      assertThrows(IOException.class, () -> decode(truncated), "length " + length);
    }
  }

  /**
   * Goal: no corruption of a valid encoding makes the reader hang, blow the stack or throw anything
   * but IOException.
   */
  @Test
  void corruptInputFailsCleanly() throws Exception {
    Seeds.run(
        "corruptInputFailsCleanly",
        (Random random) -> {
          RandomFilters gen = new RandomFilters(random);
          for (int i = 0; i < 3_000; i++) {
            byte[] bytes = FilterRandomizedTest.encode(gen.filter(3));
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
              bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
            try {
              decode(bytes); // a flip may well still decode to some valid filter
            } catch (IOException expected) {
              // EOFException included
            }
          }
        });
  }

  @Test
  void depthIsLimitedBothWays() throws Exception {
    Filter deep = Filter.ALL;
    for (int i = 0; i < FilterCodec.DEPTH_MAX - 1; i++) {
      deep = Filter.allOf(deep);
    }
    assertEquals(deep, decode(FilterRandomizedTest.encode(deep)));
    Filter tooDeep = Filter.allOf(deep);
    assertThrows(IllegalArgumentException.class, () -> FilterRandomizedTest.encode(tooDeep));
  }

  @Test
  void eofIsAnIoException() {
    assertThrows(EOFException.class, () -> decode(new byte[0]));
  }
}
