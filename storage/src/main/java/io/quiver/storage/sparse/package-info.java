/**
 * A shard's sparse vectors: per sparse vector name an inverted index made of sealed parts (QSPI
 * files, mapped or copied into native memory, written by the shard's optimizer) and a growing heap
 * part for recent writes ({@link io.quiver.storage.sparse.SparseIndexes}), checked against the
 * sparse vectors stored in RocksDB at open by content fingerprints; and the rounding of stored
 * values to a datatype ({@link io.quiver.storage.sparse.SparseValues}).
 */
package io.quiver.storage.sparse;
