package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.management.ObjectName;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: no group's Ratis metrics become JMX MBeans (thousands of groups made a node's stop wait on
 * the MBean server's lock). Oracle: after a real one-node server has started its meta group and the
 * three shard groups of a collection, no MBean of Ratis' metrics domain ({@code ratis}: 77 per
 * group without the fix) names any of those groups. (Ratis also registers one {@code
 * Ratis:service=RaftServer} MXBean per division, unconditionally; that one stays.)
 */
@Timeout(60)
class RatisJmxMetricsTest {

  @TempDir Path dir;

  @Test
  void noGroupsMetricsAreRegisteredAsMBeans() throws Exception {
    RaftNode node = TestNodes.start(dir, 1, TestNodes.freePort(), null, 1_000);
    try {
      node.catalog()
          .create(
              "c",
              new CollectionConfig(
                  VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 3, 1, 1))
          .join();
      List<String> groups = new ArrayList<>();
      for (RaftGroupId id : node.server().getGroupIds()) {
        groups.add(id.toString());
      }
      assertEquals(4, groups.size(), "the meta group and 3 shard groups: " + groups);
      List<String> named = new ArrayList<>();
      for (ObjectName name : ManagementFactory.getPlatformMBeanServer().queryNames(null, null)) {
        if (name.getDomain().equals("ratis")
            && groups.stream().anyMatch(g -> name.toString().contains(g))) {
          named.add(name.toString());
        }
      }
      assertTrue(
          named.isEmpty(),
          named.size()
              + " metric MBeans name this node's groups, e.g. "
              + named.stream().limit(3).toList());
    } finally {
      node.close();
    }
  }
}
