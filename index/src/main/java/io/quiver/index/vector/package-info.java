/**
 * Distances and the SIMD kernels that compute them, the bottom of the module map. {@link
 * io.quiver.index.vector.Distance} holds Qdrant's four distances and their conventions (Cosine
 * vectors normalized once on the way in, Euclid and Manhattan reported as distances); {@link
 * io.quiver.index.vector.VectorKernels} is the one interface of dot-product, squared-L2 and L1
 * kernels (cosine is a dot product of normalized vectors) over float32 (heap arrays, flat arrays at
 * an offset, {@code MemorySegment}s of mapped files), int8 and binary codes. {@link
 * io.quiver.index.vector.VectorizationProvider} picks once per JVM between the Vector API
 * implementation ({@link io.quiver.index.vector.PanamaVectorKernels}) and the scalar reference
 * ({@link io.quiver.index.vector.ScalarVectorKernels}), and logs why it fell back; nothing else in
 * Quiver branches on that choice.
 */
package io.quiver.index.vector;
