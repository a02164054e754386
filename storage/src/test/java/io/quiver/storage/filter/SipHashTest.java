package io.quiver.storage.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.storage.PointId;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SipHashTest {

  @Test
  void referenceVector() {
    // The SipHash paper, appendix A: key 00..0f, message 00..0e.
    byte[] message = new byte[15];
    for (int i = 0; i < message.length; i++) {
      message[i] = (byte) i;
    }
    long k0 = 0x0706050403020100L;
    long k1 = 0x0f0e0d0c0b0a0908L;
    assertEquals(0xa129ca6149be45e5L, SipHash.bytes(k0, k1, message));
  }

  @Test
  void pointIdFastPathEqualsByteForm() {
    for (long n : new long[] {0, 1, 42, -1L, Long.MIN_VALUE}) {
      PointId id = PointId.of(n);
      assertEquals(SipHash.bytes(0, 0, Oracle.idBytes(id)), SipHash.ofPointId(id));
    }
    PointId uuid = PointId.of(UUID.fromString("550e8400-e29b-41d4-a716-446655440000"));
    assertEquals(SipHash.bytes(0, 0, Oracle.idBytes(uuid)), SipHash.ofPointId(uuid));
  }
}
