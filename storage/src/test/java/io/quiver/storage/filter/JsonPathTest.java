package io.quiver.storage.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JsonPathTest {

  @Test
  void parsesQdrantsGrammar() {
    // The example of Qdrant's json_path parser test.
    JsonPath p = JsonPath.parse("foo[1][50].bar-baz[].\"qux[.]quux\"");
    assertEquals(
        new JsonPath(
            "foo",
            List.of(
                new JsonPath.Index(1),
                new JsonPath.Index(50),
                new JsonPath.Key("bar-baz"),
                new JsonPath.Wildcard(),
                new JsonPath.Key("qux[.]quux"))),
        p);
    assertEquals("foo[1][50].bar-baz[].\"qux[.]quux\"", p.toString());
    assertEquals(JsonPath.of("город_1"), JsonPath.parse("город_1"));
    assertEquals(JsonPath.of("a b"), JsonPath.parse("\"a b\""));
    assertEquals(JsonPath.parse("a.b[]"), JsonPath.parse("a.b").arrayKey());
    assertEquals(JsonPath.parse("a.b[]"), JsonPath.parse("a.b[]").arrayKey());
  }

  @Test
  void rejectsMalformedPaths() {
    for (String bad :
        new String[] {
          "",
          ".a",
          "a.",
          "a..b",
          "a[",
          "a[x]",
          "a[-1]",
          "a b",
          "\"a",
          "[0]",
          "a]",
          "a.\"b\\\"\"",
          "a[99999999999]"
        }) {
      assertThrows(IllegalArgumentException.class, () -> JsonPath.parse(bad), bad);
    }
  }

  @Test
  void toStringRoundTrips() {
    for (String text : new String[] {"a", "a.b.c", "a[].b[0]", "\"\"", "\"x.y\".z", "a-b_c"}) {
      assertEquals(text, JsonPath.parse(text).toString());
      assertEquals(JsonPath.parse(text), JsonPath.parse(JsonPath.parse(text).toString()));
    }
  }
}
