package io.quiver.node.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: a request body read by {@link JsonBodyReader} is the tree Jackson's own reader makes (same
 * node types, values, key order, repeated keys and errors), with arrays of numbers held compactly.
 * Oracle: {@code ObjectMapper.readTree} with {@code FAIL_ON_TRAILING_TOKENS}, on fixed bodies and
 * on random ones.
 */
class JsonBodyReaderTest {

  private final ObjectMapper json = new ObjectMapper();

  /** Refuses a repeated key: the oracle for which payloads keep their bytes. */
  private final ObjectMapper strict =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  @Test
  void readsWhatJacksonReads() throws IOException {
    String[] bodies = {
      "{}",
      "[]",
      "{\"vector\":[0.1,2,-3e-5,4.25]}",
      "{\"a\":[1,2,3],\"b\":[1,\"x\",2],\"c\":[[1,2],[3,4]],\"d\":[]}",
      "{\"ints\":[1,2147483648,-9223372036854775808,9223372036854775807]}",
      "{\"big\":[1,18446744073709551616,2.5]}",
      "{\"mixed\":[1.5,null,true,{\"k\":[7]}]}",
      "{\"k\":1,\"k\":[2,3],\"j\":0}",
      "{\"s\":\"text \\u00e9\",\"t\":true,\"f\":false,\"n\":null,\"x\":1e308,\"y\":-0.0}",
      "  {\"spaced\" : [ 1 , 2 ] }  ",
      "5",
      "\"just a string\"",
      "[1,2,3]",
      "[[],[[]],[1,[2,[3]]]]",
    };
    for (String body : bodies) {
      assertSame(body);
    }
  }

  @Test
  void aPayloadKeepsItsBytesOfTheBodyExactly() throws IOException {
    String payload =
        "{ \"text\" : \"caf\u00e9 \\u00e9 \\\"q\\\"\",\n \"n\": [1, 2.5e3],"
            + " \"o\": {\"x\": null, \"y\": {}} }";
    String second = "{\"k\":\"\u65e5\u672c\"}";
    String body =
        "{\"note\":\"\u00fc\u00f1\u00ee\",\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":"
            + payload
            + "},{\"id\":2,\"payload\":{}}],\"batch\":{\"payloads\":["
            + second
            + ",null]},\"filter\":{\"must\":[]}}";
    JsonNode tree = read(body);
    assertSame(body);
    RawJsonObjectNode first =
        assertInstanceOf(
            RawJsonObjectNode.class, tree.get("points").get(0).get("payload"), "a payload");
    assertArrayEquals(payload.getBytes(StandardCharsets.UTF_8), first.rawJson());
    assertEquals(json.readTree(first.rawJson()), first);
    RawJsonObjectNode inBatch =
        assertInstanceOf(RawJsonObjectNode.class, tree.get("batch").get("payloads").get(0));
    assertArrayEquals(second.getBytes(StandardCharsets.UTF_8), inBatch.rawJson());
    assertArrayEquals(
        "{}".getBytes(StandardCharsets.UTF_8),
        ((RawJsonObjectNode) tree.get("points").get(1).get("payload")).rawJson());
    assertFalse(tree.get("filter") instanceof RawJsonObjectNode, "not a payload");
    assertFalse(
        tree.get("points").get(0).get("payload").get("o") instanceof RawJsonObjectNode,
        "inside a payload");
  }

  @Test
  void aPayloadThatRepeatsAKeyAnywhereKeepsNoBytes() throws IOException {
    for (String payload :
        new String[] {
          "{\"a\":1,\"a\":2}",
          "{\"o\":{\"b\":[{\"c\":1,\"c\":2}]}}",
          "{\"a\":{},\"a\":{}}",
          "{\"payload\":{\"a\":1,\"a\":2}}",
          "{\"payloads\":[{\"a\":1,\"a\":2}]}"
        }) {
      String body = "{\"payload\":" + payload + ",\"x\":{\"y\":1,\"y\":2}}";
      assertSame(body);
      RawJsonObjectNode raw = assertInstanceOf(RawJsonObjectNode.class, read(body).get("payload"));
      assertNull(raw.rawJson(), payload);
    }
    RawJsonObjectNode unique =
        assertInstanceOf(
            RawJsonObjectNode.class,
            read("{\"x\":{\"y\":1,\"y\":2},\"payload\":{\"y\":1}}").get("payload"));
    assertArrayEquals("{\"y\":1}".getBytes(StandardCharsets.UTF_8), unique.rawJson());
  }

  @Test
  void randomPayloadsKeepBytesThatReadAsTheirTree() throws IOException {
    Random random = new Random(5);
    int kept = 0;
    for (int i = 0; i < 500; i++) {
      StringBuilder payload = new StringBuilder("{\"p\":");
      randomValue(random, payload, 1);
      payload.append(",\"q\":");
      randomValue(random, payload, 2);
      payload.append('}');
      String body = "{\"id\":\"\u00e9" + i + "\", \"payload\" :\t" + payload + " }";
      assertSame(body);
      RawJsonObjectNode raw = assertInstanceOf(RawJsonObjectNode.class, read(body).get("payload"));
      boolean repeats;
      try {
        strict.readTree(payload.toString());
        repeats = false;
      } catch (JsonProcessingException e) {
        repeats = true;
      }
      assertEquals(repeats, raw.rawJson() == null, payload.toString());
      if (!repeats) {
        kept++;
        assertArrayEquals(payload.toString().getBytes(StandardCharsets.UTF_8), raw.rawJson());
        assertEquals(json.readTree(raw.rawJson()), raw, payload.toString());
      }
    }
    assertTrue(kept > 100, "bytes kept for " + kept + " of 500 payloads");
  }

  @Test
  void randomBodiesReadAsJacksonReadsThem() throws IOException {
    Random random = new Random(3);
    for (int i = 0; i < 500; i++) {
      StringBuilder body = new StringBuilder();
      randomValue(random, body, 0);
      assertSame(body.toString());
    }
  }

  @Test
  void aVectorComesAsOnePrimitiveArray() throws IOException {
    JsonNode tree = read("{\"vector\":[0.1,2,-3e-5,4.25,16777217]}");
    NumberArrayNode vector = assertInstanceOf(NumberArrayNode.class, tree.get("vector"));
    float[] expected = new float[vector.size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = vector.get(i).floatValue();
    }
    assertArrayEquals(expected, vector.floats());
    assertArrayEquals(new float[] {0.1f, 2f, -3e-5f, 4.25f, 16777216f}, vector.floats());
  }

  @Test
  void aChangedArrayKeepsTheChangeAndGivesNoFloats() throws IOException {
    ArrayNode numbers = (ArrayNode) read("{\"v\":[1,2]}").get("v");
    numbers.add("three");
    numbers.set(0, IntNode.valueOf(10));
    assertEquals("[10,2,\"three\"]", numbers.toString());
    assertEquals(3, numbers.size());
    assertEquals(TextNode.valueOf("three"), numbers.get(2));
    assertNull(((NumberArrayNode) numbers).floats());
  }

  @Test
  void emptyInputIsNoValue() throws IOException {
    assertNull(read(""));
    assertNull(read("   "));
  }

  @Test
  void errorsAreJacksonsErrors() {
    for (String body : new String[] {"{}{}", "{} x", "{\"a\":[1,2}", "{\"a\":NaN}", "[1,,2]"}) {
      JsonProcessingException expected =
          assertThrows(
              JsonProcessingException.class,
              () ->
                  json.reader()
                      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                      .readTree(body.getBytes(StandardCharsets.UTF_8)),
              body);
      JsonProcessingException actual =
          assertThrows(JsonProcessingException.class, () -> read(body), body);
      assertEquals(
          JsonErrorText.of(expected.getOriginalMessage()),
          JsonErrorText.of(actual.getOriginalMessage()),
          body);
    }
  }

  @Test
  void nestingIsBoundedByTheParserNotTheStack() throws IOException {
    String deep = "[".repeat(400) + "]".repeat(400);
    assertSame(deep);
    String tooDeep = "[".repeat(5_000) + "]".repeat(5_000);
    JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> read(tooDeep));
    assertTrue(e.getOriginalMessage().contains("nesting depth"), e.getOriginalMessage());
  }

  private void assertSame(String body) throws IOException {
    JsonNode expected =
        json.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readTree(body.getBytes(StandardCharsets.UTF_8));
    JsonNode actual = read(body);
    assertEquals(expected, actual, body);
    assertEquals(expected.toString(), actual.toString(), body);
    assertEquals(actual, expected, body);
    assertEquals(expected.hashCode(), actual.hashCode(), body);
  }

  private JsonNode read(String body) throws IOException {
    try (JsonParser p = json.getFactory().createParser(body.getBytes(StandardCharsets.UTF_8))) {
      return JsonBodyReader.read(p, body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void randomValue(Random random, StringBuilder out, int depth) {
    int kind = depth > 4 ? 4 + random.nextInt(4) : random.nextInt(8);
    switch (kind) {
      case 0 -> {
        out.append('{');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            out.append(',');
          }
          out.append("\"k").append(random.nextInt(3)).append("\":");
          randomValue(random, out, depth + 1);
        }
        out.append('}');
      }
      case 1, 2 -> {
        out.append('[');
        int n = random.nextInt(6);
        boolean numbers = random.nextInt(3) > 0;
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            out.append(',');
          }
          if (numbers && random.nextInt(10) > 0) {
            randomNumber(random, out);
          } else {
            randomValue(random, out, depth + 1);
          }
        }
        out.append(']');
      }
      case 3, 4 -> randomNumber(random, out);
      case 5 -> out.append("\"s").append(random.nextInt(100)).append('"');
      case 6 -> out.append(random.nextBoolean());
      default -> out.append("null");
    }
  }

  private static void randomNumber(Random random, StringBuilder out) {
    switch (random.nextInt(5)) {
      case 0 -> out.append(random.nextInt());
      case 1 -> out.append(random.nextLong());
      case 2 -> out.append(random.nextDouble() * 1000 - 500);
      case 3 -> out.append((float) random.nextGaussian());
      default -> out.append(new java.math.BigInteger(80, random));
    }
  }
}
