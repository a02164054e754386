/**
 * One shard replica's storage engine and the types a shard is asked and answers in. {@link
 * io.quiver.storage.Shard} is the engine: a store in the node's one RocksDB instance ({@link
 * io.quiver.storage.NodeEngine}, a column family per shard; {@link io.quiver.storage.ShardStore}:
 * ids, versions, vectors, payloads, the config and the last applied log index) plus the segments
 * that make its vectors searchable ({@code io.quiver.storage.segment}), the payload indexes ({@code
 * io.quiver.storage.payloadindex}) and the scored scans ({@code io.quiver.storage.scoring}). Writes
 * arrive in log order from one thread with the index of their log entry, so every replica that
 * applies the same log holds the same points; reads run concurrently. Beside it live the request
 * and result records ({@link io.quiver.storage.Point}, {@link io.quiver.storage.PointId}, {@link
 * io.quiver.storage.SearchRequest}, {@link io.quiver.storage.ScoredPoint}, {@link
 * io.quiver.storage.PointsOperation}, ...), a collection's configuration ({@link
 * io.quiver.storage.VectorsConfig}, {@link io.quiver.storage.ShardConfig} and its parts) with their
 * versioned binary codecs, and the two failures: {@link io.quiver.storage.BadRequestException} (the
 * caller's input, a 400) and {@link io.quiver.storage.StorageException} (a broken replica). The
 * module knows nothing of Raft, shards other than its own, or HTTP.
 */
package io.quiver.storage;
