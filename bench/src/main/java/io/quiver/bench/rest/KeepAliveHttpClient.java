package io.quiver.bench.rest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A blocking HTTP/1.1 client over one kept-alive connection, for latency measurements: it writes
 * the request and reads the response on the calling thread, nothing else. The JDK's {@code
 * HttpClient} hands every exchange to its selector thread and back; on this 2-core machine that
 * alone put the floor of {@code GET /healthz} at 0.4-0.6 ms, where a plain keep-alive client
 * (Python's {@code http.client}) measured 0.07 ms. Speaks only what Quiver answers: responses with
 * a {@code Content-Length}. One per thread; not thread-safe.
 */
final class KeepAliveHttpClient implements AutoCloseable {

  /** A response: its status and body. */
  record Response(int status, String body) {}

  private final String host;
  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  KeepAliveHttpClient(String url) {
    URI uri = URI.create(url);
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
  }

  Response send(String method, String path, byte[] body) throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(300_000);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
    }
    StringBuilder head =
        new StringBuilder(128)
            .append(method)
            .append(' ')
            .append(path)
            .append(" HTTP/1.1\r\nHost: ")
            .append(host)
            .append(':')
            .append(port)
            .append("\r\n");
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.length)
          .append("\r\n");
    } else if (!method.equals("GET")) {
      head.append("Content-Length: 0\r\n");
    }
    byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    if (body == null || body.length > 16 * 1024) {
      out.write(headBytes);
      if (body != null) {
        out.write(body);
      }
    } else { // one segment for small requests
      byte[] all = new byte[headBytes.length + body.length];
      System.arraycopy(headBytes, 0, all, 0, headBytes.length);
      System.arraycopy(body, 0, all, headBytes.length, body.length);
      out.write(all);
    }
    out.flush();
    String status = line();
    if (!status.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP/1.1 response: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    int length = -1;
    boolean close = false;
    for (String header; !(header = line()).isEmpty(); ) {
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim();
      if (name.equalsIgnoreCase("content-length")) {
        length = Integer.parseInt(header.substring(colon + 1).trim());
      } else if (name.equalsIgnoreCase("connection")
          && header.substring(colon + 1).trim().equalsIgnoreCase("close")) {
        close = true;
      }
    }
    if (length < 0) {
      throw new IOException(method + " " + path + ": a response without Content-Length");
    }
    byte[] content = in.readNBytes(length);
    if (content.length < length) {
      throw new IOException(method + " " + path + ": connection closed in the body");
    }
    if (close) {
      close();
    }
    return new Response(code, new String(content, StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("connection closed by the server");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
