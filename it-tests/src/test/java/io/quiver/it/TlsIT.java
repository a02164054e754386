package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API over TLS ({@code service.enable_tls}, {@code tls.cert}, {@code tls.key}, {@code
 * tls.cert_ttl}) with a CA made at test time: a client trusting the CA is served, one that does not
 * (the JDK's default trust) and a plain-HTTP client are refused; replacing the files switches new
 * connections to the new certificate without a restart. With {@code
 * service.verify_https_client_certificate}, only clients presenting a certificate of {@code
 * tls.ca_cert} are served.
 */
@Timeout(180)
class TlsIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @TempDir Path tmp; // certificates

  @Test
  void servesOverTlsAndReloadsChangedCertificates() throws Exception {
    TestCertificates.Identity ca = TestCertificates.authority("quiver test CA 1");
    TestCertificates.Identity first = TestCertificates.server(ca, "node one");
    Path cert = tmp.resolve("cert.pem");
    Path key = tmp.resolve("key.pem");
    first.write(cert, key);
    SSLContext trustingCa = TestCertificates.clientTrusting(ca);
    NodeProcess node = tlsNode(cert, key).tls(trustingCa).start();
    QdrantHttp https = new QdrantHttp(node.baseUrl(), Map.of(), trustingCa);
    assertEquals(
        200,
        https
            .send("PUT", "/collections/secure", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}")
            .status());
    assertEquals(
        200,
        https
            .send(
                "PUT",
                "/collections/secure/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,2]}]}")
            .status());
    assertEquals(
        1,
        https.send("POST", "/collections/secure/points/count", "{}").result().get("count").asInt());
    assertEquals(first.serial(), servedSerial(node, trustingCa));

    // Without the CA, the JDK's default trust refuses the certificate; plain HTTP gets no answer.
    assertThrows(
        javax.net.ssl.SSLHandshakeException.class,
        () ->
            new QdrantHttp(node.baseUrl(), Map.of(), SSLContext.getDefault()).get("/collections"));
    assertThrows(
        IOException.class,
        () ->
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + node.httpPort() + "/collections"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));

    // A new certificate from another CA: new connections get it within tls.cert_ttl (1 s here).
    TestCertificates.Identity ca2 = TestCertificates.authority("quiver test CA 2");
    TestCertificates.Identity second = TestCertificates.server(ca2, "node one renewed");
    second.write(cert, key);
    SSLContext trustingCa2 = TestCertificates.clientTrusting(ca2);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    BigInteger served = null;
    while (System.nanoTime() < deadline) {
      try {
        served = servedSerial(node, trustingCa2);
        break;
      } catch (javax.net.ssl.SSLException notYet) {
        Thread.sleep(200);
      }
    }
    assertEquals(second.serial(), served, "the renewed certificate is served without a restart");
    QdrantHttp renewed = new QdrantHttp(node.baseUrl(), Map.of(), trustingCa2);
    assertEquals(
        1,
        renewed
            .send("POST", "/collections/secure/points/count", "{}")
            .result()
            .get("count")
            .asInt());
    assertThrows(
        javax.net.ssl.SSLHandshakeException.class,
        () -> new QdrantHttp(node.baseUrl(), Map.of(), trustingCa).get("/collections"),
        "the old CA no longer matches");
  }

  @Test
  void clientCertificatesAreVerifiedWhenAsked() throws Exception {
    TestCertificates.Identity ca = TestCertificates.authority("quiver test CA");
    Path cert = tmp.resolve("cert.pem");
    Path key = tmp.resolve("key.pem");
    Path caCert = tmp.resolve("ca.pem");
    TestCertificates.server(ca, "node").write(cert, key);
    java.nio.file.Files.writeString(caCert, TestCertificates.pem(ca.certificate()));
    SSLContext client = TestCertificates.client(ca, "app").clientContext(ca);
    TestCertificates.Identity strangerCa = TestCertificates.authority("someone else");
    SSLContext stranger = TestCertificates.client(strangerCa, "intruder").clientContext(ca);
    NodeProcess node =
        tlsNode(cert, key)
            .environment("QUIVER__SERVICE__VERIFY_HTTPS_CLIENT_CERTIFICATE", "true")
            .environment("QUIVER__TLS__CA_CERT", caCert.toString())
            .tls(client)
            .start();
    assertEquals(
        200, new QdrantHttp(node.baseUrl(), Map.of(), client).get("/collections").status());
    assertThrows(
        IOException.class,
        () ->
            new QdrantHttp(node.baseUrl(), Map.of(), TestCertificates.clientTrusting(ca))
                .get("/collections"),
        "no client certificate");
    assertThrows(
        IOException.class,
        () -> new QdrantHttp(node.baseUrl(), Map.of(), stranger).get("/collections"),
        "a client certificate of another CA");
  }

  @Test
  void missingCertificateFileIsNamed() throws Exception {
    NodeProcess node = tlsNode(tmp.resolve("nope.pem"), tmp.resolve("nokey.pem"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> node.start());
    assertTrue(e.getMessage().contains("tls.cert: cannot read"), e.getMessage());
  }

  private NodeProcess tlsNode(Path cert, Path key) throws IOException {
    return NODES
        .node("data")
        .environment("QUIVER__SERVICE__ENABLE_TLS", "true")
        .environment("QUIVER__TLS__CERT", cert.toString())
        .environment("QUIVER__TLS__KEY", key.toString())
        .environment("QUIVER__TLS__CERT_TTL", "1");
  }

  /** The serial number of the certificate the node presents on a new connection. */
  private static BigInteger servedSerial(NodeProcess node, SSLContext client) throws IOException {
    try (SSLSocket socket =
        (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", node.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
