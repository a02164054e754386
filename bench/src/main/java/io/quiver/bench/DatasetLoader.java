package io.quiver.bench;

import io.quiver.index.vector.Distance;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/** Loads the benchmark's data sets by name: {@code fashion-mnist} or {@code synth:N:DIM}. */
public final class DatasetLoader {

  private static final String FASHION_PACKAGE = "dataset-fashion-mnist";
  private static final long SYNTH_SEED = 42;

  private DatasetLoader() {}

  public static Dataset load(String name) throws IOException, InterruptedException {
    if (name.equals("fashion-mnist")) {
      return fashionMnist();
    }
    if (name.startsWith("synth:")) {
      String[] parts = name.split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("synthetic data set must be synth:N:DIM, got " + name);
      }
      return synthetic(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), 2000);
    }
    throw new IllegalArgumentException(
        "unknown data set " + name + " (fashion-mnist or synth:N:DIM)");
  }

  /**
   * The ann-benchmarks set fashion-mnist-784-euclidean: the 60,000 training images are the base,
   * the 10,000 test images the queries; raw pixels as float32, L2. Installs the Debian package when
   * its files are missing.
   */
  static Dataset fashionMnist() throws IOException, InterruptedException {
    Path train = findPackageFile("train-images-idx3-ubyte.gz");
    Path test = findPackageFile("t10k-images-idx3-ubyte.gz");
    float[] base = readIdxImages(train);
    float[] queries = readIdxImages(test);
    return new Dataset(
        "fashion-mnist", "fashion-mnist-60000x784", Distance.EUCLID, 784, base, queries);
  }

  private static Path findPackageFile(String fileName) throws IOException, InterruptedException {
    Path known = Path.of("/usr/share/datasets/fashion-mnist", fileName);
    if (Files.exists(known)) {
      return known;
    }
    List<String> listed = run("dpkg", "-L", FASHION_PACKAGE);
    if (listed.stream().noneMatch(l -> l.endsWith(fileName))) {
      System.err.println("bench: installing " + FASHION_PACKAGE + " with apt-get");
      run("apt-get", "install", "-y", FASHION_PACKAGE);
      listed = run("dpkg", "-L", FASHION_PACKAGE);
    }
    return listed.stream()
        .filter(l -> l.endsWith(fileName))
        .map(Path::of)
        .findFirst()
        .orElseThrow(() -> new IOException(FASHION_PACKAGE + " does not contain " + fileName));
  }

  private static List<String> run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out.lines().toList();
  }

  private static float[] readIdxImages(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
      int magic = in.readInt();
      if (magic != 0x00000803) {
        throw new IOException(
            file + ": not an idx3 image file (magic " + Integer.toHexString(magic) + ")");
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      byte[] pixels = in.readNBytes(count * rows * cols);
      float[] out = new float[pixels.length];
      for (int i = 0; i < pixels.length; i++) {
        out[i] = pixels[i] & 0xff;
      }
      return out;
    }
  }

  /**
   * A Gaussian mixture with low intrinsic dimension: 64 cluster centres in a 16-d latent space,
   * points scattered around them, mapped to {@code dim} dimensions by one random linear map, plus a
   * little isotropic noise. Queries are fresh draws from the same distribution.
   */
  static Dataset synthetic(int n, int dim, int queryCount) {
    SplittableRandom random = new SplittableRandom(SYNTH_SEED);
    int latent = Math.min(16, dim);
    int clusters = 64;
    double[][] map = new double[dim][latent];
    for (double[] row : map) {
      for (int j = 0; j < latent; j++) {
        row[j] = gaussian(random) / Math.sqrt(latent);
      }
    }
    double[][] centres = new double[clusters][latent];
    for (double[] c : centres) {
      for (int j = 0; j < latent; j++) {
        c[j] = gaussian(random) * 2;
      }
    }
    float[] base = draw(random, n, dim, map, centres);
    float[] queries = draw(random, queryCount, dim, map, centres);
    return new Dataset(
        "synth:" + n + ":" + dim,
        "synth-" + n + "x" + dim + "-s" + SYNTH_SEED,
        Distance.EUCLID,
        dim,
        base,
        queries);
  }

  private static float[] draw(
      SplittableRandom random, int n, int dim, double[][] map, double[][] centres) {
    int latent = centres[0].length;
    float[] out = new float[n * dim];
    double[] z = new double[latent];
    for (int i = 0; i < n; i++) {
      double[] c = centres[random.nextInt(centres.length)];
      for (int j = 0; j < latent; j++) {
        z[j] = c[j] + gaussian(random);
      }
      for (int d = 0; d < dim; d++) {
        double x = 0;
        double[] row = map[d];
        for (int j = 0; j < latent; j++) {
          x += row[j] * z[j];
        }
        out[i * dim + d] = (float) (x + 0.05 * gaussian(random));
      }
    }
    return out;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
