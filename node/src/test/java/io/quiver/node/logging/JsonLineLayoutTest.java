package io.quiver.node.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** JSON lines from real Logback events: they parse, and name collection, shard and group first. */
class JsonLineLayoutTest {

  private final LoggerContext context = new LoggerContext();
  private final JsonLineLayout layout = new JsonLineLayout();
  private final ObjectMapper json = new ObjectMapper();

  JsonLineLayoutTest() {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
  }

  @AfterEach
  void forget() {
    LogGroupNames.install(Map::of);
  }

  @Test
  void aRatisGroupIdNamesItsCollectionAndShardFirst() throws Exception {
    LogGroupNames.install(
        () -> Map.of("0A1B2C3D4E5F", new LogGroupNames.GroupName("group-0A1B2C3D4E5F", "docs", 2)));
    String line =
        layout.doLayout(
            event(
                "n1@group-0A1B2C3D4E5F-LeaderElection1: \"quoted\"\nnext line",
                new IllegalStateException("boom")));
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, line);
    JsonNode parsed = json.readTree(line);
    List<String> names = new ArrayList<>();
    parsed.fieldNames().forEachRemaining(names::add);
    assertEquals(
        List.of(
            "collection",
            "shard",
            "group",
            "time",
            "level",
            "logger",
            "thread",
            "message",
            "error"),
        names);
    assertEquals("docs", parsed.get("collection").asText());
    assertEquals(2, parsed.get("shard").asInt());
    assertEquals("WARN", parsed.get("level").asText());
    assertTrue(parsed.get("message").asText().contains("\"quoted\"\nnext line"));
    assertTrue(parsed.get("error").asText().contains("boom"));
  }

  @Test
  void aLineFromAGroupsThreadNamesItsCollectionAndShard() throws Exception {
    LogGroupNames.install(
        () -> Map.of("0A1B2C3D4E5F", new LogGroupNames.GroupName("group-0A1B2C3D4E5F", "docs", 2)));
    LoggingEvent e = event("Shard[shard]: opened with 0 points", null);
    e.setThreadName("n1@group-0A1B2C3D4E5F-StateMachineUpdater");
    JsonNode parsed = json.readTree(layout.doLayout(e));
    assertEquals("docs", parsed.get("collection").asText(), parsed.toString());
    assertEquals(2, parsed.get("shard").asInt());
    assertEquals("group-0A1B2C3D4E5F", parsed.get("group").asText());
  }

  @Test
  void aLineAboutNoGroupHasNoGroupFields() throws Exception {
    JsonNode parsed = json.readTree(layout.doLayout(event("node 7: starting", null)));
    assertFalse(
        parsed.has("collection") || parsed.has("shard") || parsed.has("group"), parsed.toString());
    assertEquals("node 7: starting", parsed.get("message").asText());
  }

  private LoggingEvent event(String message, Throwable error) {
    return new LoggingEvent(
        "test", context.getLogger("org.apache.ratis.Test"), Level.WARN, message, error, null);
  }
}
