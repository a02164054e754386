/**
 * A shard's multivectors ({@link io.quiver.storage.multivector.MultiVectorIndexes}): per name the
 * points' row lists on the heap, rebuilt at open from the points column family, searched exactly
 * by MaxSim.
 */
package io.quiver.storage.multivector;
