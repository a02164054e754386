package io.quiver.node;

import io.quiver.node.config.ConfigKey;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** The flags of {@code quiver node}: {@code --config FILE}, {@code --help}, and one per {@link ConfigKey} that has a flag. */
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

  static String usage() {
    StringBuilder s = new StringBuilder();
    s.append("Usage: quiver node [--config FILE] [flags]\n\n");
    s.append("Starts a Quiver node. With no flags: a single-node cluster, REST on 6333, Raft on 6335, data in ./data.\n");
    s.append("Every setting comes from (lowest to highest precedence): its default, the YAML file of --config\n");
    s.append("(sections as in the key names), the environment variable, the flag.\n\n");
    s.append(String.format("  %-16s %s%n", "--config FILE", "YAML configuration file"));
    s.append(String.format("  %-16s %s%n%n", "--help", "this text"));
    s.append(String.format("  %-38s %-14s %-46s %s%n", "key", "flag", "environment", "default: meaning"));
    for (ConfigKey k : ConfigKey.values()) {
      s.append(String.format("  %-38s %-14s %-46s %s: %s%n", k.key(), k.flag() == null ? "" : k.flag(),
          k.environmentVariable(), k.defaultValue(), k.description()));
    }
    return s.toString();
  }
}
