package io.quiver.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The node's configuration, resolved once at start from, in increasing precedence: the defaults in
 * {@link ConfigKey}, the YAML file of {@code --config}, environment variables {@code
 * QUIVER__SECTION__KEY}, and command-line flags. Unknown YAML keys are errors, so a typo is not
 * silently ignored.
 */
public final class NodeConfig {

  private final Map<ConfigKey, String> values;

  private NodeConfig(Map<ConfigKey, String> values) {
    this.values = values;
  }

  /**
   * @param yamlFile the config file, or null
   * @param environment the process environment
   * @param flags values given on the command line, by key
   */
  public static NodeConfig resolve(
      Path yamlFile, Map<String, String> environment, Map<ConfigKey, String> flags)
      throws IOException {
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    for (ConfigKey k : ConfigKey.values()) {
      values.put(k, k.defaultValue());
    }
    if (yamlFile != null) {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yamlFile.toFile());
      if (root != null && !root.isMissingNode() && !root.isNull()) {
        flatten("", root, values, yamlFile);
      }
    }
    for (ConfigKey k : ConfigKey.values()) {
      String v = environment.get(k.environmentVariable());
      if (v != null) {
        values.put(k, v);
      }
    }
    values.putAll(flags);
    NodeConfig config = new NodeConfig(values);
    config.validate();
    return config;
  }

  private static void flatten(
      String prefix, JsonNode node, Map<ConfigKey, String> values, Path file) {
    if (!node.isObject()) {
      ConfigKey key = byName(prefix);
      if (key == null) {
        throw new IllegalArgumentException(file + ": unknown configuration key '" + prefix + "'");
      }
      values.put(key, node.asText());
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      flatten(
          prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), values, file);
    }
  }

  static ConfigKey byName(String name) {
    for (ConfigKey k : ConfigKey.values()) {
      if (k.key().equals(name)) {
        return k;
      }
    }
    return null;
  }

  private void validate() {
    port(ConfigKey.HTTP_PORT);
    port(ConfigKey.RAFT_PORT);
    raftAddress();
    bootstrapAddress();
    positiveLong(ConfigKey.LOG_SEGMENT_KB);
    positiveLong(ConfigKey.MAX_REQUEST_SIZE_MB);
    positiveLong(ConfigKey.REQUEST_TIMEOUT_MS);
    positiveLong(ConfigKey.SNAPSHOT_THRESHOLD);
    positiveLong(ConfigKey.PEER_DEAD_TIMEOUT_MS);
    logFormat();
    positiveLong(ConfigKey.TLS_CERT_TTL);
    positiveLong(ConfigKey.MAX_CONCURRENT_REQUESTS);
    positiveLong(ConfigKey.REQUEST_READ_TIMEOUT_SEC);
    atMost(ConfigKey.MAX_RESULT_LIMIT, io.quiver.storage.SearchRequest.MAX_LIMIT);
    positiveLong(ConfigKey.MAX_POINTS_PER_REQUEST);
    positiveLong(ConfigKey.MAX_QUERIES_PER_REQUEST);
    positiveLong(ConfigKey.MAX_FILTER_CONDITIONS);
    positiveLong(ConfigKey.MAX_BATCH_OPERATIONS);
    atMost(ConfigKey.MAX_FILTER_DEPTH, io.quiver.storage.filter.FilterCodec.DEPTH_MAX);
    positiveLong(ConfigKey.MAX_JSON_TOKENS);
    bool(ConfigKey.ENABLE_TLS);
    bool(ConfigKey.VERIFY_HTTPS_CLIENT_CERTIFICATE);
    bool(ConfigKey.P2P_ENABLE_TLS);
    bool(ConfigKey.AUTO_REBALANCE);
    if (bool(ConfigKey.JWT_RBAC) && get(ConfigKey.API_KEY).isEmpty()) {
      throw new IllegalArgumentException(
          "service.jwt_rbac needs service.api_key: tokens are signed with it");
    }
    if (bool(ConfigKey.VERIFY_HTTPS_CLIENT_CERTIFICATE) && !bool(ConfigKey.ENABLE_TLS)) {
      throw new IllegalArgumentException(
          "service.verify_https_client_certificate needs service.enable_tls: true");
    }
    metaVoters();
    transferBytesPerSecond();
    shardResources();
  }

  /**
   * What the shards of this node share: {@link ConfigKey#FLUSH_THREADS} and the others of storage.
   */
  public io.quiver.storage.ShardResources.Settings shardResources() {
    int flush =
        threads(
            ConfigKey.FLUSH_THREADS,
            io.quiver.storage.ShardResources.Settings.defaultFlushThreads());
    int optimizer =
        threads(
            ConfigKey.OPTIMIZER_THREADS,
            io.quiver.storage.ShardResources.Settings.defaultOptimizerThreads());
    long cacheMb = positiveLong(ConfigKey.ROCKSDB_BLOCK_CACHE_MB);
    long writeMb = positiveLong(ConfigKey.ROCKSDB_WRITE_BUFFER_MB);
    if (writeMb > cacheMb) {
      throw new IllegalArgumentException(
          ConfigKey.ROCKSDB_WRITE_BUFFER_MB.key()
              + " ("
              + writeMb
              + ") must be at most "
              + ConfigKey.ROCKSDB_BLOCK_CACHE_MB.key()
              + " ("
              + cacheMb
              + "): memtables are charged to the cache");
    }
    return new io.quiver.storage.ShardResources.Settings(
        flush,
        optimizer,
        cacheMb << 20,
        writeMb << 20,
        io.quiver.storage.ShardResources.Settings.indexingThreads(cpuBudget()));
  }

  /** {@link ConfigKey#OPTIMIZER_CPU_BUDGET}: -256 to 256. */
  private int cpuBudget() {
    String raw = get(ConfigKey.OPTIMIZER_CPU_BUDGET).trim();
    try {
      long v = Long.parseLong(raw);
      if (v < -256 || v > 256) {
        throw new IllegalArgumentException(
            ConfigKey.OPTIMIZER_CPU_BUDGET.key()
                + " must be between -256 and 256 (0: automatic), got "
                + raw);
      }
      return (int) v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          ConfigKey.OPTIMIZER_CPU_BUDGET.key() + " must be an integer (0: automatic), got " + raw);
    }
  }

  /** A thread count: 0 for {@code automatic}, else 1 to 256. */
  private int threads(ConfigKey key, int automatic) {
    String raw = get(key).trim();
    try {
      long v = Long.parseLong(raw);
      if (v < 0 || v > 256) {
        throw new IllegalArgumentException(
            key.key() + " must be between 0 (automatic) and 256, got " + raw);
      }
      return v == 0 ? automatic : (int) v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key.key() + " must be a number, got '" + raw + "'");
    }
  }

  private void atMost(ConfigKey key, long max) {
    long v = positiveLong(key);
    if (v > max) {
      throw new IllegalArgumentException(
          key.key() + " must be between 1 and " + max + ", got " + v);
    }
  }

  /** {@link ConfigKey#LOG_FORMAT}: {@code text} or {@code json}. */
  public String logFormat() {
    String v = get(ConfigKey.LOG_FORMAT).trim();
    if (!v.equals("text") && !v.equals("json")) {
      throw new IllegalArgumentException(
          ConfigKey.LOG_FORMAT.key() + " must be text or json, got '" + v + "'");
    }
    return v;
  }

  /** The most voters the meta group may have ({@link ConfigKey#META_VOTERS}, 1 to 5). */
  /**
   * {@code cluster.transfer_rate_mb_per_sec} in bytes per second: 0 (no limit) or 1 MiB/s and more;
   * else refused naming the key.
   */
  public long transferBytesPerSecond() {
    String raw = get(ConfigKey.TRANSFER_RATE_MB);
    long mb;
    try {
      mb = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          ConfigKey.TRANSFER_RATE_MB.key() + " must be a whole number of MiB/s, got '" + raw + "'");
    }
    if (mb < 0 || mb > (Long.MAX_VALUE >> 20)) {
      throw new IllegalArgumentException(
          ConfigKey.TRANSFER_RATE_MB.key() + " must be 0 (no limit) or at least 1, got " + raw);
    }
    return mb << 20;
  }

  public int metaVoters() {
    long v = positiveLong(ConfigKey.META_VOTERS);
    if (v > 5) {
      throw new IllegalArgumentException(
          ConfigKey.META_VOTERS.key() + " must be between 1 and 5, got " + v);
    }
    return (int) v;
  }

  /**
   * {@code host:port} of this node's Raft server as others reach it: from {@code --uri}, else host
   * and port keys.
   */
  public String raftAddress() {
    String uri = get(ConfigKey.RAFT_URI);
    return uri.isBlank()
        ? get(ConfigKey.RAFT_HOST) + ":" + port(ConfigKey.RAFT_PORT)
        : hostPort(ConfigKey.RAFT_URI, uri);
  }

  public String raftHost() {
    String address = raftAddress();
    return address.substring(0, address.lastIndexOf(':'));
  }

  public int raftPort() {
    String address = raftAddress();
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** {@code host:port} of the member to join through, or null to start a new cluster. */
  public String bootstrapAddress() {
    String uri = get(ConfigKey.BOOTSTRAP);
    return uri.isBlank() ? null : hostPort(ConfigKey.BOOTSTRAP, uri);
  }

  /** Reads {@code http://HOST:PORT} (the scheme optional) as {@code HOST:PORT}. */
  private static String hostPort(ConfigKey key, String uri) {
    String s = uri.trim();
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    if (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException(
          key.key() + " must look like http://HOST:PORT, got '" + uri + "'");
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key.key() + " has no valid port: '" + uri + "'");
    }
    return s;
  }

  public String get(ConfigKey key) {
    return values.get(key);
  }

  public Path dataDir() {
    return Path.of(get(ConfigKey.STORAGE_PATH));
  }

  public int port(ConfigKey key) {
    long port = positiveLong(key);
    if (port > 65535) {
      throw new IllegalArgumentException(key.key() + " must be a port in [1, 65535], got " + port);
    }
    return (int) port;
  }

  public long positiveLong(ConfigKey key) {
    String raw = get(key);
    try {
      long v = Long.parseLong(raw.trim());
      if (v < 1) {
        throw new IllegalArgumentException(key.key() + " must be positive, got " + raw);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key.key() + " must be a number, got '" + raw + "'");
    }
  }

  /** A boolean key: {@code true} or {@code false}, else an error naming the key. */
  public boolean bool(ConfigKey key) {
    String raw = get(key).trim();
    return switch (raw) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(
              key.key() + " must be true or false, got '" + raw + "'");
    };
  }

  /** The values, with every secret (API keys) shown as {@code <set>} or {@code <empty>}. */
  @Override
  public String toString() {
    Map<ConfigKey, String> shown = new EnumMap<>(values);
    shown.replaceAll((k, v) -> k.isSecret() ? (v.isEmpty() ? "<empty>" : "<set>") : v);
    return shown.toString();
  }
}
