package io.quiver.node.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;

/** Switches the node's log output (the {@code STDERR} appender of logback.xml) to JSON lines. */
public final class LogFormat {

  private LogFormat() {}

  /**
   * @param format {@code text} (logback.xml as is) or {@code json}
   */
  public static void apply(String format) {
    if (!"json".equals(format)
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (!(root.getAppender("STDERR") instanceof ConsoleAppender<ILoggingEvent> console)) {
      return;
    }
    JsonLineLayout layout = new JsonLineLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    console.stop();
    console.setEncoder(encoder);
    console.start();
  }
}
