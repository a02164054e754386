package io.quiver.storage.segment;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.storage.PointId;
import io.quiver.storage.QuantizationSearchParams;

/**
 * A set of points addressed by a dense ordinal {@code ord}: per ord the user's {@link PointId}, the
 * point's version (the Raft log index of the write that produced this copy), one vector slot per
 * configured name (with a per-name absent bitmap for points that omit the vector), and a deleted
 * flag. A point id has at most one live ord in a shard; the shard's id tracker ({@link
 * ShardSegments}) knows which.
 *
 * <h2>The per-segment search seam</h2>
 *
 * Two ways to search a segment, both returning internal similarities (higher is better), best
 * first, ties by point id (exact scans), deleted ords never returned:
 *
 * <ul>
 *   <li>{@link #search(String, float[], int, int, boolean, OrdFilter)}: every live ord the accept
 *       filter takes; through the HNSW graph when the segment has one and the search is not {@code
 *       exact}, else an exact scan. The filter is called once per visited ord: O(1) please (a
 *       bitset, not a payload read);
 *   <li>{@link #scoreCandidates(String, float[], int, int[])}: an exact scan of an explicit
 *       candidate set (e.g. the ords a payload index says match a selective filter).
 * </ul>
 *
 * A query planner picks one per segment (from the filter's cardinality estimate).
 *
 * <p>Thread-safety: reads may run concurrently; {@link #delete(int)} runs under the shard's write
 * lock. The ids, versions and vectors of an ord never change once written.
 */
public abstract sealed class Segment permits AppendableSegment, SealedSegment {

  /** The number of ords (live and deleted). */
  public abstract int size();

  public abstract PointId id(int ord);

  public abstract long version(int ord);

  public abstract boolean isDeleted(int ord);

  /** Marks {@code ord} deleted (the shard's write lock is held). */
  abstract void delete(int ord);

  public abstract int deletedCount();

  public int liveCount() {
    return size() - deletedCount();
  }

  /** The vectors of one name, prepared for their distance; thread-safe for reads. */
  public abstract FloatVectors vectors(String name);

  /**
   * True when the point at {@code ord} has the vector {@code name} (a point may omit a named
   * vector: its slot then holds zeros that are never scored nor returned).
   */
  public abstract boolean hasVector(String name, int ord);

  /**
   * A filter that takes the ords having the vector {@code name} ({@link OrdFilter#ALL} when all
   * do).
   */
  abstract OrdFilter present(String name);

  /** True when the segment has HNSW graphs (a sealed segment). */
  public abstract boolean isIndexed();

  /** A filter that takes the live ords. */
  abstract OrdFilter live();

  /**
   * The graph search, with quantized codes where the segment has them; only called on indexed
   * segments.
   */
  abstract TopHits graphSearch(
      String name,
      float[] query,
      int k,
      int ef,
      OrdFilter accept,
      QuantizationSearchParams quantization);

  /** True when the live vectors are so few that scanning them beats traversing a graph. */
  abstract boolean preferExact(String name);

  /**
   * The {@code k} best live ords accepted by {@code accept} (null: all). {@code query} must be
   * prepared for the vector's distance; {@code ef} is the beam of a graph search.
   */
  public TopHits search(
      String name, float[] query, int k, int ef, boolean exact, OrdFilter accept) {
    return search(name, query, k, ef, exact, accept, null);
  }

  /**
   * As {@link #search(String, float[], int, int, boolean, OrdFilter)}, with Qdrant's {@code
   * params.quantization} for graph searches over quantized codes (null: the defaults). Exact scans
   * always score the original vectors.
   */
  public TopHits search(
      String name,
      float[] query,
      int k,
      int ef,
      boolean exact,
      OrdFilter accept,
      QuantizationSearchParams quantization) {
    return search(name, query, k, ef, exact, accept, null, quantization);
  }

  /**
   * As {@link #search(String, float[], int, int, boolean, OrdFilter, QuantizationSearchParams)}
   * with a second, costly test {@code verify} (null: none; e.g. a payload read): an exact scan
   * calls it only for an ord whose score would enter the top k, a graph search only for a visited
   * ord that would enter its result queue (after {@code accept}).
   */
  public TopHits search(
      String name,
      float[] query,
      int k,
      int ef,
      boolean exact,
      OrdFilter accept,
      OrdFilter verify,
      QuantizationSearchParams quantization) {
    OrdFilter filter =
        accept == null ? live().and(present(name)) : live().and(present(name)).and(accept);
    if (exact || !isIndexed() || preferExact(name)) {
      // The accept test first: in a scan it rejects most ords of a selective filter at once. It
      // may read a stale entry for a deleted ord (harmless: liveness is tested right after).
      OrdFilter scanned = accept == null ? filter : accept.and(live()).and(present(name));
      return ExactScan.topK(this, vectors(name).scorer(query), size(), k, scanned, verify);
    }
    return graphSearch(
        name, query, k, ef, verify == null ? filter : filter.and(verify), quantization);
  }

  /** The {@code k} best of the live ords among {@code ords}, scored exactly. */
  public TopHits scoreCandidates(String name, float[] query, int k, int[] ords) {
    return scoreCandidates(name, query, k, ords, ords.length, null);
  }

  /**
   * The {@code k} best of the live ords among the first {@code count} of {@code ords}, scored
   * exactly; {@code verify} (null: none) is tested only on ords whose score would enter the top k.
   */
  public TopHits scoreCandidates(
      String name, float[] query, int k, int[] ords, int count, OrdFilter verify) {
    return ExactScan.topKOf(
        this, vectors(name).scorer(query), ords, count, k, live().and(present(name)), verify);
  }

  /** Copies the vector {@code name} of {@code ord}. */
  public float[] vector(String name, int ord) {
    FloatVectors v = vectors(name);
    float[] out = new float[v.dimension()];
    v.copyVector(ord, out);
    return out;
  }

  /**
   * Copies the vector {@code name} of {@code ord} as it is compared ({@link
   * FloatVectors#copyPrepared}: normalized for Cosine even when stored as given).
   */
  public float[] preparedVector(String name, int ord) {
    FloatVectors v = vectors(name);
    float[] out = new float[v.dimension()];
    v.copyPrepared(ord, out);
    return out;
  }
}
