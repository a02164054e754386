package io.quiver.node.http;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST server's TLS context, built from PEM files ({@code tls.cert}, {@code tls.key} in PKCS#8,
 * and {@code tls.ca_cert} when client certificates are verified) and rebuilt when their contents
 * change: a daemon thread compares the files' SHA-256 every {@code tls.cert_ttl}. New connections
 * get the newest context; open ones keep theirs. A change that does not load (a half-written file,
 * a key that does not match) is logged and the previous context stays in use. {@link #get()} is
 * thread-safe and cheap.
 */
public final class ReloadingSslContext implements Supplier<SslContext>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReloadingSslContext.class);

  private final Path cert;
  private final Path key;
  private final Path caCert;
  private final ScheduledExecutorService watcher;
  private volatile SslContext current;
  private volatile byte[] loadedDigest;

  /**
   * Loads the files now; throws {@link IllegalArgumentException} naming the setting whose file is
   * missing or unreadable.
   *
   * @param caCert the CA client certificates must chain to, or null to ask for no client
   *     certificate
   */
  public ReloadingSslContext(Path cert, Path key, Path caCert, Duration checkInterval) {
    this.cert = cert;
    this.key = key;
    this.caCert = caCert;
    requireReadable("tls.cert", cert);
    requireReadable("tls.key", key);
    if (caCert != null) {
      requireReadable("tls.ca_cert", caCert);
    }
    this.loadedDigest = digest();
    try {
      this.current = build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot load the TLS certificate "
              + cert
              + " with key "
              + key
              + " (tls.cert, tls.key; the key must be PEM PKCS#8, \"BEGIN PRIVATE KEY\"): "
              + e.getMessage(),
          e);
    }
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tls-cert-watcher");
              t.setDaemon(true);
              return t;
            });
    long ms = checkInterval.toMillis();
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public SslContext get() {
    return current;
  }

  /** Rebuilds the context when a file's contents changed since the last load. */
  void reloadIfChanged() {
    byte[] now;
    try {
      now = digest();
    } catch (RuntimeException e) {
      LOG.warn(
          "TLS: cannot read the certificate files, keeping the loaded ones: {}", e.getMessage());
      return;
    }
    if (Arrays.equals(now, loadedDigest)) {
      return;
    }
    try {
      current = build();
      loadedDigest = now;
      LOG.info("TLS: reloaded certificate {} (new connections use it)", cert);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "TLS: changed certificate files do not load, keeping the previous ones: {}",
          e.getMessage());
    }
  }

  private SslContext build() throws IOException {
    SslContextBuilder builder = SslContextBuilder.forServer(cert.toFile(), key.toFile());
    if (caCert != null) {
      builder.trustManager(caCert.toFile()).clientAuth(ClientAuth.REQUIRE);
    }
    return builder.build();
  }

  private byte[] digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path p : caCert == null ? new Path[] {cert, key} : new Path[] {cert, key, caCert}) {
        sha.update(Files.readAllBytes(p));
      }
      return sha.digest();
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static void requireReadable(String setting, Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(
          setting + ": cannot read " + file.toAbsolutePath() + " (service.enable_tls is true)");
    }
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}
