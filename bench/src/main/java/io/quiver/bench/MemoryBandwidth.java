package io.quiver.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures this machine's single-thread memory read bandwidth: a SIMD sum over 1 GiB of off-heap
 * memory (far beyond the caches), best of 5 passes. The yardstick for the exact scan.
 */
final class MemoryBandwidth {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final long BYTES = 1L << 30;

  private MemoryBandwidth() {}

  /** Bytes per second read by one thread. */
  static double measure() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment segment = arena.allocate(BYTES, 64);
      segment.fill((byte) 1);
      double best = 0;
      float sink = 0;
      for (int pass = 0; pass < 6; pass++) {
        long start = System.nanoTime();
        sink += sum(segment);
        long elapsed = System.nanoTime() - start;
        if (pass > 0) { // the first pass warms up the JIT
          best = Math.max(best, BYTES / (elapsed / 1e9));
        }
      }
      if (sink == 42) {
        System.out.print("");
      }
      return best;
    }
  }

  /** Sums the segment 1 MiB slice at a time, so the inner loop has an int index C2 can unroll. */
  private static float sum(MemorySegment segment) {
    int step = SPECIES.vectorByteSize();
    int slice = 1 << 20;
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = FloatVector.zero(SPECIES);
    FloatVector a2 = FloatVector.zero(SPECIES);
    FloatVector a3 = FloatVector.zero(SPECIES);
    ByteOrder le = ByteOrder.LITTLE_ENDIAN;
    for (long base = 0; base < segment.byteSize(); base += slice) {
      MemorySegment s = segment.asSlice(base, slice);
      for (int o = 0; o < slice; o += 4 * step) {
        a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, s, o, le));
        a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, s, o + step, le));
        a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, s, o + 2 * step, le));
        a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, s, o + 3 * step, le));
      }
    }
    return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
  }
}
