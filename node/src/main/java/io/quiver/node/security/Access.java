package io.quiver.node.security;

import io.quiver.node.http.ApiException;
import java.util.Map;

/**
 * What a caller may do, as Qdrant models it: global access ({@code "m"} manage = everything, {@code
 * "r"} = read only), or access to listed collections only, each read ({@code "r"}) or read-write
 * ({@code "rw"}). Immutable and thread-safe.
 */
public sealed interface Access {

  /**
   * The read-write API key, a JWT with {@code access: "m"} or without {@code access}, or no
   * authentication.
   */
  Access MANAGE = new Global(true);

  /** The read-only API key, or a JWT with {@code access: "r"}. */
  Access READ_ONLY = new Global(false);

  /**
   * Throws a 403 {@link ApiException} in Qdrant's words unless this access meets {@code rule} on
   * {@code collection}.
   */
  void check(AccessRule rule, String collection);

  /** True when this access may read {@code collection} (used to filter listings). */
  boolean canRead(String collection);

  record Global(boolean manage) implements Access {
    @Override
    public void check(AccessRule rule, String collection) {
      if (rule.level().compareTo(AccessRule.Level.READ) > 0 && !manage) {
        throw forbidden("Global manage access is required");
      }
    }

    @Override
    public boolean canRead(String collection) {
      return true;
    }
  }

  /**
   * @param readWrite per collection name: true for {@code "rw"}, false for {@code "r"}
   */
  record Collections(Map<String, Boolean> readWrite) implements Access {
    public Collections {
      readWrite = Map.copyOf(readWrite);
    }

    @Override
    public void check(AccessRule rule, String collection) {
      switch (rule.scope()) {
        case ANY -> {}
        case GLOBAL -> throw forbidden("Global access is required");
        case COLLECTION -> {
          Boolean rw = readWrite.get(collection);
          if (rw == null) {
            throw forbidden("Access to collection " + collection + " is required");
          }
          if (rule.level() == AccessRule.Level.MANAGE) {
            throw forbidden("Manage access for this operation is required");
          }
          if (rule.level() == AccessRule.Level.WRITE && !rw) {
            throw forbidden("Write access to collection " + collection + " is required");
          }
        }
      }
      if (rule.scope() == AccessRule.Scope.ANY && rule.level() != AccessRule.Level.READ) {
        throw forbidden("Global manage access is required");
      }
    }

    @Override
    public boolean canRead(String collection) {
      return readWrite.containsKey(collection);
    }
  }

  static ApiException forbidden(String reason) {
    return new ApiException(403, "Forbidden: " + reason);
  }
}
