package io.quiver.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.ClientInvocationId;
import org.junit.jupiter.api.Test;

class AppliedRequestsTest {

  @Test
  void remembersAppliedInvocationsUpToItsCapacityOldestFirst() {
    AppliedRequests applied = new AppliedRequests(3, Long.MAX_VALUE);
    ClientId a = ClientId.randomId();
    ClientId b = ClientId.randomId();
    applied.record(ClientInvocationId.valueOf(a, 1));
    applied.record(ClientInvocationId.valueOf(b, 1));
    applied.record(ClientInvocationId.valueOf(a, 2));
    assertTrue(applied.contains(ClientInvocationId.valueOf(a, 1)));
    assertTrue(applied.contains(ClientInvocationId.valueOf(b, 1)));
    assertFalse(
        applied.contains(ClientInvocationId.valueOf(b, 2)),
        "another client's call 2 was not applied");
    applied.record(ClientInvocationId.valueOf(a, 3));
    assertEquals(3, applied.size());
    assertFalse(
        applied.contains(ClientInvocationId.valueOf(a, 1)), "the oldest is forgotten first");
    assertTrue(applied.contains(ClientInvocationId.valueOf(a, 3)));
  }

  @Test
  void forgetsInvocationsOlderThanItsMaximumAge() throws InterruptedException {
    AppliedRequests applied = new AppliedRequests(100, 1_000_000); // 1 ms
    ClientInvocationId call = ClientInvocationId.valueOf(ClientId.randomId(), 7);
    applied.record(call);
    Thread.sleep(5);
    assertFalse(applied.contains(call));
    assertEquals(0, applied.size());
  }
}
