package io.quiver.consensus.raft;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * Mutual TLS between Raft peers ({@code cluster.p2p.enable_tls}): every Raft connection — server to
 * server (votes, appends, snapshots) and client to server (commands, queries, group management) —
 * must present a certificate signed by {@code caCert}, and checks the other side's the same way. A
 * process without such a certificate cannot join, send Raft messages or read.
 *
 * <p>On Ratis' gRPC transport (Quiver's, with or without TLS); every node of a cluster must agree
 * (the setting is cluster-wide). The certificate is each node's own (PEM chain, PKCS#8 key), valid
 * for the host other nodes reach it by ({@code cluster.p2p.host}: gRPC checks the name), and is
 * presented as both server and client certificate. The files are checked every {@code checkEvery}
 * ({@code tls.cert_ttl}) and reloaded when they change ({@link PeerCredentials}): rotating a
 * certificate needs no restart.
 */
public record RaftTls(Path cert, Path key, Path caCert, java.time.Duration checkEvery) {

  public RaftTls {
    require("tls.cert", cert);
    require("tls.key", key);
    require("tls.ca_cert", caCert);
  }

  private static void require(String setting, Path file) {
    if (file == null || !Files.isReadable(file)) {
      throw new IllegalArgumentException(
          setting
              + ": cannot read "
              + (file == null ? "(unset)" : file.toAbsolutePath())
              + " (cluster.p2p.enable_tls is true)");
    }
  }

  /**
   * The Ratis parameters carrying the TLS configuration (server, client and admin), on {@code
   * credentials}' managers.
   */
  public static Parameters parameters(PeerCredentials credentials) {
    GrpcTlsConfig conf =
        new GrpcTlsConfig(credentials.keyManager(), credentials.trustManager(), true);
    Parameters p = new Parameters();
    GrpcConfigKeys.TLS.setConf(p, conf);
    GrpcConfigKeys.Server.setTlsConf(p, conf);
    GrpcConfigKeys.Client.setTlsConf(p, conf);
    GrpcConfigKeys.Admin.setTlsConf(p, conf);
    return p;
  }
}
