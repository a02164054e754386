package io.quiver.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The JDK's ahead-of-time cache (JEP 483/514: classes loaded and linked, profiles) for the node
 * processes the tests start: made once per node build by a training run, then given to every {@link
 * NodeProcess} with {@code -XX:AOTCache}. Measured on this machine (2 cores, busy), a node with 11
 * collections went from launch to ready in 4.1-4.4 s with the cache and 7.6-8.4 s without; most of
 * a start is class loading, and the suite starts a few hundred nodes.
 *
 * <p>The cache is a file beside the jar named by the build it was made from ({@code
 * quiver-node-it-<hash>.aot}: a hash of Quiver's own jars and the names and sizes of the
 * libraries), so a cache of another build is never used: the JVM does not notice a changed library
 * jar under a cache and runs its old cached classes beside the new ones (a storage-only change ran
 * them: NoSuchMethodError), and comparing file times was not enough to keep such a cache out.
 * Should the training run fail, nodes start without a cache and the reason is printed once. {@code
 * -Dquiver.it.aot=false} turns it off.
 */
final class NodeAotCache {

  private static final String PREFIX = "quiver-node-it";
  private static boolean tried;
  private static Path cache;

  private NodeAotCache() {}

  /** The JVM options that use the cache ({@code -XX:AOTCache=...}), empty when there is none. */
  static synchronized List<String> options(Path nodeDir) {
    if (!tried) {
      tried = true;
      boolean wanted = !"false".equals(System.getProperty("quiver.it.aot"));
      cache = wanted ? prepare(nodeDir) : null;
    }
    return cache == null ? List.of() : List.of("-XX:AOTCache=" + cache);
  }

  private static Path prepare(Path nodeDir) {
    try {
      Path file = nodeDir.resolve(PREFIX + "-" + buildKey(nodeDir) + ".aot");
      if (Files.exists(file)) {
        return file;
      }
      try (var old = Files.newDirectoryStream(nodeDir, PREFIX + "*.aot")) {
        for (Path p : old) {
          Files.deleteIfExists(p);
        }
      }
      long started = System.nanoTime();
      train(file);
      if (!Files.exists(file)) {
        System.out.println(
            "node AOT cache: the training run wrote no " + file + "; nodes start without one");
        return null;
      }
      System.out.printf(
          "node AOT cache: %s (%d MB) made in %.1f s%n",
          file, Files.size(file) >> 20, (System.nanoTime() - started) / 1e9);
      return file;
    } catch (IOException | RuntimeException e) {
      System.out.println("node AOT cache: none, nodes start without one: " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * The build's key: SHA-1 over the bytes of the node jar and of Quiver's jars in {@code lib/}, and
   * over the names and sizes of every jar there (the libraries' names carry their versions).
   */
  static String buildKey(Path nodeDir) throws IOException {
    try {
      java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
      sha1.update(Files.readAllBytes(nodeDir.resolve("quiver-node.jar")));
      Path lib = nodeDir.resolve("lib");
      if (Files.isDirectory(lib)) {
        List<Path> jars;
        try (var listed = Files.list(lib)) {
          jars = listed.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) {
          String name = jar.getFileName().toString();
          sha1.update(
              (name + " " + Files.size(jar) + "\n")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          if (name.startsWith("quiver-")) {
            sha1.update(Files.readAllBytes(jar));
          }
        }
      }
      return java.util.HexFormat.of().formatHex(sha1.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JDK", e);
    }
  }

  /**
   * Starts a node that records the cache, takes it through the usual calls, and stops it (the JVM
   * writes the cache at exit).
   */
  private static void train(Path file) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("quiver-aot-training");
    try (NodeProcess node =
        new NodeProcess(dir.resolve("n0")).jvmOptions(List.of("-XX:AOTCacheOutput=" + file))) {
      node.start();
      QdrantHttp http = new QdrantHttp(node.baseUrl());
      http.send(
          "PUT",
          "/collections/training",
          "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":2}");
      http.send(
          "PUT",
          "/collections/training/index",
          "{\"field_name\":\"k\",\"field_schema\":\"keyword\"}");
      http.send(
          "PUT",
          "/collections/training/points?wait=true",
          "{\"points\":[{\"id\":1,\"vector\":[1,2,3,4],\"payload\":{\"k\":\"a\"}},{\"id\":2,\"vector\":[4,3,2,1]}]}");
      http.send(
          "POST",
          "/collections/training/points/query",
          "{\"query\":[1,2,3,4],\"filter\":{\"must\":[{\"key\":\"k\",\"match\":{\"value\":\"a\"}}]},\"with_payload\":true}");
      http.send("POST", "/collections/training/points/scroll", "{\"limit\":10}");
      http.get("/collections/training");
      http.get("/cluster");
      http.send("DELETE", "/collections/training", null);
      node.stop();
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
