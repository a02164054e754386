package io.quiver.consensus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How this node's Raft server runs.
 *
 * @param nodeId this node's stable id (persisted by the caller in its data directory)
 * @param raftHost the host other nodes reach this node's Raft port on
 * @param raftPort the Raft port (default 6335)
 * @param httpAddress {@code host:port} of this node's REST API, published in the cluster state
 * @param raftDir where Ratis keeps its groups (logs, snapshots, shard data)
 * @param snapshotThreshold log entries between automatic snapshots of a group
 * @param logSegmentBytes size at which a Raft log segment is closed; only closed segments below a
 *     snapshot are purged
 * @param requestTimeout how long a client request may wait for a shard or the meta group
 * @param bootstrapAddress {@code host:port} of the Raft port of any member of the cluster to join,
 *     or null to start a new cluster (only read on the first start of a data directory)
 * @param bindHost the local address the Raft server listens on; null, blank or {@code 0.0.0.0} for
 *     every interface
 * @param metaVoters the most voters the meta group may have (1 to {@link #META_VOTERS_MAX}); every
 *     other node is a listener. Read by the meta leader.
 * @param autoRebalance when this node leads the meta group: rebalance replicas whenever a node
 *     joins or a drain ends ({@link ReplicaController})
 */
public record RaftNodeConfig(
    long nodeId,
    String raftHost,
    int raftPort,
    String httpAddress,
    Path raftDir,
    long snapshotThreshold,
    long logSegmentBytes,
    Duration requestTimeout,
    String bootstrapAddress,
    String bindHost,
    int metaVoters,
    boolean autoRebalance,
    long transferBytesPerSecond) {

  public static final long SNAPSHOT_THRESHOLD_DEFAULT = 10_000;
  public static final long LOG_SEGMENT_BYTES_DEFAULT = 8L << 20;
  public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(10);
  public static final int META_VOTERS_MAX = 5;

  /**
   * The lowest limit of incoming snapshot bytes per second: a snapshot chunk (1 MiB) must pass in
   * well under Ratis' 3-s request timeout, or the leader gives the transfer up and starts it again.
   */
  public static final long TRANSFER_RATE_MIN = 1L << 20;

  public RaftNodeConfig {
    Objects.requireNonNull(raftHost, "raftHost");
    Objects.requireNonNull(raftDir, "raftDir");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (raftPort < 1 || raftPort > 65535) {
      throw new IllegalArgumentException("raft port must be in [1, 65535], got " + raftPort);
    }
    if (transferBytesPerSecond != 0 && transferBytesPerSecond < TRANSFER_RATE_MIN) {
      throw new IllegalArgumentException(
          "the transfer rate must be 0 (no limit) or at least "
              + TRANSFER_RATE_MIN
              + " bytes/s, got "
              + transferBytesPerSecond);
    }
    if (metaVoters < 1 || metaVoters > META_VOTERS_MAX) {
      throw new IllegalArgumentException(
          "meta voters must be in [1, " + META_VOTERS_MAX + "], got " + metaVoters);
    }
  }

  /**
   * A config for node {@code nodeId} keeping its groups in {@code raftDir}, with every other
   * setting at its default until set: Raft address and the REST address published are required.
   */
  public static Builder builder(long nodeId, Path raftDir) {
    return new Builder(nodeId, raftDir);
  }

  /** Builds a {@link RaftNodeConfig}; the defaults are those of a node started without settings. */
  public static final class Builder {
    private final long nodeId;
    private final Path raftDir;
    private String raftHost;
    private int raftPort;
    private String httpAddress;
    private long snapshotThreshold = SNAPSHOT_THRESHOLD_DEFAULT;
    private long logSegmentBytes = LOG_SEGMENT_BYTES_DEFAULT;
    private Duration requestTimeout = REQUEST_TIMEOUT_DEFAULT;
    private String bootstrapAddress;
    private String bindHost;
    private int metaVoters = META_VOTERS_MAX;
    private boolean autoRebalance;
    private long transferBytesPerSecond;

    private Builder(long nodeId, Path raftDir) {
      this.nodeId = nodeId;
      this.raftDir = raftDir;
    }

    /** The host and port other nodes reach this node's Raft server on (required). */
    public Builder raftAddress(String host, int port) {
      this.raftHost = host;
      this.raftPort = port;
      return this;
    }

    /** {@code host:port} of this node's REST API, published in the cluster state (required). */
    public Builder httpAddress(String address) {
      this.httpAddress = address;
      return this;
    }

    public Builder snapshotThreshold(long entries) {
      this.snapshotThreshold = entries;
      return this;
    }

    public Builder logSegmentBytes(long bytes) {
      this.logSegmentBytes = bytes;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * {@code host:port} of a member's Raft port to join through; null (the default): a new cluster.
     */
    public Builder bootstrapAddress(String address) {
      this.bootstrapAddress = address;
      return this;
    }

    /**
     * The local address to listen on; null (the default), blank or {@code 0.0.0.0}: every
     * interface.
     */
    public Builder bindHost(String host) {
      this.bindHost = host;
      return this;
    }

    public Builder metaVoters(int voters) {
      this.metaVoters = voters;
      return this;
    }

    public Builder autoRebalance(boolean on) {
      this.autoRebalance = on;
      return this;
    }

    /** Incoming snapshot bytes per second; 0 (the default): no limit. */
    public Builder transferBytesPerSecond(long bytesPerSecond) {
      this.transferBytesPerSecond = bytesPerSecond;
      return this;
    }

    public RaftNodeConfig build() {
      if (raftHost == null) {
        throw new IllegalStateException("the Raft address of node " + nodeId + " is not set");
      }
      if (httpAddress == null) {
        throw new IllegalStateException("the REST address of node " + nodeId + " is not set");
      }
      return new RaftNodeConfig(
          nodeId,
          raftHost,
          raftPort,
          httpAddress,
          raftDir,
          snapshotThreshold,
          logSegmentBytes,
          requestTimeout,
          bootstrapAddress,
          bindHost,
          metaVoters,
          autoRebalance,
          transferBytesPerSecond);
    }
  }

  /**
   * @return true if the Raft server listens on one address only ({@link #bindHost()})
   */
  public boolean bindsOneAddress() {
    return bindHost != null && !bindHost.isBlank() && !bindHost.equals("0.0.0.0");
  }

  public String raftAddress() {
    return raftHost + ":" + raftPort;
  }
}
