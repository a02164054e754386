/**
 * A shard's multivectors ({@link io.quiver.storage.multivector.MultiVectorIndexes}): per name the
 * points' row lists on the heap, rebuilt at open from the points column family, with HNSW graph
 * parts over them (MaxSim between points) that are written to files and loaded at open when they
 * still match the stored points. With a quantization, each part also holds its rows' codes ({@code
 * PartCodes}), in its file too.
 */
package io.quiver.storage.multivector;
