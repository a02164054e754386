package io.quiver.bench;

import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.index.scorer.VectorScorer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * The exact top-100 of every query, by a SIMD scan over all base vectors on every core, cached on
 * disk under a name that includes a checksum of the data, so a changed data set is never judged
 * against stale truth.
 */
final class GroundTruth {

  static final int DEPTH = 100;
  private static final int MAGIC = 0x51475431; // "QGT1"

  private GroundTruth() {}

  /** Loads the cached truth for {@code data}, or computes and caches it. Rows are best first. */
  static int[][] load(Dataset data, Path cacheDir) throws IOException, InterruptedException {
    Path file =
        cacheDir.resolve("gt-" + data.key() + "-" + Long.toHexString(checksum(data)) + ".bin");
    if (Files.exists(file)) {
      int[][] cached = read(file, data.queryCount());
      if (cached != null) {
        System.out.println("ground truth: cached " + file);
        return cached;
      }
    }
    long start = System.nanoTime();
    int[][] truth = compute(data);
    System.out.printf(
        "ground truth: computed top-%d of %d queries in %.1f s, cached in %s%n",
        DEPTH, data.queryCount(), (System.nanoTime() - start) / 1e9, file);
    write(file, truth);
    return truth;
  }

  private static long checksum(Dataset data) {
    CRC32C crc = new CRC32C();
    for (float[] array : new float[][] {data.base(), data.queries()}) {
      for (int i = 0; i < array.length; i += 97) { // a sample is enough to tell data sets apart
        int bits = Float.floatToRawIntBits(array[i]);
        crc.update(bits);
        crc.update(bits >>> 8);
        crc.update(bits >>> 16);
        crc.update(bits >>> 24);
      }
    }
    return crc.getValue() ^ ((long) data.base().length << 32) ^ data.queries().length;
  }

  static int[][] compute(Dataset data) throws InterruptedException {
    HeapFloatVectors vectors = new HeapFloatVectors(data.base(), data.dim(), data.distance());
    int nq = data.queryCount();
    int[][] truth = new int[nq][];
    AtomicInteger next = new AtomicInteger();
    int threads = Runtime.getRuntime().availableProcessors();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    TopK top = new TopK(DEPTH);
                    for (int q = next.getAndIncrement(); q < nq; q = next.getAndIncrement()) {
                      VectorScorer scorer = vectors.scorer(data.distance().prepare(data.query(q)));
                      top.clear();
                      for (int i = 0; i < vectors.size(); i++) {
                        top.offer(scorer.score(i), i);
                      }
                      truth[q] = top.bestFirst();
                    }
                  });
    }
    for (Thread w : workers) {
      w.join();
    }
    return truth;
  }

  private static int[][] read(Path file, int nq) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      if (in.readInt() != MAGIC || in.readInt() != nq || in.readInt() != DEPTH) {
        return null;
      }
      int[][] truth = new int[nq][DEPTH];
      for (int[] row : truth) {
        for (int j = 0; j < DEPTH; j++) {
          row[j] = in.readInt();
        }
      }
      return truth;
    }
  }

  private static void write(Path file, int[][] truth) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
      out.writeInt(MAGIC);
      out.writeInt(truth.length);
      out.writeInt(DEPTH);
      for (int[] row : truth) {
        for (int j = 0; j < DEPTH; j++) {
          out.writeInt(row[j]);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
