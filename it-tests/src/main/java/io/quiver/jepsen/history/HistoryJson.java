package io.quiver.jepsen.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON form of one {@link Op}: a single line, fields named as the record's components, null
 * fields left out, enums in Jepsen's lower-case spelling ({@code "type":"ok"}, {@code
 * "f":"read-all"}). Thread-safe.
 */
final class HistoryJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private HistoryJson() {}

  /**
   * @return {@code op} as one line of JSON, without the line terminator
   */
  static String toLine(Op op) {
    try {
      return MAPPER.writeValueAsString(op);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + op, e);
    }
  }

  /**
   * @return the operation on {@code line}
   * @throws IllegalArgumentException if the line is not a valid operation
   */
  static Op fromLine(String line) {
    try {
      Op op = MAPPER.readValue(line, Op.class);
      if (op.type() == null || op.f() == null) {
        throw new IllegalArgumentException("missing type or f: " + line);
      }
      return op;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not an operation: " + line, e);
    }
  }
}
