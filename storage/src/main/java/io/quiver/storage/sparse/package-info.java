/**
 * A shard's sparse vectors: one heap inverted index per sparse vector name
 * ({@link io.quiver.storage.sparse.SparseIndexes}), kept equal to the sparse vectors stored in
 * RocksDB and rebuilt from them at open, like the payload indexes.
 */
package io.quiver.storage.sparse;
