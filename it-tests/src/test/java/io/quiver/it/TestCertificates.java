package io.quiver.it;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time (BouncyCastle), and certificates it signs: for a server
 * on 127.0.0.1/localhost, or for a client. Written as the node reads them: PEM certificate, PEM
 * PKCS#8 key.
 */
final class TestCertificates {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  /** A key pair and its certificate, signed by {@link #issuer} (itself for a CA). */
  record Identity(KeyPair keys, X509Certificate certificate) {
    BigInteger serial() {
      return certificate.getSerialNumber();
    }

    /** Writes {@code cert} (PEM) and {@code key} (PEM PKCS#8), each replaced atomically. */
    void write(Path cert, Path key) throws IOException {
      replace(key, pem(keys.getPrivate()));
      replace(cert, pem(certificate));
    }

    /** A client's SSL context that trusts {@code ca} and presents this identity. */
    SSLContext clientContext(Identity ca) throws GeneralSecurityException, IOException {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "me", keys.getPrivate(), new char[0], new java.security.cert.Certificate[] {certificate});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, new char[0]);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), trusting(ca).getTrustManagers(), new SecureRandom());
      return context;
    }
  }

  private TestCertificates() {}

  static Identity authority(String name) throws Exception {
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder builder = builder(subject, subject, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Identity(keys, sign(builder, keys));
  }

  /** A server certificate for 127.0.0.1 and localhost, signed by {@code ca}. */
  static Identity server(Identity ca, String name) throws Exception {
    KeyPair keys = keyPair();
    X509v3CertificateBuilder builder = builder(issuerName(ca), new X500Name("CN=" + name), keys);
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(
                  GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
              new GeneralName(GeneralName.dNSName, "localhost")
            }));
    return new Identity(keys, sign(builder, ca.keys()));
  }

  /** A client certificate signed by {@code ca}. */
  static Identity client(Identity ca, String name) throws Exception {
    KeyPair keys = keyPair();
    return new Identity(
        keys, sign(builder(issuerName(ca), new X500Name("CN=" + name), keys), ca.keys()));
  }

  /** A client's SSL context that trusts only {@code ca} and presents no certificate. */
  static SSLContext clientTrusting(Identity ca) throws GeneralSecurityException, IOException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trusting(ca).getTrustManagers(), new SecureRandom());
    return context;
  }

  private static TrustManagerFactory trusting(Identity ca)
      throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return tmf;
  }

  private static X500Name issuerName(Identity ca) {
    return new X500Name(ca.certificate().getSubjectX500Principal().getName());
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (object instanceof java.security.PrivateKey key) {
        // PKCS#8 ("BEGIN PRIVATE KEY"), the form the JDK reads without BouncyCastle.
        writer.writeObject(
            new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", key.getEncoded()));
      } else {
        writer.writeObject(object);
      }
    }
    return out.toString();
  }

  private static void replace(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
