package io.quiver.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Goal: with_payload include / exclude by key paths, as Qdrant selects payload fields. */
@Timeout(10)
class PayloadSelectorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String apply(String selector, String payload) throws Exception {
    return PayloadSelector.parse(JSON.readTree(selector), false)
        .apply((ObjectNode) JSON.readTree(payload))
        .toString();
  }

  @Test
  void includeAndExcludeByPath() throws Exception {
    String payload = "{\"a\":{\"b\":1,\"c\":2},\"d\":[{\"e\":1,\"f\":2},{\"e\":3}],\"g\":5}";
    assertEquals("{\"g\":5}", apply("[\"g\"]", payload));
    assertEquals("{\"a\":{\"b\":1},\"g\":5}", apply("[\"a.b\",\"g\",\"missing\"]", payload));
    assertEquals("{\"a\":{\"b\":1,\"c\":2}}", apply("{\"include\":[\"a.b\",\"a.c\"]}", payload));
    assertEquals("{\"d\":[{\"e\":1},{\"e\":3}]}", apply("[\"d[].e\"]", payload));
    assertEquals(
        "{\"a\":{\"c\":2},\"d\":[{\"e\":1,\"f\":2},{\"e\":3}]}",
        apply("{\"exclude\":[\"a.b\",\"g\"]}", payload));
    assertEquals(
        "{\"a\":{\"b\":1,\"c\":2},\"d\":[{\"f\":2},{}],\"g\":5}",
        apply("{\"exclude\":[\"d[].e\"]}", payload));
    assertEquals(payload, apply("true", payload));
  }
}
