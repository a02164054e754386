/**
 * Quantized vectors: smaller codes that the graph searches with approximate scores, followed by an
 * exact rescoring of the best candidates from the float32 vectors ({@link
 * io.quiver.index.quant.RescoringSearch}).
 *
 * <pre>
 *   query ──quantize──▶ code ──▶ HnswSearcher(graph, quantized VectorScorer)   (isExact() == false)
 *                                   │ k * oversample candidates
 *                                   ▼
 *                       exact VectorScorer over the FloatVectors ──▶ top k
 * </pre>
 *
 * Int8 ({@link io.quiver.index.quant.Int8Vectors}): one byte per dimension (1/4 of float32), one
 * global [lower, upper] range from quantiles. Binary ({@link io.quiver.index.quant.BinaryVectors}):
 * one bit per dimension (1/32), the sign of the value after centering on the per-dimension mean; a
 * float query is scored asymmetrically (4-bit query bit planes against the sign bits, scaled by
 * per-vector norms), stored codes by Hamming distance. Product quantization ({@link
 * io.quiver.index.quant.PqVectors}, trained by {@link io.quiver.index.quant.ProductQuantizer}): one
 * byte per subspace of a few dimensions, scored by table lookups (asymmetric distance computation);
 * not for Manhattan. TurboQuant ({@link io.quiver.index.quant.TurboVectors}): a seeded randomized
 * Hadamard rotation ({@link io.quiver.index.quant.HadamardRotation}), then each coordinate
 * quantized independently with the Lloyd-Max codebook of the normal distribution ({@link
 * io.quiver.index.quant.GaussianCodebook}) at 1, 1.6 (ternary), 2 or 4 bits ({@link
 * io.quiver.index.quant.TurboBits}), scored by a table per code byte; not for Manhattan. {@link
 * io.quiver.index.quant.QuantizedVectorsFormat} is the binary form of any of the four, written
 * beside a sealed segment's graph so that codes are built once per segment. Multivectors quantize
 * their rows with the same classes ({@code io.quiver.index.multivector.QuantizedMaxSim}), and
 * {@link io.quiver.index.quant.RescoringSearch} takes any exact scorer (float MaxSim) for them.
 */
package io.quiver.index.quant;
