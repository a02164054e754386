package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Qdrant's official REST client for JavaScript ({@code @qdrant/js-client-rest}, pinned in {@code
 * it-tests/js-client/package.json}), unchanged, runs a realistic application session ({@code
 * session.mjs}: create, upsert, filtered count and query checked against brute force, scroll pages,
 * payload updates, a payload index, recommend, aliases, snapshots, deletes) against a real node
 * that requires an API key ({@code QUIVER__SERVICE__API_KEY}): the client passes it with its {@code
 * apiKey} option, and a client without it (or with a wrong one) gets 401. The test installs the npm
 * package itself into {@code target/js-client}.
 */
@Timeout(600)
class JsClientSessionIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void officialJsClientSessionPasses() throws Exception {
    Path work = Path.of("target", "js-client").toAbsolutePath();
    Files.createDirectories(work);
    for (String f : List.of("package.json", "session.mjs")) {
      Files.copy(Path.of("js-client", f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    run(work, 300, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
    String apiKey = "js-" + java.util.UUID.randomUUID();
    NodeProcess node = NODES.start(n -> n.environment("QUIVER__SERVICE__API_KEY", apiKey));
    String out = run(work, 240, "node", "session.mjs", node.baseUrl(), apiKey);
    assertTrue(
        out.contains("session passed")
            && out.contains("ok   a client without the API key is refused"),
        out);
  }

  /**
   * Runs a command in {@code dir}; fails with its output when it fails or outlives {@code seconds}.
   */
  private static String run(Path dir, int seconds, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("js-client", ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
      String out = Files.readString(log);
      assertTrue(done, String.join(" ", command) + " did not finish in " + seconds + " s:\n" + out);
      assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
      return out;
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }
}
