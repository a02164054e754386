/**
 * End-to-end benchmarks through the REST API of a running node or cluster, with a real HTTP client
 * over loopback: {@link io.quiver.bench.rest.RestBenchmark} measures {@code wait=true} upsert
 * batches and query latency, as a user's client sees them (the engine's own speed is measured
 * in-process by the other benchmarks).
 */
package io.quiver.bench.rest;
