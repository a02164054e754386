package io.quiver.storage;

import io.quiver.index.quant.BinaryVectors;
import io.quiver.index.quant.Int8Vectors;
import io.quiver.index.quant.PqVectors;
import io.quiver.index.quant.ProductQuantizer;
import io.quiver.index.quant.QuantizedVectors;
import io.quiver.index.quant.ScalarQuantizer;
import io.quiver.index.quant.TurboVectors;
import io.quiver.index.scorer.FloatVectors;

/**
 * How the codes a {@link QuantizationConfig} asks for are made from a set of vectors: the dense
 * vectors of a sealed segment ({@code SegmentCodes}) or the rows of a multivector graph part (a
 * {@code MultiVectorRows}). One place, so both get the same codes from the same vectors. Seeded
 * (quantile sampling, k-means): every replica gets the same codes.
 */
public final class QuantizationTraining {

  /** Seed of quantile sampling, k-means and the turbo rotation. */
  static final long SEED = 42;

  /** Vectors k-means trains the product codebooks on, and its rounds. */
  static final int PQ_SAMPLE = 5_000;

  static final int PQ_ITERATIONS = 6;

  private QuantizationTraining() {}

  /**
   * Quantizes every vector of {@code vectors} as {@code q} asks. Cost: int8, binary and turbo two
   * passes over the vectors (turbo's rotation is seeded with {@link #SEED}, stored with the codes);
   * product k-means on {@value #PQ_SAMPLE} vectors, then one pass.
   */
  public static QuantizedVectors quantize(QuantizationConfig q, FloatVectors vectors) {
    return switch (q) {
      case QuantizationConfig.Scalar s ->
          Int8Vectors.quantize(
              vectors,
              ScalarQuantizer.fit(vectors, s.quantile() == null ? 1.0 : s.quantile(), SEED));
      case QuantizationConfig.Product p ->
          PqVectors.quantize(
              vectors,
              ProductQuantizer.train(
                  vectors, p.subspaces(vectors.dimension()), PQ_SAMPLE, PQ_ITERATIONS, SEED));
      case QuantizationConfig.Binary b -> BinaryVectors.quantize(vectors);
      case QuantizationConfig.Turbo t -> TurboVectors.quantize(vectors, t.effectiveBits(), SEED);
    };
  }
}
