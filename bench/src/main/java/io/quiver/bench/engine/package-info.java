/**
 * The ANN implementations the index benchmark compares, each behind {@link
 * io.quiver.bench.engine.Engine} (build at 1 and 2 threads, then search): Quiver's float32 HNSW and
 * its int8, binary and product-quantized variants with exact rescoring, Lucene's and JVector's HNSW
 * used as libraries with the same M and efConstruction, and an exact SIMD scan over off-heap memory
 * that is both the recall oracle's twin and a memory-bandwidth yardstick.
 */
package io.quiver.bench.engine;
