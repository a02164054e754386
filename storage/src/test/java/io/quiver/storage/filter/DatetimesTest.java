package io.quiver.storage.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DatetimesTest {

  private static long micros(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  @Test
  void acceptsQdrantsFormats() {
    assertEquals(micros("2014-01-01T00:00:00Z"), Datetimes.parseMicros("2014-01-01"));
    assertEquals(micros("2014-01-01T10:20:00Z"), Datetimes.parseMicros("2014-01-01 10:20"));
    assertEquals(micros("2014-01-01T10:20:30Z"), Datetimes.parseMicros("2014-01-01T10:20:30"));
    assertEquals(
        micros("2014-01-01T10:20:30.123456Z"),
        Datetimes.parseMicros("2014-01-01 10:20:30.123456789"));
    assertEquals(micros("2014-01-01T10:20:30Z"), Datetimes.parseMicros("2014-01-01T10:20:30Z"));
    assertEquals(micros("2014-01-01T10:20:30Z"), Datetimes.parseMicros("2014-01-01t10:20:30z"));
    assertEquals(
        micros("2014-01-01T09:20:30Z"), Datetimes.parseMicros("2014-01-01T10:20:30+01:00"));
    assertEquals(micros("2014-01-01T11:50:30Z"), Datetimes.parseMicros("2014-01-01T10:20:30-0130"));
    assertEquals(micros("2014-01-01T08:20:30Z"), Datetimes.parseMicros("2014-01-01 10:20:30+02"));
    assertEquals(
        micros("1969-12-31T23:59:59.500Z"), Datetimes.parseMicros("1969-12-31T23:59:59.5Z"));
    assertEquals(micros("2024-02-29T00:00:00Z"), Datetimes.parseMicros("2024-02-29"));
  }

  @Test
  void rejectsEverythingElse() {
    for (String bad :
        new String[] {
          "",
          "2014",
          "2014-1-01",
          "2014-01-01T10:20",
          "2014-01-01T10:20:30.",
          "2014-13-01",
          "2023-02-29",
          "2014-01-32",
          "2014-01-01T24:00:00",
          "2014-01-01T10:60:00",
          "2014-01-01T10:20:60",
          "2014-01-01T10:20:30+1",
          "2014-01-01T10:20:30+01:",
          "2014-01-01t10:20:30+0100",
          "2014-01-01T10:20:30 Z",
          "2014-01-01X10:20:30",
          "2014-01-01 10:20+01:00",
          "tomorrow",
          "2014-01-01T10:20:30Zjunk"
        }) {
      assertEquals(Datetimes.INVALID, Datetimes.parseMicros(bad), bad);
    }
  }

  /** Goal: the day arithmetic is right over many centuries. Oracle: java.time's epoch day. */
  @Test
  void daysFromCivilAgreesWithJavaTime() throws Exception {
    Seeds.run(
        "daysFromCivilAgreesWithJavaTime",
        (Random random) -> {
          for (int i = 0; i < 100_000; i++) {
            java.time.LocalDate d =
                java.time.LocalDate.ofEpochDay(random.nextInt(3_000_000) - 719_528);
            assertEquals(
                d.toEpochDay(),
                Datetimes.daysFromCivil(d.getYear(), d.getMonthValue(), d.getDayOfMonth()),
                d::toString);
          }
        });
  }
}
