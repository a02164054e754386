package io.quiver.node.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.ConnectException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The filter in a real Logback context: repeats about one peer are held back and counted. */
class RepeatedWarningFilterTest {

  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> seen = new ListAppender<>();
  private final RepeatedWarningFilter filter = new RepeatedWarningFilter();

  RepeatedWarningFilterTest() {
    seen.setContext(context);
    seen.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
    filter.setContext(context);
    filter.setIntervalMillis(300);
    filter.start();
    context.addTurboFilter(filter);
  }

  @Test
  void aRepeatedErrorAboutOnePeerPassesOnceThenAsASummary() throws Exception {
    Logger appender = context.getLogger("org.apache.ratis.netty.NettyRpcProxy");
    for (int i = 0; i < 1000; i++) {
      appender.warn(
          "n1@group-0A1B2C3D4E5F->n2: Failed appendEntries #{}",
          i,
          new java.io.IOException(
              "send failed", new ConnectException("Connection refused: /127.0.0.1:6345")));
    }
    assertEquals(1, seen.list.size(), messages());
    // Another peer, and another problem about the same peer, each get their first line.
    appender.warn(
        "n1@group-0A1B2C3D4E5F->n3: Failed appendEntries #{}",
        5,
        new java.io.IOException(
            "send failed", new ConnectException("Connection refused: /127.0.0.1:6355")));
    appender.warn(
        "n1@group-0A1B2C3D4E5F->n2: installSnapshot failed", new IllegalStateException("closed"));
    assertEquals(3, seen.list.size(), messages());
    Thread.sleep(400);
    appender.warn(
        "n1@group-0A1B2C3D4E5F->n2: Failed appendEntries #{}",
        2000,
        new java.io.IOException(
            "send failed", new ConnectException("Connection refused: /127.0.0.1:6345")));
    assertEquals(5, seen.list.size(), messages());
    String summary = seen.list.get(3).getFormattedMessage();
    assertTrue(
        summary.startsWith(
            "999 more like this in the last 1 s from org.apache.ratis.netty.NettyRpcProxy"),
        summary);
    assertTrue(seen.list.get(4).getFormattedMessage().endsWith("#2000"), messages());
  }

  @Test
  void infoAndDistinctMessagesAreNeverHeldBack() {
    Logger log = context.getLogger("io.quiver.consensus.Something");
    for (int i = 0; i < 10; i++) {
      log.info("applied {}", i);
    }
    log.warn("disk nearly full");
    log.warn("snapshot failed for collection a");
    assertEquals(12, seen.list.size(), messages());
  }

  private String messages() {
    List<String> m = seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    return String.join("\n", m);
  }
}
