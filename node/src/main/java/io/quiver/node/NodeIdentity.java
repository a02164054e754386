package io.quiver.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * This node's id: chosen at random on the first start of a data directory and stored in it ({@code
 * node-id}), so a restarted node is the same Raft peer.
 */
final class NodeIdentity {

  private static final String FILE = "node-id";

  private NodeIdentity() {}

  static long loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IOException(file + " is corrupt: '" + text + "'", e);
      }
    }
    long id = new SecureRandom().nextLong() & Long.MAX_VALUE;
    Path tmp = dataDir.resolve(FILE + ".tmp");
    Files.writeString(tmp, Long.toString(id), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return id;
  }
}
