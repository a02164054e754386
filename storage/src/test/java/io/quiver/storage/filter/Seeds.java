package io.quiver.storage.filter;

import java.util.Random;

/**
 * Seeds for the randomized tests: {@code -Dtests.seed=N} replays a run; every failure names its
 * seed.
 */
final class Seeds {

  private Seeds() {}

  interface Body {
    void run(Random random) throws Exception;
  }

  static void run(String name, Body body) throws Exception {
    String fixed = System.getProperty("tests.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    try {
      body.run(new Random(seed));
    } catch (AssertionError | RuntimeException e) {
      String message = name + " failed; replay with -Dtests.seed=" + seed + ": " + e.getMessage();
      System.err.println(message);
      throw new AssertionError(message, e);
    }
  }
}
