package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bytesPassThroughUnchangedAndTheTreeIsParsedOnDemand() {
    // whitespace, key order and a number form that a serializer would not write: kept as given
    byte[] stored = utf8("{ \"b\": 1.50, \"a\": [\"é\", {\"c\": null}] }");
    Payload p = Payload.fromBytes(stored);
    assertSame(stored, p.toBytes(), "the bytes it was made from, not a re-serialization");
    assertFalse(p.isEmpty());
    ObjectNode tree = p.tree();
    assertEquals(1.5, tree.get("b").doubleValue());
    assertEquals("é", tree.get("a").get(0).textValue());
    assertSame(tree, p.tree(), "parsed once");
    assertSame(stored, p.toBytes(), "parsing the tree does not replace the bytes");
  }

  @Test
  void aTreeIsSerializedOnceAndReadsBackEqual() throws Exception {
    ObjectNode tree =
        (ObjectNode) new ObjectMapper().readTree("{\"city\":\"Berlin\",\"n\":[1,2,3]}");
    Payload p = Payload.of(tree);
    byte[] bytes = p.toBytes();
    assertSame(bytes, p.toBytes());
    Payload back = Payload.fromBytes(bytes.clone());
    assertEquals(p, back);
    assertEquals(back, p);
    assertEquals(p.hashCode(), back.hashCode());
    assertEquals(tree, back.tree());
  }

  @Test
  void equalityIsTheJsonObjectsNotTheBytes() {
    assertEquals(
        Payload.fromBytes(utf8("{\"a\":1,\"b\":2}")),
        Payload.fromBytes(utf8("{ \"a\" : 1 , \"b\" : 2 }")));
    assertFalse(Payload.fromBytes(utf8("{\"a\":1}")).equals(Payload.fromBytes(utf8("{\"a\":2}"))));
  }

  @Test
  void emptinessIsKnownWithoutParsing() {
    assertTrue(Payload.fromBytes(utf8("{}")).isEmpty());
    assertTrue(Payload.fromBytes(utf8(" {\n\t} ")).isEmpty());
    assertFalse(Payload.fromBytes(utf8("{\"a\":{}}")).isEmpty());
    assertTrue(Payload.EMPTY.isEmpty());
    assertArrayEquals(utf8("{}"), Payload.EMPTY.toBytes());
  }

  @Test
  void corruptBytesFailWhenTheTreeIsNeeded() {
    Payload truncated = Payload.fromBytes(utf8("{\"a\":"));
    assertThrows(UncheckedIOException.class, truncated::tree);
    assertThrows(UncheckedIOException.class, () -> Payload.fromBytes(utf8("[1,2]")).tree());
  }
}
