package io.quiver.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The node's container image, built once per test JVM by Testcontainers from {@code
 * deploy/Dockerfile} as an operator would build it, on the local base image ({@link
 * ContainerEngine#BASE_IMAGE}) with the runtime jlink made from the local JDK ({@code
 * node/target/jre}). The build context holds exactly the paths the Dockerfile copies. The image is
 * kept (same tag every run), so an unchanged build reuses the engine's layer cache; an older image
 * of the tag is left dangling and pruned at the next build.
 */
final class NodeImage {

  static final String TAG = "quiver-it/node:latest";
  private static final String LABEL = "io.quiver.it";
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(8);
  private static boolean built;

  private NodeImage() {}

  /**
   * Builds the image (first call in this JVM) and returns its tag. Needs {@link
   * ContainerEngine#requireOrSkip}.
   */
  static synchronized String tag() throws Exception {
    if (built) {
      return TAG;
    }
    ContainerEngine.docker(
        Duration.ofSeconds(60), "image", "prune", "-f", "--filter", "label=" + LABEL);
    Path home = ContainerEngine.home();
    long started = System.nanoTime();
    new ImageFromDockerfile(TAG, false)
        .withDockerfilePath("deploy/Dockerfile")
        .withFileFromPath("deploy/Dockerfile", home.resolve("deploy/Dockerfile"))
        .withFileFromPath("deploy/docker", home.resolve("deploy/docker"))
        .withFileFromPath(
            "node/target/quiver-node.jar", home.resolve("node/target/quiver-node.jar"))
        .withFileFromPath("node/target/lib", home.resolve("node/target/lib"))
        .withFileFromPath("node/target/native", home.resolve("node/target/native"))
        .withFileFromPath("node/target/jre", home.resolve("node/target/jre"))
        .withBuildArg("BASE_IMAGE", ContainerEngine.BASE_IMAGE)
        .withBuildArg("JRE_DIR", "node/target/jre")
        .withBuildImageCmdModifier(cmd -> cmd.withLabels(Map.of(LABEL, "node")))
        .get(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    System.out.printf(
        "containers: image %s built from deploy/Dockerfile in %.1f s%n",
        TAG, (System.nanoTime() - started) / 1e9);
    built = true;
    return TAG;
  }
}
