package io.quiver.consensus.raft;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Raft TLS identity and trust ({@link RaftTls}'s files), reloaded when the files
 * change: a daemon thread compares their SHA-256 every {@code checkEvery}, and a change that loads
 * replaces the key and trust managers that every later handshake asks — the Raft server's and every
 * client's, since Ratis' gRPC transport builds its TLS contexts on the managers given here ({@link
 * #keyManager()}, {@link #trustManager()}), not on the files. Open connections keep the
 * certificates they were made with. A change that does not load (a half-written file, a key that
 * does not match its certificate) is logged and the previous credentials stay in use.
 */
public final class PeerCredentials implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerCredentials.class);

  private record Loaded(
      X509ExtendedKeyManager keys, X509ExtendedTrustManager trust, byte[] digest, String subject) {}

  private final RaftTls files;
  private final ScheduledExecutorService watcher;
  private volatile Loaded current;

  /**
   * Loads the files now (an {@link IllegalArgumentException} names the setting that does not load)
   * and watches them.
   */
  public PeerCredentials(RaftTls files, Duration checkEvery) {
    this.files = files;
    try {
      this.current = load();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot load the Raft TLS credentials (tls.cert "
              + files.cert()
              + ", tls.key "
              + files.key()
              + " as PEM PKCS#8, tls.ca_cert "
              + files.caCert()
              + "): "
              + e.getMessage(),
          e);
    }
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raft-tls-watcher");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(1, checkEvery.toMillis());
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** The subject of the certificate in use (for logs and tests). */
  String subject() {
    return current.subject();
  }

  /** Reloads the files when their contents changed since the last load; true when it did. */
  boolean reloadIfChanged() {
    try {
      if (Arrays.equals(digest(), current.digest())) {
        return false;
      }
      Loaded next = load();
      current = next;
      LOG.info("Raft TLS: reloaded {} ({}); new connections use it", files.cert(), next.subject());
      return true;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.warn(
          "Raft TLS: the changed certificate files do not load, keeping the previous ones: {}",
          e.getMessage());
      return false;
    }
  }

  private Loaded load() throws IOException, GeneralSecurityException {
    byte[] digest = digest();
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    Collection<? extends Certificate> chain =
        x509.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(files.cert())));
    if (chain.isEmpty()) {
      throw new CertificateException("no certificate in " + files.cert());
    }
    PrivateKey key = privateKey(Files.readString(files.key(), StandardCharsets.US_ASCII));
    KeyStore identity = KeyStore.getInstance("PKCS12");
    identity.load(null, null);
    identity.setKeyEntry("node", key, new char[0], chain.toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(identity, new char[0]);

    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    int i = 0;
    for (Certificate ca :
        x509.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(files.caCert())))) {
      anchors.setCertificateEntry("ca" + i++, ca);
    }
    if (i == 0) {
      throw new CertificateException("no certificate in " + files.caCert());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(anchors);
    String subject =
        ((X509Certificate) chain.iterator().next()).getSubjectX500Principal().getName();
    return new Loaded(
        (X509ExtendedKeyManager) kmf.getKeyManagers()[0],
        (X509ExtendedTrustManager) tmf.getTrustManagers()[0],
        digest,
        subject);
  }

  /** A PEM PKCS#8 private key ("BEGIN PRIVATE KEY"), RSA or EC. */
  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException("the key is not PEM PKCS#8 (\"BEGIN PRIVATE KEY\")");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("the key is neither RSA, EC nor Ed25519", last);
  }

  private byte[] digest() throws IOException, GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (Path p : new Path[] {files.cert(), files.key(), files.caCert()}) {
      sha.update(Files.readAllBytes(p));
    }
    return sha.digest();
  }

  /** The key manager every handshake asks: it answers with the credentials loaded last. */
  X509ExtendedKeyManager keyManager() {
    return new X509ExtendedKeyManager() {
      @Override
      public String[] getClientAliases(String keyType, Principal[] issuers) {
        return current.keys().getClientAliases(keyType, issuers);
      }

      @Override
      public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return current.keys().chooseClientAlias(keyType, issuers, socket);
      }

      @Override
      public String[] getServerAliases(String keyType, Principal[] issuers) {
        return current.keys().getServerAliases(keyType, issuers);
      }

      @Override
      public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return current.keys().chooseServerAlias(keyType, issuers, socket);
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return current.keys().getCertificateChain(alias);
      }

      @Override
      public PrivateKey getPrivateKey(String alias) {
        return current.keys().getPrivateKey(alias);
      }

      @Override
      public String chooseEngineClientAlias(
          String[] keyType, Principal[] issuers, SSLEngine engine) {
        return current.keys().chooseEngineClientAlias(keyType, issuers, engine);
      }

      @Override
      public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return current.keys().chooseEngineServerAlias(keyType, issuers, engine);
      }
    };
  }

  /** The trust manager every handshake asks: it trusts the CA loaded last. */
  X509ExtendedTrustManager trustManager() {
    return new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        current.trust().checkClientTrusted(chain, authType, socket);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        current.trust().checkServerTrusted(chain, authType, socket);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        current.trust().checkClientTrusted(chain, authType, engine);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        current.trust().checkServerTrusted(chain, authType, engine);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType)
          throws CertificateException {
        current.trust().checkClientTrusted(chain, authType);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType)
          throws CertificateException {
        current.trust().checkServerTrusted(chain, authType);
      }

      /**
       * None: a TLS server sends these as the CA names a client certificate must come from, and
       * Netty's OpenSSL context reads them once, when it is built. After a rotation it would still
       * name the old CA, and a peer holding only a new certificate would send none and be refused.
       * Every certificate is still checked against the CA loaded last (the check methods above).
       */
      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}
