package io.quiver.node.security;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.node.http.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Qdrant's JWTs: HS256, signed with {@code service.api_key}, verified by java-jwt (signature,
 * {@code exp} with 30 s leeway for clock skew, {@code nbf}), then the claims read as Qdrant reads
 * them:
 *
 * <ul>
 *   <li>{@code exp}: required (a token that never expires is refused);
 *   <li>{@code access}: absent or {@code "m"} = manage, {@code "r"} = read only, or a list of
 *       {@code {"collection": NAME, "access": "r"|"rw"}} (each name once; the deprecated {@code
 *       payload} restriction is refused);
 *   <li>{@code value_exists}: {@code {"collection": NAME, "matches": [{"key": K, "value": V}]}}:
 *       the token is valid only while a point of that collection matches every pair.
 * </ul>
 *
 * Outcomes as in Qdrant: not a JWT or bad claims 401; bad signature or expired 403. Thread-safe.
 */
final class JwtTokens {

  private static final long LEEWAY_SECONDS = 30;

  /** A verified token: what it grants, and the existence check it still needs (or null). */
  record Token(Access access, ValueExists valueExists) {}

  /**
   * The {@code value_exists} claim: a filter that must match at least one point of {@code
   * collection}.
   */
  record ValueExists(String collection, JsonNode filter) {}

  private final JWTVerifier verifier;
  private final ObjectMapper json;

  JwtTokens(byte[] secret, ObjectMapper json) {
    this.verifier = JWT.require(Algorithm.HMAC256(secret)).acceptLeeway(LEEWAY_SECONDS).build();
    this.json = json;
  }

  /**
   * True when {@code credential} has a JWT's shape (three dot-separated parts), so it is not meant
   * as a key.
   */
  static boolean looksLikeJwt(String credential) {
    int first = credential.indexOf('.');
    return first > 0 && credential.indexOf('.', first + 1) > first + 1;
  }

  /** Verifies a token and reads its claims; throws a 401 or 403 {@link ApiException}. */
  Token verify(String token) {
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(token);
    } catch (TokenExpiredException e) {
      throw new ApiException(403, "Forbidden: the token has expired");
    } catch (SignatureVerificationException e) {
      throw new ApiException(403, "Forbidden: the token's signature is not valid");
    } catch (JWTDecodeException e) {
      throw unauthorized("Invalid API key or JWT");
    } catch (JWTVerificationException e) {
      // Another algorithm than HS256 (e.g. "none"), a token not valid yet, ...
      throw unauthorized("Invalid JWT: " + e.getMessage());
    }
    if (jwt.getExpiresAtAsInstant() == null) {
      throw unauthorized("Invalid JWT: the exp claim is required");
    }
    JsonNode claims;
    try {
      claims =
          json.readTree(
              new String(Base64.getUrlDecoder().decode(jwt.getPayload()), StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw unauthorized("Invalid API key or JWT");
    }
    return new Token(access(claims.get("access")), valueExists(claims.get("value_exists")));
  }

  private static Access access(JsonNode access) {
    if (access == null || access.isNull()) {
      return Access.MANAGE; // as Qdrant: full access when the claim is absent
    }
    if (access.isTextual()) {
      return switch (access.asText()) {
        case "m" -> Access.MANAGE;
        case "r" -> Access.READ_ONLY;
        default ->
            throw unauthorized(
                "Invalid JWT: access must be \"r\", \"m\" or a list of collection accesses, got \""
                    + access.asText()
                    + "\"");
      };
    }
    if (!access.isArray()) {
      throw unauthorized(
          "Invalid JWT: access must be \"r\", \"m\" or a list of collection accesses");
    }
    Map<String, Boolean> collections = new LinkedHashMap<>();
    for (JsonNode entry : access) {
      JsonNode name = entry.get("collection");
      JsonNode mode = entry.get("access");
      if (name == null || !name.isTextual() || mode == null || !mode.isTextual()) {
        throw unauthorized(
            "Invalid JWT: each entry of access needs a collection and an access (\"r\" or \"rw\")");
      }
      if (entry.has("payload")) {
        throw unauthorized(
            "Invalid JWT: the payload restriction of collection "
                + name.asText()
                + " is not supported");
      }
      boolean readWrite =
          switch (mode.asText()) {
            case "r" -> false;
            case "rw" -> true;
            default ->
                throw unauthorized(
                    "Invalid JWT: access of collection "
                        + name.asText()
                        + " must be \"r\" or \"rw\", got \""
                        + mode.asText()
                        + "\"");
          };
      if (collections.put(name.asText(), readWrite) != null) {
        throw unauthorized(
            "Invalid JWT: collection " + name.asText() + " is listed twice in access");
      }
    }
    return new Access.Collections(collections);
  }

  private ValueExists valueExists(JsonNode claim) {
    if (claim == null || claim.isNull()) {
      return null;
    }
    JsonNode collection = claim.get("collection");
    JsonNode matches = claim.get("matches");
    if (collection == null || !collection.isTextual() || matches == null || !matches.isArray()) {
      throw unauthorized("Invalid JWT: value_exists needs a collection and a list of matches");
    }
    var must = json.createArrayNode();
    for (JsonNode pair : matches) {
      JsonNode key = pair.get("key");
      JsonNode value = pair.get("value");
      if (key == null
          || !key.isTextual()
          || value == null
          || !value.isValueNode()
          || value.isNull()) {
        throw unauthorized("Invalid JWT: each match of value_exists needs a key and a value");
      }
      var condition = json.createObjectNode().put("key", key.asText());
      condition.putObject("match").set("value", value);
      must.add(condition);
    }
    var filter = json.createObjectNode();
    filter.set("must", must);
    return new ValueExists(collection.asText(), filter);
  }

  static ApiException unauthorized(String message) {
    return new ApiException(401, message);
  }
}
