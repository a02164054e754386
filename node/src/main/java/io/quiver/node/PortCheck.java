package io.quiver.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Refuses to start on a port another process holds, naming the port and what it was for. */
final class PortCheck {

  /** A port this node needs is taken: the message says which and for what. */
  static final class PortInUseException extends IOException {
    PortInUseException(String message) {
      super(message);
    }
  }

  private PortCheck() {}

  /**
   * Binds {@code host:port} for a moment and lets it go.
   *
   * @param purpose what the port is for, e.g. "the REST API (service.http_port)"
   */
  static void free(String host, int port, String purpose) throws PortInUseException {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new PortInUseException(
          "cannot start: port "
              + port
              + " on "
              + host
              + " for "
              + purpose
              + " is already in use ("
              + e.getMessage()
              + "); nothing was written to the data directory");
    }
  }
}
