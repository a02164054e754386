package io.quiver.storage;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * The RocksDB memory every {@link ShardStore} of a process shares, so that it does not grow with
 * the number of shards: one LRU block cache and one write-buffer manager whose memtables are
 * charged to that cache. The cache's capacity bounds the blocks and the memtables of all shards
 * together; once the memtables of all shards pass {@code writeBufferBytes}, the shard being written
 * flushes its memtables. Every store also uses the process' default {@link Env}, whose background
 * thread pools (flushes, compactions) are shared by all instances, and dumps no statistics (a timer
 * per instance otherwise).
 *
 * <p>Thread-safe. Options handed out are owned (and closed) by the store that asked for them; the
 * cache and the manager live as long as the process (or the test) that made them.
 */
final class StoreMemory implements AutoCloseable {

  static {
    RocksDB.loadLibrary();
  }

  private final long blockCacheBytes;
  private final long writeBufferBytes;
  private final LRUCache cache;
  private final WriteBufferManager writeBuffers;

  /**
   * @param blockCacheBytes capacity of the shared block cache, memtables included
   * @param writeBufferBytes memtables of all stores together, at most {@code blockCacheBytes}
   */
  StoreMemory(long blockCacheBytes, long writeBufferBytes) {
    if (writeBufferBytes < 1 || blockCacheBytes < writeBufferBytes) {
      throw new IllegalArgumentException(
          "the write buffers ("
              + writeBufferBytes
              + " bytes) must be positive and fit in the block cache ("
              + blockCacheBytes
              + " bytes)");
    }
    this.blockCacheBytes = blockCacheBytes;
    this.writeBufferBytes = writeBufferBytes;
    this.cache = new LRUCache(blockCacheBytes);
    this.writeBuffers = new WriteBufferManager(writeBufferBytes, cache);
  }

  long blockCacheBytes() {
    return blockCacheBytes;
  }

  long writeBufferBytes() {
    return writeBufferBytes;
  }

  /** New options for one store's instance, on the shared write-buffer manager and Env. */
  DBOptions dbOptions() {
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setEnv(Env.getDefault())
        .setWriteBufferManager(writeBuffers)
        .setStatsDumpPeriodSec(0)
        .setStatsPersistPeriodSec(0)
        .setKeepLogFileNum(2);
  }

  /** New options for one column family, reading through the shared block cache. */
  ColumnFamilyOptions columnFamilyOptions() {
    return new ColumnFamilyOptions()
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
  }

  @Override
  public void close() {
    writeBuffers.close();
    cache.close();
  }

  @Override
  public String toString() {
    return "RocksDB block cache "
        + (blockCacheBytes >> 20)
        + " MiB, write buffers "
        + (writeBufferBytes >> 20)
        + " MiB";
  }
}
