package io.quiver.node;

import io.quiver.node.config.ConfigKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The flags of {@code quiver node}: {@code --config FILE}, {@code --help}, and one per {@link
 * ConfigKey} that has a flag.
 */
record CommandLine(Path configFile, boolean help, Map<ConfigKey, String> flags) {

  static CommandLine parse(String[] args) {
    Path config = null;
    boolean help = false;
    Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        help = true;
        continue;
      }
      ConfigKey key = byFlag(arg);
      if (key == null && !arg.equals("--config")) {
        throw new IllegalArgumentException("unknown flag " + arg + " (see --help)");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("flag " + arg + " needs a value");
        }
        value = args[++i];
      }
      if (key == null) {
        config = Path.of(value);
      } else {
        flags.put(key, value);
      }
    }
    return new CommandLine(config, help, flags);
  }

  private static ConfigKey byFlag(String flag) {
    for (ConfigKey k : ConfigKey.values()) {
      if (flag.equals(k.flag())) {
        return k;
      }
    }
    return null;
  }

  /**
   * The text of {@code --help}: the fixed part from {@code usage.txt} beside this class (which
   * {@code bin/quiver node --help} also prints when the node is not built yet), then one row per
   * {@link ConfigKey}. bin/quiver prints the rows from ConfigKey.java in this very format: keep the
   * two in step.
   */
  static String usage() {
    StringBuilder s = new StringBuilder();
    try (InputStream in = CommandLine.class.getResourceAsStream("usage.txt")) {
      s.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    s.append(
        String.format(
            "  %-38s %-14s %-46s %s%n", "key", "flag", "environment", "default: meaning"));
    for (ConfigKey k : ConfigKey.values()) {
      s.append(
          String.format(
              "  %-38s %-14s %-46s %s: %s%n",
              k.key(),
              k.flag() == null ? "" : k.flag(),
              k.environmentVariable(),
              k.defaultValue(),
              k.description()));
    }
    return s.toString();
  }
}
