package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Goal: the builder gives a node's defaults for what is not set, carries every setting it is given
 * into the config, and refuses a config without its addresses or with an out-of-range value, naming
 * it. Oracle: the record's components and the messages.
 */
class RaftNodeConfigTest {

  private static final Path DIR = Path.of("/tmp/raft");

  @Test
  void unsetSettingsAreTheDefaults() {
    RaftNodeConfig c =
        RaftNodeConfig.builder(3, DIR)
            .raftAddress("10.0.0.3", 6335)
            .httpAddress("10.0.0.3:6333")
            .build();
    assertEquals(3, c.nodeId());
    assertEquals("10.0.0.3:6335", c.raftAddress());
    assertEquals(DIR, c.raftDir());
    assertEquals(RaftNodeConfig.SNAPSHOT_THRESHOLD_DEFAULT, c.snapshotThreshold());
    assertEquals(RaftNodeConfig.LOG_SEGMENT_BYTES_DEFAULT, c.logSegmentBytes());
    assertEquals(RaftNodeConfig.REQUEST_TIMEOUT_DEFAULT, c.requestTimeout());
    assertEquals(RaftNodeConfig.META_VOTERS_MAX, c.metaVoters());
    assertNull(c.bootstrapAddress());
    assertFalse(c.bindsOneAddress());
    assertFalse(c.autoRebalance());
    assertEquals(0, c.transferBytesPerSecond());
  }

  @Test
  void everySettingGivenIsCarried() {
    RaftNodeConfig c =
        RaftNodeConfig.builder(4, DIR)
            .raftAddress("h", 7000)
            .httpAddress("h:7001")
            .snapshotThreshold(50)
            .logSegmentBytes(1 << 20)
            .requestTimeout(Duration.ofSeconds(3))
            .bootstrapAddress("seed:6335")
            .bindHost("10.0.0.4")
            .metaVoters(3)
            .autoRebalance(true)
            .transferBytesPerSecond(50L << 20)
            .build();
    assertEquals(
        new RaftNodeConfig(
            4,
            "h",
            7000,
            "h:7001",
            DIR,
            50,
            1 << 20,
            Duration.ofSeconds(3),
            "seed:6335",
            "10.0.0.4",
            3,
            true,
            50L << 20),
        c);
    assertTrue(c.bindsOneAddress());
  }

  @Test
  void missingAddressesAndBadValuesAreRefusedByName() {
    assertEquals(
        "the Raft address of node 5 is not set",
        assertThrows(
                IllegalStateException.class,
                () -> RaftNodeConfig.builder(5, DIR).httpAddress("h:1").build())
            .getMessage());
    assertEquals(
        "the REST address of node 5 is not set",
        assertThrows(
                IllegalStateException.class,
                () -> RaftNodeConfig.builder(5, DIR).raftAddress("h", 1).build())
            .getMessage());
    var base = RaftNodeConfig.builder(5, DIR).raftAddress("h", 1).httpAddress("h:2");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> base.metaVoters(6).build())
            .getMessage()
            .startsWith("meta voters"));
    base.metaVoters(5);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> base.transferBytesPerSecond(1000).build())
            .getMessage()
            .startsWith("the transfer rate"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> RaftNodeConfig.builder(5, DIR).raftAddress("h", 0).httpAddress("h:2").build())
            .getMessage()
            .startsWith("raft port"));
  }
}
