package io.quiver.storage.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A payload key path in Qdrant's syntax: a first key, then any of {@code .key}, {@code ."quoted
 * key"}, {@code [n]} (one array element) and {@code []} (every array element), e.g. {@code
 * country.cities[].name}. A bare key is letters, digits, {@code _} and {@code -}; anything else
 * goes in double quotes.
 *
 * <p>Immutable and thread-safe. {@link #toString()} gives the canonical text, which {@link #parse}
 * reads back to an equal path — except for keys holding {@code "} or {@code \}, which Qdrant's
 * syntax cannot express (such paths can only be built in code).
 */
public record JsonPath(String firstKey, List<Step> rest) {

  /** One step after the first key. */
  public sealed interface Step {}

  /** {@code .name}: the member of an object. */
  public record Key(String name) implements Step {
    public Key {
      Objects.requireNonNull(name, "name");
    }
  }

  /** {@code [index]}: one element of an array. */
  public record Index(int index) implements Step {
    public Index {
      if (index < 0) {
        throw new IllegalArgumentException("negative array index " + index);
      }
    }
  }

  /** {@code []}: every element of an array. */
  public record Wildcard() implements Step {}

  private static final Wildcard WILDCARD = new Wildcard();

  public JsonPath {
    Objects.requireNonNull(firstKey, "firstKey");
    rest = List.copyOf(rest);
  }

  public static JsonPath of(String firstKey) {
    return new JsonPath(firstKey, List.of());
  }

  /**
   * Parses Qdrant's key syntax.
   *
   * @throws IllegalArgumentException with a message saying where the text is wrong
   */
  public static JsonPath parse(String text) {
    Objects.requireNonNull(text, "text");
    int[] pos = {0};
    String first = key(text, pos);
    List<Step> rest = new ArrayList<>();
    while (pos[0] < text.length()) {
      char c = text.charAt(pos[0]);
      if (c == '.') {
        pos[0]++;
        rest.add(new Key(key(text, pos)));
      } else if (c == '[') {
        rest.add(bracket(text, pos));
      } else {
        throw bad(text, pos[0], "expected `.`, `[` or the end");
      }
    }
    return new JsonPath(first, rest);
  }

  private static String key(String text, int[] pos) {
    int start = pos[0];
    if (start < text.length() && text.charAt(start) == '"') {
      int end = start + 1;
      while (end < text.length() && text.charAt(end) != '"') {
        if (text.charAt(end) == '\\') {
          throw bad(text, end, "a quoted key may not contain `\\`");
        }
        end++;
      }
      if (end == text.length()) {
        throw bad(text, start, "unterminated quoted key");
      }
      pos[0] = end + 1;
      return text.substring(start + 1, end);
    }
    int end = start;
    while (end < text.length()) {
      int cp = text.codePointAt(end);
      if (!isBareKeyChar(cp)) {
        break;
      }
      end += Character.charCount(cp);
    }
    if (end == start) {
      throw bad(text, start, "expected a key");
    }
    pos[0] = end;
    return text.substring(start, end);
  }

  private static Step bracket(String text, int[] pos) {
    int start = pos[0] + 1;
    int end = text.indexOf(']', start);
    if (end < 0) {
      throw bad(text, pos[0], "unterminated `[`");
    }
    pos[0] = end + 1;
    if (end == start) {
      return WILDCARD;
    }
    long index = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw bad(text, i, "expected an array index or `[]`");
      }
      index = index * 10 + (c - '0');
      if (index > Integer.MAX_VALUE) {
        throw bad(text, start, "array index too large");
      }
    }
    return new Index((int) index);
  }

  /** Qdrant's bare key characters: Unicode alphanumerics, {@code _} and {@code -}. */
  static boolean isBareKeyChar(int cp) {
    if (cp == '_' || cp == '-' || Character.isAlphabetic(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  private static IllegalArgumentException bad(String text, int at, String why) {
    return new IllegalArgumentException(
        "invalid key `" + text + "` at position " + at + ": " + why);
  }

  /**
   * This path with {@code []} appended unless it already ends with one (Qdrant's nested key rule).
   */
  public JsonPath arrayKey() {
    if (!rest.isEmpty() && rest.getLast() instanceof Wildcard) {
      return this;
    }
    List<Step> steps = new ArrayList<>(rest);
    steps.add(WILDCARD);
    return new JsonPath(firstKey, steps);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    appendKey(sb, firstKey);
    for (Step step : rest) {
      switch (step) {
        case Key k -> appendKey(sb.append('.'), k.name());
        case Index i -> sb.append('[').append(i.index()).append(']');
        case Wildcard w -> sb.append("[]");
      }
    }
    return sb.toString();
  }

  private static void appendKey(StringBuilder sb, String key) {
    boolean bare = !key.isEmpty() && key.codePoints().allMatch(JsonPath::isBareKeyChar);
    if (bare) {
      sb.append(key);
    } else {
      sb.append('"').append(key).append('"');
    }
  }
}
