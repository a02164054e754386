package io.quiver.index.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: an index written to disk and mapped back is the same index: same graph, same vectors, same
 * search results; and a damaged file is refused, never searched. Oracle: the in-memory index it was
 * written from. Seeded; the seed is in every failure message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HnswFormatTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @TempDir Path dir;

  @Test
  void roundTripPreservesGraphVectorsAndResults() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    HnswIndex heap = HnswRecallTest.build(random, Distance.EUCLID, 2);
    Path file = dir.resolve("graph.qvh");
    heap.write(file);
    try (HnswIndex mapped = HnswIndex.open(file)) {
      HnswGraph a = heap.graph();
      HnswGraph b = mapped.graph();
      assertEquals(a.size(), b.size());
      assertEquals(a.maxLevel(), b.maxLevel());
      assertEquals(a.entryPoint(), b.entryPoint());
      assertEquals(
          0,
          mapped.graph().heapBytes() > mapped.graph().offHeapBytes() ? 1 : 0,
          "level 0 stays off-heap");
      int[] la = new int[a.maxConn0()];
      int[] lb = new int[b.maxConn0()];
      float[] va = new float[heap.vectors().dimension()];
      float[] vb = new float[va.length];
      for (int node = 0; node < a.size(); node++) {
        assertEquals(a.levelOf(node), b.levelOf(node), "seed=" + SEED + " node " + node);
        for (int level = 0; level <= a.levelOf(node); level++) {
          int ca = a.neighbours(level, node, la);
          int cb = b.neighbours(level, node, lb);
          assertEquals(ca, cb, "seed=" + SEED + " node " + node + " level " + level);
          for (int i = 0; i < ca; i++) {
            assertEquals(la[i], lb[i], "seed=" + SEED + " node " + node + " level " + level);
          }
        }
        heap.vectors().copyVector(node, va);
        mapped.vectors().copyVector(node, vb);
        assertArrayEquals(va, vb, "seed=" + SEED + " vector " + node);
      }
      for (int q = 0; q < 20; q++) {
        float[] query = HnswRecallTest.query(random, heap);
        TopHits ha = heap.search(query, 10, 50, OrdFilter.ALL);
        TopHits hb = mapped.search(query, 10, 50, OrdFilter.ALL);
        assertArrayEquals(ha.ords(), hb.ords(), "seed=" + SEED + " query " + q);
        assertArrayEquals(ha.scores(), hb.scores(), 1e-3f, "seed=" + SEED + " query " + q);
      }
    }
  }

  /**
   * A graph copied out of its mapping (memory: pinned) is the same graph: same lists on every
   * level, same search results; and it stays readable after the file's mapping is closed.
   */
  @Test
  void aGraphCopiedIntoMemoryIsTheMappedGraph() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    HnswIndex heap = HnswRecallTest.build(random, Distance.DOT, 2);
    Path file = dir.resolve("graph.qvh");
    heap.write(file);
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
      HnswGraph copy;
      try (HnswIndex mapped = HnswIndex.open(file)) {
        copy = mapped.graphIn(arena);
        assertTrue(copy != mapped.graph(), "a mapped graph is copied");
        assertTrue(mapped.graph().maxLevel() > 0, "seed=" + SEED + ": the test needs upper levels");
      }
      HnswGraph a = heap.graph();
      int[] la = new int[a.maxConn0()];
      int[] lb = new int[a.maxConn0()];
      assertEquals(a.entryPoint(), copy.entryPoint());
      for (int node = 0; node < a.size(); node++) {
        assertEquals(a.levelOf(node), copy.levelOf(node), "seed=" + SEED + " node " + node);
        for (int level = 0; level <= a.levelOf(node); level++) {
          int ca = a.neighbours(level, node, la);
          assertEquals(
              ca,
              copy.neighbours(level, node, lb),
              "seed=" + SEED + " node " + node + " level " + level);
          assertArrayEquals(
              java.util.Arrays.copyOf(la, ca),
              java.util.Arrays.copyOf(lb, ca),
              "seed=" + SEED + " node " + node + " level " + level);
        }
      }
      HnswIndex pinned = HnswIndex.of(copy, heap.vectors());
      for (int q = 0; q < 10; q++) {
        float[] query = HnswRecallTest.query(random, heap);
        assertArrayEquals(
            heap.search(query, 10, 50, OrdFilter.ALL).ords(),
            pinned.search(query, 10, 50, OrdFilter.ALL).ords(),
            "seed=" + SEED + " query " + q);
      }
    }
  }

  @Test
  void corruptedFileIsRejected() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    HnswIndex heap = HnswRecallTest.build(random, Distance.DOT, 1);
    Path file = dir.resolve("graph.qvh");
    heap.write(file);
    long position = 64 + random.nextLong(Files.size(file) - 64 - 12);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(position);
      int b = raf.read();
      raf.seek(position);
      raf.write(b ^ 0x10);
    }
    IOException e =
        assertThrows(
            IOException.class,
            () -> HnswIndex.open(file),
            "seed=" + SEED + " flipped byte " + position);
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void truncatedOrForeignFilesAreRejected() throws IOException {
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    assertThrows(IOException.class, () -> HnswIndex.open(empty));
    Path foreign = Files.write(dir.resolve("foreign"), new byte[200]);
    assertThrows(IOException.class, () -> HnswIndex.open(foreign));
  }

  /**
   * Goal: a graph-only file (version 3) maps back to the same graph and the caller's attachment
   * bytes; a flipped byte in the attachment is refused (the checksum covers it). Oracle: the
   * in-memory graph and the values written.
   */
  @Test
  void graphFileRoundTripsGraphAndAttachment() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    HnswIndex heap = HnswRecallTest.build(random, Distance.DOT, 2);
    Path file = dir.resolve("graph.v3");
    HnswFormat.writeGraph(
        file,
        heap.graph(),
        out -> {
          out.putInt(42);
          out.putBytes(new byte[] {1, 2, 3});
          out.putLong(-7L);
          out.putFloat(0.5f);
        });
    long attachmentStart;
    try (HnswFormat.GraphFile opened = HnswFormat.openGraph(file)) {
      HnswGraph a = heap.graph();
      HnswGraph b = opened.graph();
      assertEquals(a.size(), b.size());
      assertEquals(a.maxLevel(), b.maxLevel());
      assertEquals(a.entryPoint(), b.entryPoint());
      int[] la = new int[a.maxConn0()];
      int[] lb = new int[b.maxConn0()];
      for (int node = 0; node < a.size(); node++) {
        assertEquals(a.levelOf(node), b.levelOf(node), "seed=" + SEED + " node " + node);
        for (int level = 0; level <= a.levelOf(node); level++) {
          int ca = a.neighbours(level, node, la);
          assertEquals(
              ca,
              b.neighbours(level, node, lb),
              "seed=" + SEED + " node " + node + " level " + level);
          for (int i = 0; i < ca; i++) {
            assertEquals(la[i], lb[i], "seed=" + SEED + " node " + node + " level " + level);
          }
        }
      }
      var attachment = opened.attachment();
      var le = java.nio.ByteOrder.LITTLE_ENDIAN;
      assertEquals(19, attachment.byteSize());
      assertEquals(
          42, attachment.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), 0));
      assertEquals(3, attachment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 6));
      assertEquals(
          -7L, attachment.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(le), 7));
      assertEquals(
          0.5f,
          attachment.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le), 15));
      attachmentStart = Files.size(file) - 12 - 19;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(attachmentStart + 5);
      raf.write(9);
    }
    IOException e = assertThrows(IOException.class, () -> HnswFormat.openGraph(file));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    assertThrows(
        IOException.class, () -> HnswIndex.open(file), "a graph file is not an index file");
  }
}
