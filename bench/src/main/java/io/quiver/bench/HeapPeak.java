package io.quiver.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The peak heap of a phase, two ways:
 *
 * <ul>
 *   <li>{@link #afterGc()}: the largest heap in use right after a collection (every collector's GC
 *       notification, heap pools summed) — an upper bound of the live set at that moment, the
 *       figure that says whether the data held on the heap is bounded;
 *   <li>{@link #used()}: the largest heap in use (garbage included), seen by a sampler every 50 ms
 *       and right before every collection (where used heap peaks: it only grows between
 *       collections) — depends on the collector's heuristics and {@code -Xmx} as much as on the
 *       program.
 * </ul>
 */
final class HeapPeak implements AutoCloseable {

  private final AtomicLong afterGc = new AtomicLong();
  private final AtomicLong used = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onGc;
  private final Thread sampler;
  private volatile boolean closed;

  HeapPeak() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
    sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(this::sample);
  }

  private void onGc(Notification n, Object handback) {
    if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long before = 0;
    for (var e : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
      if (isHeapPool(e.getKey())) {
        before += e.getValue().getUsed();
      }
    }
    used.accumulateAndGet(before, Math::max);
    long sum = 0;
    for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (isHeapPool(e.getKey())) {
        sum += e.getValue().getUsed();
      }
    }
    afterGc.accumulateAndGet(sum, Math::max);
  }

  private static boolean isHeapPool(String name) {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getName().equals(name)) {
        return pool.getType() == MemoryType.HEAP;
      }
    }
    return false;
  }

  private void sample() {
    while (!closed) {
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      used.accumulateAndGet(heap.getUsed(), Math::max);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The largest heap in use right after a collection so far (0: no collection yet). */
  long afterGc() {
    return afterGc.get();
  }

  /** The largest heap in use so far (sampled, before each collection, and now). */
  long used() {
    return used.accumulateAndGet(
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
  }

  /** The largest heap the JVM may use ({@code -Xmx}). */
  static long maxHeapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  @Override
  public void close() {
    closed = true;
    sampler.interrupt();
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // not registered: nothing to remove
      }
    }
  }
}
