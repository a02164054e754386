package io.quiver.index.vector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernel implementation once per JVM: the Vector API when the incubator module is
 * present and not disabled with {@code -Dquiver.vector.scalar=true}, the scalar kernels otherwise.
 * The choice and the reason for a fallback are logged once.
 */
public final class VectorizationProvider {

  private static final Logger LOG = LoggerFactory.getLogger(VectorizationProvider.class);
  private static final VectorKernels KERNELS = choose();

  private VectorizationProvider() {}

  /** The kernels chosen for this JVM. */
  public static VectorKernels kernels() {
    return KERNELS;
  }

  /** The scalar reference kernels, for differential tests and benchmarks. */
  public static VectorKernels scalarKernels() {
    return new ScalarVectorKernels();
  }

  private static VectorKernels choose() {
    if (Boolean.getBoolean("quiver.vector.scalar")) {
      LOG.info("vector kernels: scalar (forced by -Dquiver.vector.scalar=true)");
      return new ScalarVectorKernels();
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      LOG.warn(
          "vector kernels: scalar, because jdk.incubator.vector is not loaded; start the JVM with --add-modules jdk.incubator.vector");
      return new ScalarVectorKernels();
    }
    try {
      String shape = PanamaVectorKernels.describe();
      LOG.info("vector kernels: Panama Vector API, {}", shape);
      return new PanamaVectorKernels();
    } catch (LinkageError e) {
      LOG.warn("vector kernels: scalar, because the Vector API failed to link: {}", e.toString());
      return new ScalarVectorKernels();
    }
  }
}
