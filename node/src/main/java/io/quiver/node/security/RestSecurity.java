package io.quiver.node.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.node.config.ConfigKey;
import io.quiver.node.config.NodeConfig;
import io.quiver.node.http.ReloadingSslContext;
import io.quiver.router.PointsRouter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the REST API's authentication and TLS, and the Raft transport's TLS, from the node's
 * configuration.
 */
public final class RestSecurity {

  private static final Logger LOG = LoggerFactory.getLogger(RestSecurity.class);

  private RestSecurity() {}

  /**
   * The authorizer of every request, or null when neither {@code service.api_key} nor {@code
   * service.read_only_api_key} is set (then the API is open, as Qdrant's).
   *
   * @param routes every route as {@code "METHOD /template"}: those without an access rule are named
   *     in a warning (they need global manage access)
   */
  public static RequestAuthorizer authorizer(
      NodeConfig config, PointsRouter router, ObjectMapper json, List<String> routes) {
    String readWrite = config.get(ConfigKey.API_KEY);
    String readOnly = config.get(ConfigKey.READ_ONLY_API_KEY);
    if (!RequestAuthorizer.enabled(readWrite, readOnly)) {
      LOG.warn(
          "REST API without authentication: set service.api_key (or QUIVER__SERVICE__API_KEY) before exposing it");
      return null;
    }
    List<String> unclassified = RouteAccess.unclassified(routes);
    if (!unclassified.isEmpty()) {
      LOG.warn("routes without an access rule (they need the read-write key): {}", unclassified);
    }
    boolean jwt = config.bool(ConfigKey.JWT_RBAC);
    LOG.info(
        "REST API authentication: read-write key {}, read-only key {}, JWT {}",
        readWrite.isEmpty() ? "unset" : "set",
        readOnly.isEmpty() ? "unset" : "set",
        jwt ? "on" : "off");
    return new RequestAuthorizer(readWrite, readOnly, jwt, ValueExistsCheck.of(router), json);
  }

  /**
   * Mutual TLS between Raft peers when {@code cluster.p2p.enable_tls}, else null (Netty RPC, no
   * TLS).
   */
  public static io.quiver.consensus.raft.RaftTls raftTls(NodeConfig config) {
    if (!config.bool(ConfigKey.P2P_ENABLE_TLS)) {
      return null;
    }
    LOG.info("Raft transport: gRPC with mutual TLS (cluster.p2p.enable_tls)");
    return new io.quiver.consensus.raft.RaftTls(
        Path.of(config.get(ConfigKey.TLS_CERT)),
        Path.of(config.get(ConfigKey.TLS_KEY)),
        Path.of(config.get(ConfigKey.TLS_CA_CERT)),
        Duration.ofSeconds(config.positiveLong(ConfigKey.TLS_CERT_TTL)));
  }

  /** The REST API's TLS context when {@code service.enable_tls}, else null. */
  public static ReloadingSslContext tls(NodeConfig config) {
    if (!config.bool(ConfigKey.ENABLE_TLS)) {
      return null;
    }
    Path ca =
        config.bool(ConfigKey.VERIFY_HTTPS_CLIENT_CERTIFICATE)
            ? Path.of(config.get(ConfigKey.TLS_CA_CERT))
            : null;
    return new ReloadingSslContext(
        Path.of(config.get(ConfigKey.TLS_CERT)),
        Path.of(config.get(ConfigKey.TLS_KEY)),
        ca,
        Duration.ofSeconds(config.positiveLong(ConfigKey.TLS_CERT_TTL)));
  }
}
