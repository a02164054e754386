package io.quiver.node.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Lets a warning or error through once, then at most once per interval (a minute by default), with
 * one summary line counting the ones held back. Two events are "the same" when they come from the
 * same logger at the same level, with the same exception class, and read the same once numbers,
 * group ids and addresses are blanked, plus the peers they name ({@code n<id>} and {@code
 * host:port}): so a down peer's endless {@code Connection refused} is a few lines a minute, while a
 * different peer, or a different problem, still gets its own first line.
 */
public final class RepeatedWarningFilter extends TurboFilter {

  private static final String SUMMARY = RepeatedWarningFilter.class.getName();
  private static final int MAX_KEYS = 10_000;
  private static final Pattern PEER = Pattern.compile("\\bn-?\\d+\\b|[\\w.-]+:\\d{2,5}\\b");
  private static final Pattern VARYING =
      Pattern.compile("group-[0-9A-F]{12}|[0-9a-f]{8}-[0-9a-f-]{27}|\\d+");

  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private long intervalMillis = 60_000;

  private static final class Window {
    /** When the current interval began, in {@link System#nanoTime()} terms. */
    long start;

    long held;
    final String sample;

    Window(long start, String sample) {
      this.start = start;
      this.sample = sample;
    }
  }

  /** The interval, in ms, between lines let through for the same key (logback.xml may set it). */
  public void setIntervalMillis(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // format == null: an isWarnEnabled() check, which must not count as an event.
    if (format == null
        || level == null
        || !level.isGreaterOrEqual(Level.WARN)
        || logger.getName().equals(SUMMARY)
        || !logger.isEnabledFor(level)) {
      return FilterReply.NEUTRAL;
    }
    var formatted = MessageFormatter.arrayFormat(format, params);
    String message = formatted.getMessage();
    // warn(format, arg, exception) hands the exception over as the last parameter.
    String key = key(logger.getName(), level, message, t != null ? t : formatted.getThrowable());
    // The monotonic clock: with the wall clock, a step back (NTP, a VM resumed; the Jepsen clock
    // skew healing after +3600 s) held back every repeat of a warning seen before it for as long
    // as the step, so that a node's log said nothing of what went wrong after it.
    long now = System.nanoTime();
    Window w = windows.get(key);
    if (w == null) {
      if (windows.size() >= MAX_KEYS) {
        windows.clear();
      }
      windows.put(key, new Window(now, message));
      return FilterReply.NEUTRAL;
    }
    long held;
    synchronized (w) {
      if (now - w.start < intervalMillis * 1_000_000) {
        w.held++;
        return FilterReply.DENY;
      }
      held = w.held;
      w.held = 0;
      w.start = now;
    }
    if (held > 0) {
      // The summary goes through its own logger, which this filter never holds back.
      logger
          .getLoggerContext()
          .getLogger(SUMMARY)
          .warn(
              "{} more like this in the last {} s from {}: {}",
              held,
              (intervalMillis + 999) / 1000,
              logger.getName(),
              abbreviate(w.sample));
    }
    return FilterReply.NEUTRAL;
  }

  static String key(String logger, Level level, String message, Throwable t) {
    StringBuilder key = new StringBuilder(logger).append('|').append(level).append('|');
    Throwable root = t;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = message;
    if (root != null) {
      key.append(root.getClass().getName());
      text = text + " " + root.getMessage();
    }
    key.append('|');
    var peers = PEER.matcher(text);
    while (peers.find()) {
      key.append(peers.group()).append(',');
    }
    key.append('|')
        .append(VARYING.matcher(PEER.matcher(abbreviate(message)).replaceAll("_")).replaceAll("#"));
    return key.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
