package io.quiver.storage.filter;

/**
 * Reads the date/time strings Qdrant accepts, in payloads and in {@code range} bounds, as
 * microseconds since the epoch (UTC), without allocating. The accepted forms are those of Qdrant's
 * {@code DateTimeWrapper::from_str} (lib/segment/src/types.rs, qdrant/qdrant#3529):
 *
 * <ul>
 *   <li>RFC 3339: {@code 2024-01-02T03:04:05[.fraction](Z|z|+HH:MM|-HH:MM)}, separator {@code T},
 *       {@code t} or a space;
 *   <li>an offset without a colon or without minutes: {@code 2024-01-02T03:04:05+0100}, {@code
 *       +01};
 *   <li>no zone at all, read as UTC: {@code 2024-01-02T03:04:05[.fraction]} ({@code T} or space),
 *       {@code 2024-01-02 03:04} and {@code 2024-01-02}.
 * </ul>
 *
 * Years have four digits; a leap second ({@code :60}) is not accepted. Fractions finer than a
 * microsecond are truncated, the precision of Qdrant's datetime payload index.
 */
public final class Datetimes {

  /** Returned by {@link #parseMicros} for text that is not a date/time. */
  public static final long INVALID = Long.MIN_VALUE;

  private Datetimes() {}

  /** Microseconds since 1970-01-01T00:00:00Z, or {@link #INVALID}. */
  public static long parseMicros(String s) {
    int n = s.length();
    if (n < 10
        || !digits(s, 0, 4)
        || s.charAt(4) != '-'
        || !digits(s, 5, 2)
        || s.charAt(7) != '-'
        || !digits(s, 8, 2)) {
      return INVALID;
    }
    int year = num(s, 0, 4);
    int month = num(s, 5, 2);
    int day = num(s, 8, 2);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return INVALID;
    }
    long dayMicros = daysFromCivil(year, month, day) * 86_400_000_000L;
    if (n == 10) {
      return dayMicros;
    }
    char sep = s.charAt(10);
    if ((sep != 'T' && sep != 't' && sep != ' ')
        || n < 16
        || !digits(s, 11, 2)
        || s.charAt(13) != ':'
        || !digits(s, 14, 2)) {
      return INVALID;
    }
    int hour = num(s, 11, 2);
    int minute = num(s, 14, 2);
    if (hour > 23 || minute > 59) {
      return INVALID;
    }
    long micros = dayMicros + (hour * 3600L + minute * 60L) * 1_000_000L;
    if (n == 16) {
      return sep == ' ' ? micros : INVALID; // only "%Y-%m-%d %H:%M"
    }
    if (s.charAt(16) != ':' || n < 19 || !digits(s, 17, 2)) {
      return INVALID;
    }
    int second = num(s, 17, 2);
    if (second > 59) {
      return INVALID;
    }
    micros += second * 1_000_000L;
    int i = 19;
    if (i < n && s.charAt(i) == '.') {
      int start = ++i;
      long fraction = 0;
      while (i < n && isDigit(s.charAt(i))) {
        if (i - start < 6) {
          fraction = fraction * 10 + (s.charAt(i) - '0');
        }
        i++;
      }
      if (i == start) {
        return INVALID;
      }
      for (int k = Math.min(i - start, 6); k < 6; k++) {
        fraction *= 10;
      }
      micros += fraction;
    }
    if (i == n) {
      return micros; // no zone: UTC
    }
    long offsetSeconds = offsetSeconds(s, i, sep);
    return offsetSeconds == INVALID ? INVALID : micros - offsetSeconds * 1_000_000L;
  }

  /** The zone suffix starting at {@code i}: Z, ±HH:MM, ±HHMM or ±HH; {@link #INVALID} otherwise. */
  private static long offsetSeconds(String s, int i, char sep) {
    int n = s.length();
    char c = s.charAt(i);
    if (c == 'Z' || c == 'z') {
      return i + 1 == n ? 0 : INVALID;
    }
    if ((c != '+' && c != '-') || !digits(s, i + 1, 2)) {
      return INVALID;
    }
    int hours = num(s, i + 1, 2);
    int minutes;
    int rest = n - (i + 3);
    if (rest == 0) {
      minutes = 0;
    } else if (rest == 3 && s.charAt(i + 3) == ':' && digits(s, i + 4, 2)) {
      minutes = num(s, i + 4, 2);
    } else if (rest == 2 && digits(s, i + 3, 2)) {
      minutes = num(s, i + 3, 2);
    } else {
      return INVALID;
    }
    if (hours > 23 || minutes > 59 || (sep == 't' && rest != 3)) {
      return INVALID; // a lowercase `t` is RFC 3339 only, whose offsets have a colon
    }
    long seconds = hours * 3600L + minutes * 60L;
    return c == '-' ? -seconds : seconds;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
  static long daysFromCivil(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yearOfEra = y - era * 400;
    long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097 + dayOfEra - 719_468;
  }

  private static int daysInMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static boolean digits(String s, int from, int count) {
    if (from + count > s.length()) {
      return false;
    }
    for (int i = from; i < from + count; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int num(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }
}
