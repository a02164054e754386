package io.quiver.consensus.raft;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How many more shard groups' Raft log write buffers fit in this process' direct memory.
 *
 * <p>Why: Ratis 3.2.1 gives every division's log worker a write buffer as large as the largest log
 * entry ({@link io.quiver.consensus.RaftNode#logWriteBufferBytes}, 4 MB), allocated with {@code
 * ByteBuffer.allocateDirect} when the group starts: direct memory, limited by {@code
 * -XX:MaxDirectMemorySize} (by default the heap's maximum). When it runs out, adding a group fails
 * inside Ratis with "Cannot reserve 4194312 bytes of direct buffer memory", and the failed division
 * keeps its storage directory locked in this process: every later add of that group fails ("another
 * process has already locked the storage directory") until the node restarts (issue 17: a node with
 * a 512 MB heap stopped at about 120 groups, one with 6 GB at about 1,500). Checking first leaves
 * the group unstarted with a reason in words, and it starts once memory is freed (a collection
 * deleted) or the node is given more.
 */
public final class LogBufferMemory {

  private LogBufferMemory() {}

  /**
   * Direct memory in use by {@code ByteBuffer.allocateDirect} buffers (what the JDK checks its
   * limit against).
   */
  static long used() {
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        return pool.getMemoryUsed();
      }
    }
    return 0;
  }

  /**
   * The process' direct memory limit: {@code -XX:MaxDirectMemorySize}, or the heap's maximum when
   * it is not set (the JDK's rule).
   */
  static long limit() {
    try {
      var diagnostics =
          ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      long set = Long.parseLong(diagnostics.getVMOption("MaxDirectMemorySize").getValue());
      if (set > 0) {
        return set;
      }
    } catch (RuntimeException notHotSpot) {
      // fall through to the default rule
    }
    return Runtime.getRuntime().maxMemory();
  }

  /**
   * How many of {@code wanted} groups, each needing {@code bytesPerGroup} of direct memory, can
   * start now, keeping {@code reserveBytes} free for other direct buffers (I/O, snapshots).
   */
  public static int groupsThatFit(int wanted, long bytesPerGroup, long reserveBytes) {
    long room = limit() - used() - reserveBytes;
    return (int) Math.max(0, Math.min(wanted, room / bytesPerGroup));
  }

  /** What a group that cannot start is told, in words: the need, what is left, what to change. */
  public static String shortage(int notStarted, long bytesPerGroup, int hosted) {
    return String.format(
        Locale.ROOT,
        "%d shard group(s) not started: each needs a %.1f MB Raft log write buffer in direct"
            + " memory, and %.1f MB of the node's %.0f MB are in use (%d groups hosted); give the node more memory"
            + " (-XX:MaxDirectMemorySize, which defaults to the heap's maximum -Xmx) or delete collections",
        notStarted,
        bytesPerGroup / 1048576.0,
        used() / 1048576.0,
        limit() / 1048576.0,
        hosted);
  }
}
