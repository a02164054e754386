/**
 * Multivectors (Qdrant's {@code multivector_config: {comparator: max_sim}}): a point holds a list
 * of dense vectors of one dimension, and two such lists compare by <em>MaxSim</em>, the
 * late-interaction score of ColBERT: for every query vector the best similarity among the point's
 * vectors, summed ({@link io.quiver.index.multivector.MaxSim}). {@link
 * io.quiver.index.multivector.MultiVectors} holds many lists in one flat heap array; {@link
 * io.quiver.index.multivector.MaxSimScorerSupplier} lets the HNSW builder and searcher treat a
 * point (a whole list) as one graph node, as Qdrant does. Quantized multivectors: {@link
 * io.quiver.index.multivector.MultiVectorRows} presents every row as one vector set to the
 * quantizers of {@code io.quiver.index.quant}, and {@link
 * io.quiver.index.multivector.QuantizedMaxSim} scores MaxSim over the row codes (for the traversal;
 * candidates are rescored by float MaxSim with {@code RescoringSearch}).
 *
 * <p>Terms: a <em>multivector</em> is one point's list; a <em>row</em> is one dense vector of it.
 */
package io.quiver.index.multivector;
