package io.quiver.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * What the build recorded about itself: the git commit the node was built from ({@code
 * io/quiver/node/git.properties}, written by the build's git-commit-id step). A node built outside
 * a git checkout has none, and reports none rather than a made-up value.
 */
public final class BuildInfo {

  /** Written by the build (node/pom.xml, execution record-commit). */
  private static final String RESOURCE = "/io/quiver/node/git.properties";

  private final String commit;

  private BuildInfo(String commit) {
    this.commit = commit;
  }

  /** The build information packaged with this node. */
  public static BuildInfo packaged() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String id = p.getProperty("git.commit.id.full", "").trim();
    return new BuildInfo(id.matches("[0-9a-f]{40}") ? id : null);
  }

  /** The full commit hash the node was built from, when the build recorded one. */
  public Optional<String> commit() {
    return Optional.ofNullable(commit);
  }
}
