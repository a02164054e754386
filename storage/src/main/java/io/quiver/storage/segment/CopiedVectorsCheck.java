package io.quiver.storage.segment;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.storage.StorageException;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a newly written segment's vectors back and compares each with the vector of the point it
 * was copied from, before the segment may replace its sources. A segment whose vectors differ is
 * refused (its build fails, its files are removed, and the work is tried again later), so that no
 * swap ever replaces good vectors with wrong ones.
 *
 * <p>Why: a node was seen to write a segment in which 7,799 and then 23,564 consecutive points all
 * held the vector of the point before them (their Raft log and RocksDB held the right ones; exact
 * search could not find them by their own vectors). The copy loops that write segments hold one
 * scratch vector each, and the pattern is that scratch vector left unchanged from one point on; the
 * cause was not found (a node running with a JDK AOT cache, after hours of other work; not
 * reproduced without it). Reading back costs a sequential pass over the new segment's vectors,
 * small beside writing them, and far smaller than building a graph.
 */
final class CopiedVectorsCheck {

  private CopiedVectorsCheck() {}

  /**
   * @throws StorageException naming the first point whose vector in {@code written} differs from
   *     its origin's (or that is present in one and absent in the other)
   */
  static void verify(
      SealedSegment written, List<SealedSegment.Origin> origins, Iterable<String> vectorNames) {
    for (String name : vectorNames) {
      FloatVectors copied = written.vectors(name);
      float[] expected = new float[copied.dimension()];
      float[] actual = new float[copied.dimension()];
      Segment source = null;
      FloatVectors sourceVectors = null;
      for (int ord = 0; ord < origins.size(); ord++) {
        SealedSegment.Origin o = origins.get(ord);
        boolean present = o.segment().hasVector(name, o.ord());
        if (present != written.hasVector(name, ord)) {
          throw mismatch(
              written,
              name,
              ord,
              o,
              "is " + (present ? "absent" : "present") + " in the new segment only");
        }
        if (!present) {
          continue;
        }
        if (o.segment() != source) {
          source = o.segment();
          sourceVectors = source.vectors(name);
        }
        sourceVectors.copyVector(o.ord(), expected);
        copied.copyVector(ord, actual);
        if (!Arrays.equals(expected, actual)) {
          throw mismatch(written, name, ord, o, "differs from its source's");
        }
      }
    }
  }

  private static StorageException mismatch(
      SealedSegment written, String name, int ord, SealedSegment.Origin o, String what) {
    return new StorageException(
        "segment "
            + written.name()
            + " was written wrong: the vector `"
            + name
            + "` of point "
            + o.segment().id(o.ord())
            + " (ord "
            + ord
            + ", copied from "
            + o.segment()
            + " ord "
            + o.ord()
            + ") "
            + what
            + "; the segment is discarded and its build tried again",
        null);
  }
}
