package io.quiver.index.multivector;

import io.quiver.index.quant.QuantizedVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.vector.Distance;
import java.util.function.Function;

/**
 * MaxSim over quantized rows: the codes of every row of a set of multivectors (one {@link
 * QuantizedVectors} over a {@link MultiVectorRows}, so any of the dense quantizers serves), and the
 * first row of each multivector. A point's approximate MaxSim is, per query row, the best quantized
 * similarity among its rows, converted to the distance's score ({@link Distance#toQdrantScore}: the
 * square root for Euclid) and summed, as {@link MaxSim#score} does with float rows:
 *
 * <pre>
 *   query rows q_1..q_n ──quantize──▶ n row scorers ──▶ per point: Σ_i max_r s_i(row r)   (isExact() == false)
 *                                                        ▼ best k * oversampling (graph search)
 *                                     {@link MaxSimScorerSupplier#scorer}: float MaxSim ──▶ top k (rescore)
 * </pre>
 *
 * Immutable and thread-safe; its scorers are not (scratch per scorer).
 */
public final class QuantizedMaxSim {

  private final QuantizedVectors codes;
  private final int[] firstRow;
  private final Distance distance;

  /**
   * @param codes the codes of every row, row ords as in {@code firstRow}
   * @param firstRow per multivector its first row ord, then the number of rows ({@link
   *     MultiVectorRows#firstRows})
   */
  public QuantizedMaxSim(QuantizedVectors codes, int[] firstRow, Distance distance) {
    if (codes.size() != firstRow[firstRow.length - 1]) {
      throw new IllegalArgumentException(
          codes.size() + " row codes for " + firstRow[firstRow.length - 1] + " rows");
    }
    this.codes = codes;
    this.firstRow = firstRow;
    this.distance = distance;
  }

  /** The row codes. */
  public QuantizedVectors codes() {
    return codes;
  }

  /** Number of multivectors. */
  public int size() {
    return firstRow.length - 1;
  }

  /** Bytes on the heap: the codes and the first-row table. */
  public long heapBytes() {
    return codes.heapBytes() + 4L * firstRow.length;
  }

  /**
   * A scorer of the prepared query rows against every multivector, as a similarity (higher is
   * better, negated for Euclid and Manhattan, the graph's convention); {@code rowScorer} makes a
   * row's scorer over the codes (e.g. {@code codes()::scorer}, or a binary Hamming scorer).
   */
  public VectorScorer scorer(float[][] query, Function<float[], VectorScorer> rowScorer) {
    VectorScorer[] perRow = new VectorScorer[query.length];
    for (int i = 0; i < query.length; i++) {
      perRow[i] = rowScorer.apply(query[i]);
    }
    return new Scorer(perRow);
  }

  /** A scorer with the codes' own query encoding ({@link QuantizedVectors#scorer}). */
  public VectorScorer scorer(float[][] query) {
    return scorer(query, codes::scorer);
  }

  private final class Scorer implements VectorScorer {
    private final VectorScorer[] perRow;
    private int[] rowOrds = new int[16]; // scratch: the row ords of the point being scored
    private float[] rowScores = new float[16];

    Scorer(VectorScorer[] perRow) {
      this.perRow = perRow;
    }

    @Override
    public float score(int ord) {
      int from = firstRow[ord];
      int count = firstRow[ord + 1] - from;
      if (rowOrds.length < count) {
        rowOrds = new int[count];
        rowScores = new float[count];
      }
      for (int r = 0; r < count; r++) {
        rowOrds[r] = from + r;
      }
      double sum = 0;
      for (VectorScorer q : perRow) {
        q.bulkScore(rowOrds, count, rowScores); // overlaps the rows' cache misses (int8)
        float best = Float.NEGATIVE_INFINITY;
        for (int r = 0; r < count; r++) {
          best = Math.max(best, rowScores[r]);
        }
        sum += distance.toQdrantScore(best);
      }
      return (float) (distance.higherIsBetter() ? sum : -sum);
    }

    @Override
    public int size() {
      return firstRow.length - 1;
    }

    @Override
    public boolean isExact() {
      return false;
    }
  }
}
