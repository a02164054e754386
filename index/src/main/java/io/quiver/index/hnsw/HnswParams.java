package io.quiver.index.hnsw;

/**
 * Build parameters of an HNSW graph.
 *
 * @param maxConn the paper's M: neighbours per node on levels above 0 (level 0 keeps 2M)
 * @param beamWidth the paper's efConstruction: candidates kept while searching for neighbours
 * @param seed seeds the level of every node, so a build is reproducible up to thread timing
 * @param threads builder threads; 1 builds sequentially on the calling thread
 */
public record HnswParams(int maxConn, int beamWidth, long seed, int threads) {

  public HnswParams {
    if (maxConn < 2 || maxConn > 512) {
      throw new IllegalArgumentException("maxConn must be in [2, 512], got " + maxConn);
    }
    if (beamWidth < 1) {
      throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
  }

  /** M = 16, efConstruction = 100, all available processors. */
  public static HnswParams defaults() {
    return new HnswParams(16, 100, 42L, Runtime.getRuntime().availableProcessors());
  }

  /** The same parameters with another thread count. */
  public HnswParams withThreads(int n) {
    return new HnswParams(maxConn, beamWidth, seed, n);
  }
}
