package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.OrderBy;
import io.quiver.storage.OrderValue;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.JsonPath;

/**
 * Qdrant's {@code OrderByInterface}: a key string, or {@code {"key", "direction": "asc"|"desc",
 * "start_from": number | datetime string}}; and {@code order_value} in results (an integer for
 * integer and datetime indexes — a datetime as its UTC microseconds — a number for float indexes).
 */
final class OrderByJson {

  private OrderByJson() {}

  /** The ordering at {@code at} (its JSON path, for errors). */
  static OrderBy parse(JsonNode node, String at) {
    if (node.isTextual()) {
      return new OrderBy(key(node.textValue(), at), OrderBy.Direction.ASC, null);
    }
    QueryJson.requireObject(node, at);
    String keyText = QueryJson.text(QueryJson.required(node, "key", at), at + ".key", null);
    OrderBy.Direction direction = direction(node.get("direction"), at + ".direction");
    return new OrderBy(
        key(keyText, at + ".key"), direction, start(node.get("start_from"), at + ".start_from"));
  }

  private static JsonPath key(String text, String at) {
    try {
      return JsonPath.parse(text);
    } catch (IllegalArgumentException e) {
      throw QueryJson.bad(at, e.getMessage());
    }
  }

  private static OrderBy.Direction direction(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return OrderBy.Direction.ASC;
    }
    return switch (node.isTextual() ? node.textValue() : "") {
      case "asc" -> OrderBy.Direction.ASC;
      case "desc" -> OrderBy.Direction.DESC;
      default -> throw QueryJson.bad(at, "must be \"asc\" or \"desc\", got " + node);
    };
  }

  private static OrderValue start(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return OrderValue.of(node.longValue());
    }
    if (node.isNumber()) {
      return OrderValue.of(node.doubleValue());
    }
    if (node.isTextual()) {
      long micros = Datetimes.parseMicros(node.textValue());
      if (micros != Datetimes.INVALID) {
        return OrderValue.of(micros);
      }
    }
    throw QueryJson.bad(at, "must be a number or an RFC 3339 datetime, got " + node);
  }

  /** Puts {@code order_value} into a result object. */
  static void putValue(ObjectNode node, OrderValue value) {
    if (value.isInteger()) {
      node.put("order_value", value.longValue());
    } else {
      node.put("order_value", value.doubleValue());
    }
  }
}
