package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft between nodes over mutual TLS ({@code cluster.p2p.enable_tls}, each node with its own
 * certificate from a CA made at test time): three nodes form a cluster and replicate writes; rogue
 * processes cannot get in — a node without TLS and a node whose certificate comes from another CA
 * both fail to join and never appear in {@code /cluster}, and plaintext bytes sent to a Raft port
 * get the connection closed — and the data is unchanged afterwards; a member killed with kill -9
 * and restarted catches up over TLS (its own replicas count every point written while it was down).
 * Certificates rotated on disk are taken up without a restart.
 */
@Timeout(300)
class RaftTlsIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @TempDir Path tmp; // certificates

  @Test
  void peersAuthenticateEachOtherAndRoguesStayOut() throws Exception {
    TestCertificates.Identity ca = TestCertificates.authority("quiver cluster CA");
    Path caFile = tmp.resolve("ca.pem");
    Files.writeString(caFile, TestCertificates.pem(ca.certificate()));
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      nodes.addAll(
          NODES.startCluster(
              3, (i, n) -> tls(n, TestCertificates.server(ca, "node " + i), caFile)));
      String seed = "http://127.0.0.1:" + nodes.get(0).raftPort();
      List<QdrantHttp> http = nodes.stream().map(n -> new QdrantHttp(n.baseUrl())).toList();
      assertEquals(3, http.get(2).get("/cluster").result().get("peers").size());
      assertEquals(
          200,
          http.get(0)
              .send(
                  "PUT",
                  "/collections/safe",
                  "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":3}")
              .status());
      StringBuilder points = new StringBuilder("{\"points\":[");
      for (int p = 1; p <= 50; p++) {
        points
            .append(p > 1 ? "," : "")
            .append("{\"id\":")
            .append(p)
            .append(",\"vector\":[")
            .append(p)
            .append(",1]}");
      }
      assertEquals(
          200,
          http.get(1).send("PUT", "/collections/safe/points?wait=true", points + "]}").status());
      for (QdrantHttp h : http) {
        assertEquals(50, count(h), "via " + h);
      }

      // A node without TLS, and one with a certificate of another CA, cannot join: a joiner never
      // gives up (it waits, not ready), so each is given 8 s and must still be outside the cluster.
      NodeProcess plain =
          NODES.node("rogue-plain").environment("QUIVER__SERVICE__REQUEST_TIMEOUT_MS", "3000");
      plain.launch("--bootstrap", seed);
      TestCertificates.Identity otherCa = TestCertificates.authority("rogue CA");
      NodeProcess stranger =
          tls(NODES.node("rogue-tls"), TestCertificates.server(otherCa, "rogue"), caFile)
              .environment("QUIVER__SERVICE__REQUEST_TIMEOUT_MS", "3000");
      stranger.launch("--bootstrap", seed);
      Thread.sleep(8_000);
      assertEquals(3, http.get(0).get("/cluster").result().get("peers").size(), "no rogue joined");
      plain.close();
      stranger.close();

      // Plaintext bytes to a Raft port: the TLS handshake fails and the connection is closed.
      try (Socket socket = new Socket("127.0.0.1", nodes.get(0).raftPort())) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nnot a raft message"
                    .getBytes(StandardCharsets.US_ASCII));
        assertTrue(readsToEnd(socket.getInputStream()), "connection closed");
      }

      assertEquals(
          3, http.get(0).get("/cluster").result().get("peers").size(), "no rogue among the peers");
      for (QdrantHttp h : http) {
        assertEquals(50, count(h), "data unchanged via " + h);
      }

      // A member killed and restarted catches up over TLS: writes made while it was down reach its
      // replicas.
      nodes.get(2).kill9();
      StringBuilder more = new StringBuilder("{\"points\":[");
      for (int p = 51; p <= 100; p++) {
        more.append(p > 51 ? "," : "")
            .append("{\"id\":")
            .append(p)
            .append(",\"vector\":[")
            .append(p)
            .append(",1]}");
      }
      assertEquals(
          200, http.get(0).send("PUT", "/collections/safe/points?wait=true", more + "]}").status());
      nodes.get(2).start();
      long deadline = System.nanoTime() + 60_000_000_000L;
      int own = -1;
      while (System.nanoTime() < deadline && own != 100) {
        QdrantHttp.Reply r =
            http.get(2).send("POST", "/collections/safe/points/count?consistency=any", "{}");
        own = r.status() == 200 ? r.result().get("count").asInt() : -1;
        Thread.sleep(200);
      }
      assertEquals(100, own, "the restarted node's own replicas have every point");
    } catch (AssertionError | RuntimeException e) {
      StringBuilder logs = new StringBuilder(String.valueOf(e.getMessage()));
      for (NodeProcess n : nodes) {
        logs.append("\n--- log of ")
            .append(n.dataDir().getFileName())
            .append(":\n")
            .append(n.logTail());
      }
      throw new AssertionError(logs.toString(), e);
    }
  }

  /**
   * Certificates rotated on disk are used without a restart (tls.cert_ttl): two members move to a
   * new CA (their certificate, key and trusted CA replaced), and a third node that has and trusts
   * only the new CA joins through the first one. Without the reload the first member's Raft server
   * would still present the old CA's certificate, the joiner would refuse it, and it would never
   * join.
   */
  @Test
  void rotatedCertificatesAreUsedWithoutARestart() throws Exception {
    TestCertificates.Identity oldCa = TestCertificates.authority("quiver CA 2025");
    Path caFile = tmp.resolve("ca.pem");
    Files.writeString(caFile, TestCertificates.pem(oldCa.certificate()));
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      nodes.addAll(
          NODES.startCluster(
              2,
              (i, n) ->
                  tls(n, TestCertificates.server(oldCa, "node " + i), caFile)
                      .environment("QUIVER__TLS__CERT_TTL", "1")));
      QdrantHttp first = new QdrantHttp(nodes.get(0).baseUrl());
      assertEquals(
          200,
          first
              .send(
                  "PUT",
                  "/collections/safe",
                  "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"replication_factor\":2}")
              .status());
      assertEquals(
          200,
          first
              .send(
                  "PUT",
                  "/collections/safe/points?wait=true",
                  "{\"points\":[{\"id\":1,\"vector\":[1,1]}]}")
              .status());

      TestCertificates.Identity newCa = TestCertificates.authority("quiver CA 2026");
      for (int i = 0; i < 2; i++) {
        TestCertificates.server(newCa, "node " + i + " renewed")
            .write(cert(nodes.get(i)), key(nodes.get(i)));
      }
      Path tmpCa = tmp.resolve("ca.pem.new");
      Files.writeString(tmpCa, TestCertificates.pem(newCa.certificate()));
      Files.move(
          tmpCa,
          caFile,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(3_000); // > tls.cert_ttl: both members have reloaded

      Path newCaFile = tmp.resolve("new-ca.pem");
      Files.writeString(newCaFile, TestCertificates.pem(newCa.certificate()));
      NodeProcess joiner =
          tls(NODES.node("n2"), TestCertificates.server(newCa, "node 2"), newCaFile);
      nodes.add(joiner.start("--bootstrap", "http://127.0.0.1:" + nodes.get(0).raftPort()));
      QdrantHttp third = new QdrantHttp(joiner.baseUrl());
      assertEquals(
          3, third.get("/cluster").result().get("peers").size(), "the node of the new CA joined");
      // The members talk over new connections with the new certificates: a write commits on both.
      assertEquals(
          200,
          new QdrantHttp(nodes.get(1).baseUrl())
              .send(
                  "PUT",
                  "/collections/safe/points?wait=true",
                  "{\"points\":[{\"id\":2,\"vector\":[2,1]}]}")
              .status());
      assertEquals(2, count(third), "read through the new node");
      String log = Files.readString(nodes.get(0).log());
      assertTrue(log.contains("Raft TLS: reloaded"), "the first member logged the reload");
    } catch (AssertionError | RuntimeException e) {
      StringBuilder logs = new StringBuilder(String.valueOf(e.getMessage()));
      for (NodeProcess n : nodes) {
        logs.append("\n--- log of ")
            .append(n.dataDir().getFileName())
            .append(":\n")
            .append(n.logTail());
      }
      throw new AssertionError(logs.toString(), e);
    }
  }

  /**
   * Configures {@code node} for Raft over TLS: {@code identity} written to its certificate and key
   * files, {@code caFile} trusted.
   */
  private NodeProcess tls(NodeProcess node, TestCertificates.Identity identity, Path caFile)
      throws IOException {
    identity.write(cert(node), key(node));
    return node.environment("QUIVER__CLUSTER__P2P__ENABLE_TLS", "true")
        .environment("QUIVER__TLS__CERT", cert(node).toString())
        .environment("QUIVER__TLS__KEY", key(node).toString())
        .environment("QUIVER__TLS__CA_CERT", caFile.toString());
  }

  private Path cert(NodeProcess node) {
    return tmp.resolve(node.dataDir().getFileName() + "-cert.pem");
  }

  private Path key(NodeProcess node) {
    return tmp.resolve(node.dataDir().getFileName() + "-key.pem");
  }

  private static int count(QdrantHttp h) throws Exception {
    return h.send("POST", "/collections/safe/points/count", "{}").result().get("count").asInt();
  }

  /** True when the peer closes the connection (EOF or reset) before the socket timeout. */
  private static boolean readsToEnd(InputStream in) throws IOException {
    byte[] buffer = new byte[1024];
    try {
      while (in.read(buffer) >= 0) {
        // TLS alert bytes, if any
      }
      return true;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }
}
