package io.quiver.node.config;

/**
 * A configuration key: its dotted name (as in the YAML file, Qdrant's layout), its default, the
 * command-line flag that sets it (or null), and what it means. The environment variable is derived:
 * {@code QUIVER__} + the name upper-cased with dots as {@code __}.
 */
public enum ConfigKey {
  STORAGE_PATH("storage.storage_path", "./data", "--data-dir", "directory of all data (Raft logs, shards, node id)"),
  SERVICE_HOST("service.host", "0.0.0.0", "--host", "address the REST API and the Raft server bind to"),
  HTTP_PORT("service.http_port", "6333", "--http-port", "port of the Qdrant-compatible REST API"),
  MAX_REQUEST_SIZE_MB("service.max_request_size_mb", "32", null, "largest accepted request body, in MiB (larger: 413)"),
  REQUEST_TIMEOUT_MS("service.request_timeout_ms", "10000", null, "deadline of one request to a shard or the metadata group"),
  RAFT_PORT("cluster.p2p.port", "6335", "--raft-port", "port of the Raft server (between nodes)"),
  RAFT_HOST("cluster.p2p.host", "127.0.0.1", null, "host other nodes reach this node's Raft port on"),
  RAFT_URI("cluster.p2p.uri", "", "--uri", "this node's Raft URI http://HOST:PORT as other nodes reach it (sets cluster.p2p.host and .port)"),
  BOOTSTRAP("cluster.bootstrap", "", "--bootstrap", "Raft URI http://HOST:PORT of any member, to join its cluster on the first start (this node's own URI: it is the seed and bootstraps)"),
  META_VOTERS("cluster.consensus.meta_voters", "5", null, "voters of the cluster metadata group, 1 to 5; every other node follows it as a listener"),
  SNAPSHOT_THRESHOLD("cluster.consensus.snapshot_threshold", "10000", null, "Raft log entries between snapshots of a group"),
  LOG_SEGMENT_KB("cluster.consensus.log_segment_kb", "8192", null, "size of a Raft log segment; closed segments below a snapshot are purged");

  private final String key;
  private final String defaultValue;
  private final String flag;
  private final String description;

  ConfigKey(String key, String defaultValue, String flag, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.flag = flag;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String flag() {
    return flag;
  }

  public String description() {
    return description;
  }

  public String environmentVariable() {
    return "QUIVER__" + key.toUpperCase(java.util.Locale.ROOT).replace(".", "__");
  }
}
