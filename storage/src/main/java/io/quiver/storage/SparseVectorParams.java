package io.quiver.storage;

/**
 * One named sparse vector of a collection (Qdrant's {@code SparseVectorParams}): its index settings
 * and its query modifier. Fields are nullable exactly where the user may leave them out, so
 * collection info reports back what was given.
 *
 * <ul>
 *   <li>{@code fullScanThreshold}: with a filter whose payload-index estimate is below this many
 *       points, the matching points are scored directly instead of walking the posting lists (null:
 *       {@link #DEFAULT_FULL_SCAN_THRESHOLD}, Qdrant's default);
 *   <li>{@code onDisk}: where the sealed parts of the shard's inverted index are held: {@code true}
 *       mapped from their files, paged in on demand; {@code false} or absent copied into native
 *       memory at open ({@link io.quiver.storage.sparse.SparseIndexes.Placement}); the growing part
 *       of recent writes is on the heap either way;
 *   <li>{@code datatype}: {@code float32}, {@code float16} or {@code uint8} (or absent: float32),
 *       the width values are stored at ({@link io.quiver.storage.sparse.SparseValues});
 *   <li>{@code modifier}: {@link Modifier#IDF} weights each query value by the dimension's inverse
 *       document frequency over the whole collection;
 *   <li>{@code memory}: Qdrant's placement of the sealed parts, overriding {@code onDisk}: {@code
 *       cold} mapped, on demand; {@code cached} mapped, read through once at open; {@code pinned}
 *       copied into native memory.
 * </ul>
 */
public record SparseVectorParams(
    boolean hasIndex,
    Long fullScanThreshold,
    Boolean onDisk,
    String datatype,
    Modifier modifier,
    Memory memory) {

  /** Qdrant's default full-scan threshold of sparse vectors, in points. */
  public static final long DEFAULT_FULL_SCAN_THRESHOLD = 5_000;

  /** The query modifier (Qdrant's names, lower case in JSON). */
  public enum Modifier {
    NONE,
    IDF
  }

  /** Sparse vectors without settings. */
  public static final SparseVectorParams DEFAULT =
      new SparseVectorParams(false, null, null, null, null);

  /** Params without a memory placement. */
  public SparseVectorParams(
      boolean hasIndex,
      Long fullScanThreshold,
      Boolean onDisk,
      String datatype,
      Modifier modifier) {
    this(hasIndex, fullScanThreshold, onDisk, datatype, modifier, null);
  }

  /** These params with another memory placement of the index (null: none given). */
  public SparseVectorParams withMemory(Memory newMemory) {
    return new SparseVectorParams(
        hasIndex || newMemory != null, fullScanThreshold, onDisk, datatype, modifier, newMemory);
  }

  public SparseVectorParams {
    if (fullScanThreshold != null && fullScanThreshold < 0) {
      throw new BadRequestException(
          "full_scan_threshold must not be negative, got " + fullScanThreshold);
    }
    if (datatype != null
        && io.quiver.index.vector.VectorDatatype.fromQdrantName(datatype) == null) {
      throw new BadRequestException(
          "index.datatype: "
              + datatype
              + " is not supported for sparse vectors; use"
              + " float32, float16 or uint8");
    }
    if (!hasIndex
        && (fullScanThreshold != null || onDisk != null || datatype != null || memory != null)) {
      throw new IllegalArgumentException("index settings without an index");
    }
  }

  /** The full-scan threshold in effect. */
  public long fullScanThresholdOrDefault() {
    return fullScanThreshold == null ? DEFAULT_FULL_SCAN_THRESHOLD : fullScanThreshold;
  }

  /** The datatype values are stored with: float32 when none was given. */
  public io.quiver.index.vector.VectorDatatype storedDatatype() {
    return datatype == null
        ? io.quiver.index.vector.VectorDatatype.FLOAT32
        : io.quiver.index.vector.VectorDatatype.fromQdrantName(datatype);
  }

  /** True when queries are weighted by inverse document frequency. */
  public boolean idf() {
    return modifier == Modifier.IDF;
  }
}
