package io.quiver.index.quant;

import io.quiver.index.scorer.FloatVectors;
import java.util.SplittableRandom;

/**
 * Product quantization (Jégou et al. 2011): the dimensions are split into {@code m} contiguous
 * subspaces, each with its own codebook of 256 centroids learned by k-means on a sample; a vector
 * is encoded as the index of the nearest centroid in every subspace, one byte each. Immutable once
 * trained.
 */
public final class ProductQuantizer {

  static final int CENTROIDS = 256;

  private final int dim;
  private final int[] start; // subspace s covers dimensions [start[s], start[s + 1])
  private final float[][] codebooks; // [s][c * width(s) + d]

  private ProductQuantizer(int dim, int[] start, float[][] codebooks) {
    this.dim = dim;
    this.start = start;
    this.codebooks = codebooks;
  }

  /**
   * Trains {@code m} codebooks with {@code iterations} rounds of Lloyd's k-means on up to {@code
   * sampleSize} vectors drawn with {@code seed}. Cost: O(sample * 256 * dim * iterations).
   */
  public static ProductQuantizer train(
      FloatVectors vectors, int m, int sampleSize, int iterations, long seed) {
    int dim = vectors.dimension();
    if (m < 1 || m > dim) {
      throw new IllegalArgumentException("m must be in [1, " + dim + "], got " + m);
    }
    int[] start = new int[m + 1];
    for (int s = 0; s <= m; s++) {
      start[s] = (int) ((long) s * dim / m);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int n = Math.min(sampleSize, vectors.size());
    float[][] sample = new float[n][dim];
    for (int i = 0; i < n; i++) {
      vectors.copyPrepared(n == vectors.size() ? i : random.nextInt(vectors.size()), sample[i]);
    }
    float[][] codebooks = new float[m][];
    for (int s = 0; s < m; s++) {
      codebooks[s] = kMeans(sample, start[s], start[s + 1] - start[s], iterations, random);
    }
    return new ProductQuantizer(dim, start, codebooks);
  }

  private static float[] kMeans(
      float[][] sample, int from, int width, int iterations, SplittableRandom random) {
    int k = CENTROIDS;
    float[] centroids = new float[k * width];
    for (int c = 0; c < k; c++) {
      System.arraycopy(sample[random.nextInt(sample.length)], from, centroids, c * width, width);
    }
    int[] assignment = new int[sample.length];
    for (int it = 0; it < iterations; it++) {
      for (int i = 0; i < sample.length; i++) {
        assignment[i] = nearest(centroids, width, sample[i], from);
      }
      double[] sums = new double[k * width];
      int[] counts = new int[k];
      for (int i = 0; i < sample.length; i++) {
        int c = assignment[i];
        counts[c]++;
        for (int d = 0; d < width; d++) {
          sums[c * width + d] += sample[i][from + d];
        }
      }
      for (int c = 0; c < k; c++) {
        if (counts[c] == 0) { // an empty cluster restarts at a random sample point
          System.arraycopy(
              sample[random.nextInt(sample.length)], from, centroids, c * width, width);
          continue;
        }
        for (int d = 0; d < width; d++) {
          centroids[c * width + d] = (float) (sums[c * width + d] / counts[c]);
        }
      }
    }
    return centroids;
  }

  private static int nearest(float[] centroids, int width, float[] v, int from) {
    int best = 0;
    float bestDistance = Float.POSITIVE_INFINITY;
    for (int c = 0; c < CENTROIDS; c++) {
      float distance = 0;
      int base = c * width;
      for (int d = 0; d < width; d++) {
        float diff = v[from + d] - centroids[base + d];
        distance += diff * diff;
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    return best;
  }

  void writeTo(java.io.DataOutput out) throws java.io.IOException {
    out.writeInt(dim);
    out.writeInt(codebooks.length);
    QuantizedVectorsFormat.writeInts(start, out);
    for (float[] book : codebooks) {
      QuantizedVectorsFormat.writeFloats(book, out);
    }
  }

  static ProductQuantizer readFrom(java.io.DataInput in) throws java.io.IOException {
    int dim = QuantizedVectorsFormat.readDim(in);
    int m = in.readInt();
    if (m < 1 || m > dim) {
      throw new java.io.IOException(
          "corrupt product quantizer: " + m + " subspaces of " + dim + " dimensions");
    }
    int[] start = QuantizedVectorsFormat.readInts(in, m + 1);
    float[][] books = new float[m][];
    for (int s = 0; s < m; s++) {
      int width = start[s + 1] - start[s];
      if (start[0] != 0 || width < 1 || start[m] != dim) {
        throw new java.io.IOException(
            "corrupt product quantizer: subspace " + s + " starts at " + start[s]);
      }
      books[s] = QuantizedVectorsFormat.readFloats(in, CENTROIDS * width);
    }
    return new ProductQuantizer(dim, start, books);
  }

  /** The number of subspaces = bytes per code. */
  public int subspaces() {
    return codebooks.length;
  }

  public int dimension() {
    return dim;
  }

  /** Encodes {@code v} into {@code out[at .. at + subspaces())}. */
  public void encode(float[] v, byte[] out, int at) {
    for (int s = 0; s < codebooks.length; s++) {
      out[at + s] = (byte) nearest(codebooks[s], start[s + 1] - start[s], v, start[s]);
    }
  }

  /** Reconstructs the vector a code stands for into {@code out}. */
  public void decode(byte[] codes, int at, float[] out) {
    for (int s = 0; s < codebooks.length; s++) {
      int width = start[s + 1] - start[s];
      System.arraycopy(codebooks[s], (codes[at + s] & 0xff) * width, out, start[s], width);
    }
  }

  /**
   * Fills {@code table[s * 256 + c]} with the contribution of centroid c of subspace s to the
   * similarity with {@code query}: the negated squared distance ({@code euclid}) or the dot
   * product. A code's approximate similarity is then the sum of m table entries (asymmetric
   * distance).
   */
  public void similarityTable(float[] query, boolean euclid, float[] table) {
    for (int s = 0; s < codebooks.length; s++) {
      int width = start[s + 1] - start[s];
      float[] book = codebooks[s];
      for (int c = 0; c < CENTROIDS; c++) {
        float acc = 0;
        int base = c * width;
        for (int d = 0; d < width; d++) {
          float q = query[start[s] + d];
          float x = book[base + d];
          acc += euclid ? (q - x) * (q - x) : q * x;
        }
        table[s * CENTROIDS + c] = euclid ? -acc : acc;
      }
    }
  }
}
