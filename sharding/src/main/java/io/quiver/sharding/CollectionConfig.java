package io.quiver.sharding;

import io.quiver.storage.HnswConfig;
import io.quiver.storage.Memory;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorsConfig;
import java.util.Objects;

/**
 * What a collection is created with: its vectors, how many shards, how many replicas of each, and
 * how many replicas must acknowledge a write (Qdrant's {@code write_consistency_factor}; with Raft
 * a write is acknowledged once a majority of the shard's replicas has it, which is at least this
 * factor for every factor up to a majority), and how every shard's storage engine indexes,
 * quantizes and optimizes its segments ({@code hnsw}, {@code optimizers}, {@code quantization}:
 * null for none; a vector's own quantization is in its {@code VectorParams}), and its {@code
 * strict_mode_config} ({@code strictMode}: null when never set), and the payload storage's {@code
 * memory} placement ({@code payloadMemory}: null when not given; see {@link ShardConfig}).
 */
public record CollectionConfig(
    VectorsConfig vectors,
    int shardNumber,
    int replicationFactor,
    int writeConsistencyFactor,
    HnswConfig hnsw,
    OptimizersConfig optimizers,
    QuantizationConfig quantization,
    StrictModeConfig strictMode,
    Memory payloadMemory) {

  /** Limits that keep a typo from creating thousands of Raft groups. */
  public static final int MAX_SHARDS = 1024;

  public static final int MAX_REPLICATION_FACTOR = 16;

  /** A collection without a payload placement. */
  public CollectionConfig(
      VectorsConfig vectors,
      int shardNumber,
      int replicationFactor,
      int writeConsistencyFactor,
      HnswConfig hnsw,
      OptimizersConfig optimizers,
      QuantizationConfig quantization,
      StrictModeConfig strictMode) {
    this(
        vectors,
        shardNumber,
        replicationFactor,
        writeConsistencyFactor,
        hnsw,
        optimizers,
        quantization,
        strictMode,
        null);
  }

  /** A collection without strict mode. */
  public CollectionConfig(
      VectorsConfig vectors,
      int shardNumber,
      int replicationFactor,
      int writeConsistencyFactor,
      HnswConfig hnsw,
      OptimizersConfig optimizers,
      QuantizationConfig quantization) {
    this(
        vectors,
        shardNumber,
        replicationFactor,
        writeConsistencyFactor,
        hnsw,
        optimizers,
        quantization,
        null);
  }

  /** This config with another strict mode (null: none). */
  public CollectionConfig withStrictMode(StrictModeConfig strict) {
    return new CollectionConfig(
        vectors,
        shardNumber,
        replicationFactor,
        writeConsistencyFactor,
        hnsw,
        optimizers,
        quantization,
        strict,
        payloadMemory);
  }

  /** A collection without collection-wide quantization. */
  public CollectionConfig(
      VectorsConfig vectors,
      int shardNumber,
      int replicationFactor,
      int writeConsistencyFactor,
      HnswConfig hnsw,
      OptimizersConfig optimizers) {
    this(vectors, shardNumber, replicationFactor, writeConsistencyFactor, hnsw, optimizers, null);
  }

  /** A collection with Qdrant's default HNSW and optimizer settings. */
  public CollectionConfig(
      VectorsConfig vectors, int shardNumber, int replicationFactor, int writeConsistencyFactor) {
    this(
        vectors,
        shardNumber,
        replicationFactor,
        writeConsistencyFactor,
        HnswConfig.DEFAULT,
        OptimizersConfig.DEFAULT);
  }

  /** What each shard of this collection is created with. */
  public ShardConfig shardConfig() {
    return new ShardConfig(vectors, hnsw, optimizers, quantization, payloadMemory);
  }

  public CollectionConfig {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(hnsw, "hnsw");
    Objects.requireNonNull(optimizers, "optimizers");
    if (shardNumber < 1 || shardNumber > MAX_SHARDS) {
      throw new IllegalArgumentException(
          "shard_number must be in [1, " + MAX_SHARDS + "], got " + shardNumber);
    }
    if (replicationFactor < 1 || replicationFactor > MAX_REPLICATION_FACTOR) {
      throw new IllegalArgumentException(
          "replication_factor must be in [1, "
              + MAX_REPLICATION_FACTOR
              + "], got "
              + replicationFactor);
    }
    if (writeConsistencyFactor < 1) {
      throw new IllegalArgumentException(
          "write_consistency_factor must be at least 1, got " + writeConsistencyFactor);
    }
  }
}
