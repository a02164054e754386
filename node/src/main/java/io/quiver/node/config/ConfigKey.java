package io.quiver.node.config;

/**
 * A configuration key: its dotted name (as in the YAML file, Qdrant's layout), its default, the
 * command-line flag that sets it (or null), and what it means. The environment variable is derived:
 * {@code QUIVER__} + the name upper-cased with dots as {@code __}.
 */
public enum ConfigKey {
  STORAGE_PATH(
      "storage.storage_path",
      "./data",
      "--data-dir",
      "directory of all data (Raft logs, shards, node id)"),
  FLUSH_THREADS(
      "storage.performance.flush_threads",
      "0",
      null,
      "threads that flush full appendable segments, shared by all shards of the node; 0: min(2, cores)"),
  OPTIMIZER_THREADS(
      "storage.performance.optimizer_threads",
      "0",
      null,
      "threads that index, vacuum and merge segments, shared by all shards of the node (fair between shards); 0: max(1, cores / 2)"),
  OPTIMIZER_CPU_BUDGET(
      "storage.performance.optimizer_cpu_budget",
      "0",
      null,
      "threads one index build (HNSW graph) runs on, as Qdrant's: 0: automatic, the cores minus one (at least 1), so that writes and searches keep a core; negative: the cores minus that many; positive: that many"),
  ROCKSDB_BLOCK_CACHE_MB(
      "storage.rocksdb.block_cache_mb",
      "256",
      null,
      "RocksDB block cache shared by all shards of the node, in MiB; the memtables (write_buffer_mb) are charged to it"),
  ROCKSDB_WRITE_BUFFER_MB(
      "storage.rocksdb.write_buffer_mb",
      "128",
      null,
      "RocksDB memtables of all shards of the node together, in MiB, at most block_cache_mb; past it the shard written flushes"),
  SERVICE_HOST(
      "service.host", "0.0.0.0", "--host", "address the REST API and the Raft server bind to"),
  HTTP_PORT("service.http_port", "6333", "--http-port", "port of the Qdrant-compatible REST API"),
  MAX_REQUEST_SIZE_MB(
      "service.max_request_size_mb",
      "32",
      null,
      "largest accepted request body, in MiB (larger: 413)"),
  MAX_CONCURRENT_REQUESTS(
      "service.max_concurrent_requests",
      "1024",
      null,
      "REST requests in progress at once; past it 429 with Retry-After (health checks are never refused)"),
  REQUEST_READ_TIMEOUT_SEC(
      "service.request_read_timeout_sec",
      "60",
      null,
      "a request must arrive whole (headers and body) within this; slower: 408 and the connection closed"),
  MAX_RESULT_LIMIT(
      "service.limits.max_result_limit",
      "100000",
      null,
      "largest limit, and offset + limit, of a query, search, scroll, facet or group request (at most 100000; larger: 400)"),
  MAX_POINTS_PER_REQUEST(
      "service.limits.max_points_per_request",
      "100000",
      null,
      "points or ids in one upsert, retrieve, delete, payload or vector change, or batch; ids of a has_id, values of a match any (larger: 400)"),
  MAX_QUERIES_PER_REQUEST(
      "service.limits.max_queries_per_request",
      "1000",
      null,
      "searches of one batch plus its prefetches at every depth (more: 400)"),
  MAX_BATCH_OPERATIONS(
      "service.limits.max_batch_operations",
      "1000",
      null,
      "operations of one POST /collections/{c}/points/batch (more: 400)"),
  MAX_FILTER_CONDITIONS(
      "service.limits.max_filter_conditions",
      "10000",
      null,
      "conditions in one filter, nested filters included (more: 400)"),
  MAX_FILTER_DEPTH(
      "service.limits.max_filter_depth",
      "64",
      null,
      "levels a filter may nest (at most 64; deeper: 400)"),
  MAX_JSON_TOKENS(
      "service.limits.max_json_tokens",
      "4000000",
      null,
      "JSON tokens (numbers, strings, brackets) in one request body: bounds the heap a body takes while parsed (more: 400)"),
  REQUEST_TIMEOUT_MS(
      "service.request_timeout_ms",
      "10000",
      null,
      "deadline of one request to a shard or the metadata group"),
  API_KEY(
      "service.api_key",
      "",
      null,
      "key every request must carry (header api-key or Authorization: Bearer); empty: no authentication"),
  READ_ONLY_API_KEY(
      "service.read_only_api_key", "", null, "key that may only read (writes answer 403)"),
  JWT_RBAC(
      "service.jwt_rbac",
      "false",
      null,
      "also accept JWTs signed (HS256) with service.api_key, carrying exp, access and value_exists claims"),
  ENABLE_TLS(
      "service.enable_tls", "false", null, "serve the REST API over TLS with tls.cert and tls.key"),
  VERIFY_HTTPS_CLIENT_CERTIFICATE(
      "service.verify_https_client_certificate",
      "false",
      null,
      "require REST clients to present a certificate signed by tls.ca_cert"),
  TLS_CERT("tls.cert", "./tls/cert.pem", null, "PEM certificate chain of the REST API"),
  TLS_KEY("tls.key", "./tls/key.pem", null, "PEM private key (PKCS#8) of tls.cert"),
  TLS_CA_CERT(
      "tls.ca_cert",
      "./tls/cacert.pem",
      null,
      "PEM CA certificate that client certificates must chain to"),
  TLS_CERT_TTL(
      "tls.cert_ttl",
      "3600",
      null,
      "seconds between checks of the certificate files; changed files are loaded for new connections"),
  RAFT_PORT("cluster.p2p.port", "6335", "--raft-port", "port of the Raft server (between nodes)"),
  RAFT_HOST(
      "cluster.p2p.host", "127.0.0.1", null, "host other nodes reach this node's Raft port on"),
  RAFT_URI(
      "cluster.p2p.uri",
      "",
      "--uri",
      "this node's Raft URI http://HOST:PORT as other nodes reach it (sets cluster.p2p.host and .port)"),
  P2P_ENABLE_TLS(
      "cluster.p2p.enable_tls",
      "false",
      null,
      "mutual TLS between Raft peers with tls.cert, tls.key and tls.ca_cert (Ratis' gRPC transport); the same on every node"),
  BOOTSTRAP(
      "cluster.bootstrap",
      "",
      "--bootstrap",
      "Raft URI http://HOST:PORT of any member, to join its cluster on the first start (this node's own URI: it is the seed and bootstraps)"),
  AUTO_REBALANCE(
      "cluster.auto_rebalance",
      "false",
      null,
      "when this node leads the cluster metadata: rebalance replicas (as POST /cluster/rebalance) whenever a node joins or a drain ends"),
  TRANSFER_RATE_MB(
      "cluster.transfer_rate_mb_per_sec",
      "0",
      null,
      "limit on the shard snapshots this node receives (replica transfers into it), all together, in MiB/s; 0: no limit; else at least 1"),
  PEER_DEAD_TIMEOUT_MS(
      "cluster.peer_dead_timeout_ms",
      "10000",
      null,
      "a peer this node has not reached (TCP connect to its Raft port, tried every second) for this long is Dead in GET /cluster, its replicas Dead, quiver_peer_up 0"),
  LOG_FORMAT(
      "log.format",
      "text",
      null,
      "text: one line per event; json: one JSON object per line (collection, shard and group first where known)"),
  META_VOTERS(
      "cluster.consensus.meta_voters",
      "5",
      null,
      "voters of the cluster metadata group, 1 to 5; every other node follows it as a listener"),
  SNAPSHOT_THRESHOLD(
      "cluster.consensus.snapshot_threshold",
      "10000",
      null,
      "Raft log entries between snapshots of a group"),
  LOG_SEGMENT_KB(
      "cluster.consensus.log_segment_kb",
      "8192",
      null,
      "size of a Raft log segment; closed segments below a snapshot are purged");

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

  /** True for keys whose values are credentials: never printed or logged. */
  public boolean isSecret() {
    return this == API_KEY || this == READ_ONLY_API_KEY;
  }

  public String environmentVariable() {
    return "QUIVER__" + key.toUpperCase(java.util.Locale.ROOT).replace(".", "__");
  }
}
