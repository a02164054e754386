package io.quiver.storage;

/**
 * How sealed segments index a vector (Qdrant's {@code hnsw_config}).
 *
 * @param m the paper's M: neighbours per node on upper levels (level 0 keeps 2M)
 * @param efConstruct the paper's efConstruction: the beam while building; also the default search
 *     ef
 * @param fullScanThresholdKb a segment whose live vectors take fewer kilobytes than this is scanned
 *     exactly instead of searched through its graph
 * @param onDisk true: the graph stays in its mapped file and pages in on demand; false: the mapped
 *     graph is loaded into memory (page cache) when the segment opens
 * @param memory Qdrant's {@code memory} placement of the graph, null when not given; it overrides
 *     {@code onDisk} (see {@link #placement()})
 */
public record HnswConfig(
    int m, int efConstruct, long fullScanThresholdKb, boolean onDisk, Memory memory) {

  /** Qdrant's defaults. */
  public static final HnswConfig DEFAULT = new HnswConfig(16, 100, 10_000, false);

  /** The largest accepted M and efConstruction: beyond these a build never ends on real data. */
  public static final int MAX_M = 512;

  public static final int MAX_EF = 100_000;

  /** Settings without a memory placement ({@code onDisk} decides). */
  public HnswConfig(int m, int efConstruct, long fullScanThresholdKb, boolean onDisk) {
    this(m, efConstruct, fullScanThresholdKb, onDisk, null);
  }

  /**
   * How sealed segments hold the graph: the {@code memory} given, else {@link Memory#COLD} for
   * {@code on_disk: true} and {@link Memory#CACHED} for {@code on_disk: false} (Qdrant's defaults).
   * Cold: mapped, paged in on demand; cached: mapped and read through at open; pinned: copied into
   * native process memory at open.
   */
  public Memory placement() {
    return memory != null ? memory : onDisk ? Memory.COLD : Memory.CACHED;
  }

  public HnswConfig {
    if (m < 2 || m > MAX_M) {
      throw new BadRequestException("hnsw_config.m must be in [2, " + MAX_M + "], got " + m);
    }
    if (efConstruct < 4 || efConstruct > MAX_EF) {
      throw new BadRequestException(
          "hnsw_config.ef_construct must be in [4, " + MAX_EF + "], got " + efConstruct);
    }
    if (fullScanThresholdKb < 0) {
      throw new BadRequestException(
          "hnsw_config.full_scan_threshold must be >= 0, got " + fullScanThresholdKb);
    }
  }
}
