/**
 * The benchmarks {@code bin/quiver bench} runs ({@link io.quiver.bench.BenchMain} lists them):
 * {@code index} ({@link io.quiver.bench.IndexBenchmark}: Quiver's HNSW and its quantized variants
 * against Lucene, JVector and an exact scan, on Fashion-MNIST or a synthetic set, with cached exact
 * ground truth), {@code shard} and {@code segments} (one in-process shard: ingest, payload-indexed
 * filtered search, heap and RSS), {@code sparse} (BM25 over Debian's package descriptions against
 * Lucene), {@code multivector}, and the REST benchmarks against a running node. Speed is measured
 * here, never in unit tests; docs/benchmarks.md records the figures and the commands that gave
 * them, and {@code bench/results/} their full output.
 */
package io.quiver.bench;
