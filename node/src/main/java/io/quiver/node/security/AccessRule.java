package io.quiver.node.security;

/**
 * What one route requires. {@code level}: open to anyone (health checks), read, write (points,
 * payloads, indexes of one collection) or manage (collections, aliases, cluster, recovery). {@code
 * scope}: the collection named by the route's {@code collection_name} path parameter, the whole
 * node, or any valid credential (listings, filtered to what the caller may read).
 */
public record AccessRule(Level level, Scope scope) {

  public enum Level {
    OPEN,
    READ,
    WRITE,
    MANAGE
  }

  public enum Scope {
    COLLECTION,
    GLOBAL,
    ANY
  }

  static final AccessRule OPEN = new AccessRule(Level.OPEN, Scope.ANY);
  static final AccessRule LISTING = new AccessRule(Level.READ, Scope.ANY);
  static final AccessRule READ_COLLECTION = new AccessRule(Level.READ, Scope.COLLECTION);
  static final AccessRule WRITE_COLLECTION = new AccessRule(Level.WRITE, Scope.COLLECTION);
  static final AccessRule MANAGE_COLLECTION = new AccessRule(Level.MANAGE, Scope.COLLECTION);
  static final AccessRule READ_GLOBAL = new AccessRule(Level.READ, Scope.GLOBAL);
  static final AccessRule MANAGE_GLOBAL = new AccessRule(Level.MANAGE, Scope.GLOBAL);
}
