package io.quiver.index.quant;

/**
 * The optimal scalar quantizer (Lloyd-Max) of a standard normal variable at a given number of
 * levels: sorted centroids, symmetric about 0, and the decision thresholds between them (the
 * midpoints). TurboQuant quantizes each coordinate of a randomly rotated unit vector, which is
 * close to N(0, 1/D) in D dimensions, with this codebook scaled by {@code 1/sqrt(D)}.
 *
 * <p>Computed once, deterministically, by Lloyd's iteration on a fine grid of the density (the
 * cumulative density and first moment integrated by the trapezoid rule over [-10, 10]): no table
 * copied from a paper, and the same bits on every replica (Java floating point is strict).
 * Immutable.
 */
public final class GaussianCodebook {

  private static final double RANGE = 10;
  private static final int STEPS = 200_000;
  private static final int ITERATIONS = 5_000;

  private final float[] centroids;
  private final float[] thresholds;
  private final double meanSquaredError;

  private GaussianCodebook(double[] c, double mse) {
    centroids = new float[c.length];
    thresholds = new float[c.length - 1];
    for (int i = 0; i < c.length; i++) {
      centroids[i] = (float) c[i];
    }
    for (int i = 0; i + 1 < c.length; i++) {
      thresholds[i] = (float) ((c[i] + c[i + 1]) / 2);
    }
    meanSquaredError = mse;
  }

  /** The Lloyd-Max codebook of N(0, 1) with {@code levels} (2..256) centroids. Cost: a few ms. */
  public static GaussianCodebook lloydMax(int levels) {
    if (levels < 2 || levels > 256) {
      throw new IllegalArgumentException("levels must be in [2, 256], got " + levels);
    }
    Grid g = new Grid();
    double[] c = new double[levels];
    for (int i = 0; i < levels; i++) {
      c[i] = -3 + 6.0 * (i + 0.5) / levels; // uniform start over ±3σ
    }
    double[] t = new double[levels + 1];
    for (int it = 0; it < ITERATIONS; it++) {
      t[0] = -RANGE;
      t[levels] = RANGE;
      for (int i = 1; i < levels; i++) {
        t[i] = (c[i - 1] + c[i]) / 2;
      }
      double moved = 0;
      for (int i = 0; i < levels; i++) {
        double mass = g.cdf(t[i + 1]) - g.cdf(t[i]);
        double next = mass > 0 ? (g.moment(t[i + 1]) - g.moment(t[i])) / mass : c[i];
        moved = Math.max(moved, Math.abs(next - c[i]));
        c[i] = next;
      }
      if (moved < 1e-12) {
        break;
      }
    }
    // Symmetrize exactly (the iteration is symmetric up to rounding).
    for (int i = 0; i < levels / 2; i++) {
      double m = (c[levels - 1 - i] - c[i]) / 2;
      c[i] = -m;
      c[levels - 1 - i] = m;
    }
    if (levels % 2 == 1) {
      c[levels / 2] = 0;
    }
    return new GaussianCodebook(c, g.meanSquaredError(c));
  }

  /** Number of centroids. */
  public int levels() {
    return centroids.length;
  }

  /** Centroid {@code level} (ascending in level). */
  public float centroid(int level) {
    return centroids[level];
  }

  /** A copy of the centroids, ascending. */
  public float[] centroids() {
    return centroids.clone();
  }

  /** Expected squared error of quantizing a N(0, 1) value with this codebook. */
  public double meanSquaredError() {
    return meanSquaredError;
  }

  /** The level of the nearest centroid to {@code z}. */
  public int quantize(float z) {
    int lo = 0;
    int hi = thresholds.length;
    while (lo < hi) { // first threshold above z
      int mid = (lo + hi) >>> 1;
      if (thresholds[mid] < z) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Prefix integrals of the N(0, 1) density and of x times it, on a grid. */
  private static final class Grid {
    private final double[] cdf = new double[STEPS + 1];
    private final double[] moment = new double[STEPS + 1];
    private final double h = 2 * RANGE / STEPS;

    Grid() {
      double norm = 1 / Math.sqrt(2 * Math.PI);
      double prevP = 0;
      double prevM = 0;
      for (int i = 0; i <= STEPS; i++) {
        double x = -RANGE + i * h;
        double p = norm * StrictMath.exp(-x * x / 2);
        if (i > 0) {
          cdf[i] = cdf[i - 1] + h * (p + prevP) / 2;
          moment[i] = moment[i - 1] + h * (x * p + prevM) / 2;
        }
        prevP = p;
        prevM = x * p;
      }
    }

    double cdf(double x) {
      return interpolate(cdf, x);
    }

    double moment(double x) {
      return interpolate(moment, x);
    }

    private double interpolate(double[] a, double x) {
      double pos = (Math.max(-RANGE, Math.min(RANGE, x)) + RANGE) / h;
      int i = Math.min(STEPS - 1, (int) pos);
      double f = pos - i;
      return a[i] + f * (a[i + 1] - a[i]);
    }

    /** E[(X - q(X))²]: Σ over cells of ∫ (x - c)² φ, on the grid. */
    double meanSquaredError(double[] c) {
      double norm = 1 / Math.sqrt(2 * Math.PI);
      double sum = 0;
      int level = 0;
      for (int i = 0; i < STEPS; i++) {
        double x = -RANGE + (i + 0.5) * h;
        while (level + 1 < c.length && x > (c[level] + c[level + 1]) / 2) {
          level++;
        }
        double e = x - c[level];
        sum += e * e * norm * StrictMath.exp(-x * x / 2) * h;
      }
      return sum;
    }
  }
}
