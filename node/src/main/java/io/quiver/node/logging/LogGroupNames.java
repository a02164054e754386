package io.quiver.node.logging;

import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the Raft group a log line is about: the group id as Ratis prints it ({@code group-} and the
 * last 12 hex digits of its UUID) or a whole UUID in the message, mapped to its collection and
 * shard (or {@code meta}) through the cluster metadata the node installs with {@link #install}.
 */
public final class LogGroupNames {

  /** A group as a log line names it: its collection and shard, both null for the metadata group. */
  public record GroupName(String group, String collection, Integer shard) {}

  private static final Pattern RATIS_GROUP = Pattern.compile("group-([0-9A-F]{12})");
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})");

  private static volatile Supplier<Map<String, GroupName>> byShortId = Map::of;

  private LogGroupNames() {}

  /**
   * @param groups the groups by the last 12 hex digits of their UUID, upper case; read per line
   */
  public static void install(Supplier<Map<String, GroupName>> groups) {
    byShortId = groups;
  }

  /** The group a message names first, or null. */
  public static GroupName find(String message) {
    if (message == null) {
      return null;
    }
    String shortId = null;
    Matcher m = RATIS_GROUP.matcher(message);
    if (m.find()) {
      shortId = m.group(1);
    } else {
      Matcher u = UUID_TEXT.matcher(message);
      if (u.find()) {
        shortId = u.group(1).toUpperCase(java.util.Locale.ROOT);
      }
    }
    if (shortId == null) {
      return null;
    }
    try {
      GroupName known = byShortId.get().get(shortId);
      return known != null ? known : new GroupName("group-" + shortId, null, null);
    } catch (RuntimeException notReadable) {
      return new GroupName("group-" + shortId, null, null);
    }
  }
}
