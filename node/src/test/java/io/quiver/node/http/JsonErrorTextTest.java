package io.quiver.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Jackson's real messages for broken bodies come out without Java names, keeping what helps a
 * person.
 */
class JsonErrorTextTest {

  private static String errorOf(String body) {
    try {
      new ObjectMapper()
          .reader()
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .readTree(body.getBytes(StandardCharsets.UTF_8));
      throw new AssertionError("parsed: " + body);
    } catch (JsonProcessingException e) {
      return JsonErrorText.of(e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void messagesHaveNoJavaNames() {
    for (String body :
        new String[] {
          "{",
          "[1,",
          "{\"a\":NaN}",
          "[Infinity]",
          "{}{}",
          "{} x",
          "{\"a\":\"\\uZZ\"}",
          "{\u001E}",
          "{\"a\":1,\u0001}",
          "[" + "[".repeat(1500)
        }) {
      String text = errorOf(body);
      assertFalse(
          text.matches("(?s).*(`|Feature|Source|com\\.|jackson|JsonNode|Constraints).*"),
          body + " -> " + text);
    }
    assertEquals(
        "Unexpected end-of-input: expected close marker for Object (opened at line 1 column 1)",
        errorOf("{"));
    assertEquals("invalid number 'NaN' (JSON has no NaN or Infinity)", errorOf("{\"a\":NaN}"));
    assertEquals("trailing characters after the JSON value", errorOf("{}{}"));
    assertEquals(
        "Illegal character ((CTRL-CHAR, code 30)): only regular white space (\\r, \\n, \\t) is allowed between tokens",
        errorOf("{\u001E}"));
  }
}
