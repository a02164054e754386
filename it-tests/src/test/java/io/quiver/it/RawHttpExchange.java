package io.quiver.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP request written as raw bytes over its own socket, so that a test can send what no HTTP
 * client would (invalid UTF-8, broken framing, a body trickled byte by byte) and see exactly how
 * the server ends the exchange: a status line, a closed connection, or nothing within the bound.
 */
final class RawHttpExchange {

  /** How the exchange ended. {@code status} is -1 when no status line came back. */
  record Outcome(int status, boolean closed, boolean timedOut, long millis, String response) {

    /**
     * The outcome class a report counts: {@code 200}, {@code 4xx:413}, {@code closed}, {@code
     * hang}.
     */
    String label() {
      if (timedOut) {
        return "hang";
      }
      if (status < 0) {
        return "closed";
      }
      return status >= 400 && status < 500
          ? "4xx:" + status
          : status >= 500 ? "5xx:" + status : Integer.toString(status);
    }

    /**
     * The JSON body of the response, or "" (everything after the blank line that ends the head).
     */
    String body() {
      int at = response.indexOf("\r\n\r\n");
      return at < 0 ? "" : response.substring(at + 4);
    }
  }

  /**
   * How the request is sent: all at once; trickled (one piece every {@code trickleMs}, to test
   * slow-loris guards); and whether the client half-closes its side after the last byte (a body cut
   * short: the server sees the end of the stream).
   */
  record Sending(int trickleBytes, long trickleMs, boolean halfCloseAfter) {
    static final Sending AT_ONCE = new Sending(0, 0, false);
  }

  private RawHttpExchange() {}

  /**
   * Sends {@code request} to 127.0.0.1:{@code port} and reads until the server closes the
   * connection, a whole response has arrived ({@code Content-Length} honoured), or {@code boundMs}
   * passes since the first byte was sent.
   */
  static Outcome send(int port, byte[] request, Sending sending, long boundMs)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) Math.max(1, boundMs));
      OutputStream out = socket.getOutputStream();
      try {
        if (sending.trickleBytes() <= 0) {
          out.write(request);
        } else {
          for (int i = 0; i < request.length && !socket.isClosed(); i += sending.trickleBytes()) {
            out.write(request, i, Math.min(sending.trickleBytes(), request.length - i));
            out.flush();
            if (elapsedMs(start) > boundMs) {
              break;
            }
            Thread.sleep(sending.trickleMs());
          }
        }
        out.flush();
        if (sending.halfCloseAfter()) {
          socket.shutdownOutput();
        }
      } catch (SocketException closedWhileSending) {
        // The server answered (413, 431, 408...) and closed while we were still writing: read it.
      }
      return read(socket, start, boundMs);
    }
  }

  private static Outcome read(Socket socket, long start, long boundMs) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[16_384];
    boolean closed = false;
    boolean timedOut = false;
    try {
      while (true) {
        long left = boundMs - elapsedMs(start);
        if (left <= 0) {
          timedOut = true;
          break;
        }
        socket.setSoTimeout((int) left);
        int n = in.read(buffer);
        if (n < 0) {
          closed = true;
          break;
        }
        received.write(buffer, 0, n);
        if (complete(received.toByteArray())) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      timedOut = true;
    } catch (SocketException reset) {
      closed = true;
    }
    String text = received.toString(StandardCharsets.UTF_8);
    int status = statusOf(text);
    // A status line that came back counts as the answer even if the connection then lingered.
    return new Outcome(status, closed, timedOut && status < 0, elapsedMs(start), text);
  }

  /** True when {@code bytes} hold a response head and as much body as its Content-Length says. */
  private static boolean complete(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return false;
    }
    String head = text.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
    int at = head.indexOf("content-length:");
    if (at < 0) {
      return false; // read to the close
    }
    int lineEnd = head.indexOf("\r\n", at);
    long length =
        Long.parseLong(head.substring(at + 15, lineEnd < 0 ? head.length() : lineEnd).trim());
    return bytes.length - (headEnd + 4) >= length;
  }

  private static int statusOf(String response) {
    if (!response.startsWith("HTTP/1.") || response.length() < 12) {
      return -1;
    }
    try {
      return Integer.parseInt(response.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
