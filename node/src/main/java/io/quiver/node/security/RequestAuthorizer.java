package io.quiver.node.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.quiver.node.http.ApiException;
import io.quiver.sharding.CollectionNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Authenticates a REST request and checks it against its route's {@link AccessRule}, with Qdrant's
 * names and outcomes:
 *
 * <ol>
 *   <li>routes open to anyone ({@code /healthz}, {@code /livez}, {@code /readyz}) pass;
 *   <li>the credential is the {@code api-key} header, else {@code Authorization: Bearer KEY}; none:
 *       401;
 *   <li>{@code service.api_key} grants everything, {@code service.read_only_api_key} reads (writes
 *       403); keys are compared in constant time (as SHA-256 digests, so their length does not leak
 *       either);
 *   <li>with {@code service.jwt_rbac}, a JWT signed with the API key grants its claims ({@link
 *       JwtTokens}); its {@code value_exists} claim is checked against the data ({@link
 *       ValueExistsCheck});
 *   <li>anything else: 401.
 * </ol>
 *
 * A caller limited to some collections is also checked on the other collections a query names in
 * its body ({@code lookup_from}, {@code with_lookup}), and sees only those collections in listings
 * ({@link #filterListing}). Thread-safe; never logs a credential.
 */
public final class RequestAuthorizer {

  private final byte[] readWriteKeyDigest;
  private final byte[] readOnlyKeyDigest;
  private final JwtTokens jwt;
  private final ValueExistsCheck valueExists;
  private final ObjectMapper json;

  /**
   * @param readWriteKey {@code service.api_key}, or empty
   * @param readOnlyKey {@code service.read_only_api_key}, or empty
   * @param jwtRbac whether JWTs signed with {@code readWriteKey} are accepted
   */
  public RequestAuthorizer(
      String readWriteKey,
      String readOnlyKey,
      boolean jwtRbac,
      ValueExistsCheck valueExists,
      ObjectMapper json) {
    this.readWriteKeyDigest = readWriteKey.isEmpty() ? null : digest(readWriteKey);
    this.readOnlyKeyDigest = readOnlyKey.isEmpty() ? null : digest(readOnlyKey);
    this.jwt =
        jwtRbac && !readWriteKey.isEmpty()
            ? new JwtTokens(readWriteKey.getBytes(StandardCharsets.UTF_8), json)
            : null;
    this.valueExists = valueExists;
    this.json = json;
  }

  /** True when any key is set: without one every request passes with full access (as Qdrant). */
  public static boolean enabled(String readWriteKey, String readOnlyKey) {
    return !readWriteKey.isEmpty() || !readOnlyKey.isEmpty();
  }

  /**
   * The caller's access for one request to a matched route, or a future failed with a 401/403
   * {@link ApiException}. Completes at once unless a JWT's {@code value_exists} must be read.
   *
   * @param template the matched route's template, or null when no route matches
   * @param pathParams the route's path parameters ({@code collection_name} for collection routes)
   * @param body the request body (read only for callers limited to some collections)
   */
  public CompletableFuture<Access> authorize(
      HttpHeaders headers,
      String method,
      String template,
      Map<String, String> pathParams,
      byte[] body) {
    // A path no route matches (answered 404/405 after this) needs only a valid credential.
    AccessRule rule = template == null ? AccessRule.LISTING : RouteAccess.of(method, template);
    if (rule.level() == AccessRule.Level.OPEN) {
      return CompletableFuture.completedFuture(Access.MANAGE);
    }
    String credential = credential(headers);
    if (credential == null) {
      throw JwtTokens.unauthorized("Must provide an API key or an Authorization bearer token");
    }
    byte[] presented = digest(credential);
    if (readWriteKeyDigest != null && MessageDigest.isEqual(readWriteKeyDigest, presented)) {
      return check(Access.MANAGE, rule, pathParams, body);
    }
    if (readOnlyKeyDigest != null && MessageDigest.isEqual(readOnlyKeyDigest, presented)) {
      return check(Access.READ_ONLY, rule, pathParams, body);
    }
    if (jwt == null || !JwtTokens.looksLikeJwt(credential)) {
      throw JwtTokens.unauthorized("Invalid API key or JWT");
    }
    JwtTokens.Token token = jwt.verify(credential);
    CompletableFuture<Access> checked = check(token.access(), rule, pathParams, body);
    if (token.valueExists() == null) {
      return checked;
    }
    JwtTokens.ValueExists claim = token.valueExists();
    CompletableFuture<Boolean> exists;
    try {
      exists = valueExists.anyPointMatches(claim.collection(), claim.filter());
    } catch (RuntimeException e) {
      exists = CompletableFuture.failedFuture(e);
    }
    return exists
        .handle(
            (found, error) -> {
              if (error != null) {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                if (cause instanceof CollectionNotFoundException) {
                  throw new ApiException(403, "Forbidden: Invalid JWT, stateful validation failed");
                }
                throw new CompletionException(cause);
              }
              if (!found) {
                throw JwtTokens.unauthorized("Invalid JWT, stateful validation failed");
              }
              return token.access();
            })
        .thenCombine(checked, (a, b) -> a);
  }

  private CompletableFuture<Access> check(
      Access access, AccessRule rule, Map<String, String> pathParams, byte[] body) {
    String collection = pathParams.get("collection_name");
    access.check(rule, collection);
    if (access instanceof Access.Collections && rule.scope() == AccessRule.Scope.COLLECTION) {
      for (String other : collectionsInBody(body)) {
        access.check(AccessRule.READ_COLLECTION, other);
      }
    }
    return CompletableFuture.completedFuture(access);
  }

  /**
   * Keeps, in the result of a listing ({@code GET /collections}, {@code GET /aliases}), only the
   * collections {@code access} may read; other results are returned as they are.
   */
  public Object filterListing(String method, String template, Access access, Object result) {
    if (!(access instanceof Access.Collections) || !method.equals("GET")) {
      return result;
    }
    return switch (template) {
      case "/collections" -> keep(result, "collections", "name", access);
      case "/aliases" -> keep(result, "aliases", "collection_name", access);
      default -> result;
    };
  }

  private Object keep(Object result, String listField, String nameField, Access access) {
    JsonNode tree = result instanceof JsonNode node ? node.deepCopy() : json.valueToTree(result);
    if (tree instanceof ObjectNode object && object.get(listField) instanceof ArrayNode list) {
      ArrayNode kept = json.createArrayNode();
      for (JsonNode item : list) {
        if (access.canRead(item.path(nameField).asText())) {
          kept.add(item);
        }
      }
      object.set(listField, kept);
    }
    return tree;
  }

  /** The {@code api-key} header, else the token of {@code Authorization: Bearer}, else null. */
  private static String credential(HttpHeaders headers) {
    String key = headers.get("api-key");
    if (key != null) {
      return key;
    }
    String authorization = headers.get("authorization");
    if (authorization != null && authorization.startsWith("Bearer ")) {
      return authorization.substring("Bearer ".length());
    }
    return null;
  }

  /**
   * Collections a query names besides its path: {@code lookup_from.collection}, {@code with_lookup}
   * (at any depth).
   */
  private List<String> collectionsInBody(byte[] body) {
    List<String> names = new ArrayList<>();
    if (body == null || body.length == 0) {
      return names;
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException malformed) {
      return names; // the handler answers the malformed body with its own 400
    }
    collect(root, names);
    return names;
  }

  private static void collect(JsonNode node, List<String> names) {
    if (node == null) {
      return;
    }
    if (node.isObject()) {
      JsonNode lookupFrom = node.get("lookup_from");
      if (lookupFrom != null && lookupFrom.path("collection").isTextual()) {
        names.add(lookupFrom.get("collection").asText());
      }
      JsonNode withLookup = node.get("with_lookup");
      if (withLookup != null && withLookup.isTextual()) {
        names.add(withLookup.asText());
      } else if (withLookup != null && withLookup.path("collection").isTextual()) {
        names.add(withLookup.get("collection").asText());
      }
      node.elements().forEachRemaining(child -> collect(child, names));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> collect(child, names));
    }
  }

  private static byte[] digest(String credential) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(credential.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
