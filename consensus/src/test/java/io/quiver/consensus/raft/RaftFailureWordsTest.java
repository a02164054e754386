package io.quiver.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.RaftNode;
import io.quiver.sharding.ShardUnavailableException;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

/** Ratis failures become words, with no Java class name, for real Ratis exception instances. */
class RaftFailureWordsTest {

  /** A Java class name: a word ending in Exception or Error, or Ratis' nested class notation. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("\\w+(Exception|Error)\\b|\\w+\\$\\w+|org\\.apache|java\\.");

  private static final RaftGroupMemberId MEMBER =
      RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());

  @Test
  void eachRatisFailureIsSaidInWords() {
    assertWords(
        "the connection to its replicas was reset after an earlier request failed (retry the request)",
        new AlreadyClosedException("SlidingWindow$Client:client-0A1B2C3D->RAFT is closed."));
    assertWords(
        "the replica is closed", new AlreadyClosedException("n1@group-0A1B2C3D is closed."));
    assertWords(
        "the replica asked to lead did not win its election (it may have been behind, or another"
            + " transfer or election came first)",
        new org.apache.ratis.protocol.exceptions.TransferLeadershipException(
            "n1@group-0A1B2C3D: Failed to transfer leadership to n2 (the current leader is n1):"
                + " DIFFERENT_LEADER"));
    assertWords("timed out after 3 s", new TimeoutIOException("Request #17 timeout 3s"));
    assertWords("timed out", new TimeoutIOException("deadline passed"));
    assertWords(
        "the replica could not apply the request",
        new StateMachineException(
            MEMBER, new IOException("RocksDBException: No space left on device")));
    assertWords("no leader elected", new NotLeaderException(MEMBER, null, List.of()));
    assertWords(
        "no leader elected (the new leader is not ready yet)", new LeaderNotReadyException(MEMBER));
    assertWords(
        "the replica does not host it (yet)",
        new GroupMismatchException(MEMBER + ": group not found"));
    assertWords(
        "the replica is overloaded (too many pending requests)",
        new ResourceUnavailableException("pending requests element limit 4096 exceeded"));
    assertWords(
        "not enough replicas reachable",
        new java.net.ConnectException("Connection refused: /127.0.0.1:1"));
    // wrapped, as futures deliver them
    assertWords(
        "the replica is closed",
        new CompletionException(
            new IOException(new AlreadyClosedException("n1@group-1 is closed."))));
    assertWords(
        "an unexpected replication failure",
        new IllegalStateException("NullPointerException in Foo$Bar"));
  }

  /**
   * A real client of a group whose only replica does not run: Ratis gives up with a {@link
   * RaftRetryFailureException}; the shard's error names the shard and says why in words.
   */
  @Test
  void aGroupWithNoReachableReplicaIsUnavailableInWords() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    RaftGroup group =
        RaftGroup.valueOf(
            RaftGroupId.randomId(),
            RaftPeer.newBuilder().setId("n1").setAddress("127.0.0.1:" + port).build());
    RaftProperties properties =
        RaftNode.clientProperties(TimeDuration.valueOf(1, TimeUnit.SECONDS));
    try (RaftClient client =
        RaftClient.newBuilder()
            .setClientId(ClientId.randomId())
            .setProperties(properties)
            .setRaftGroup(group)
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    3, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
            .build()) {
      CompletableFuture<?> reply =
          RaftReplies.content(
              client.async().send(Message.valueOf("x")), "shard 1 of collection `c`");
      CompletionException e =
          assertThrows(
              CompletionException.class, () -> reply.orTimeout(30, TimeUnit.SECONDS).join());
      ShardUnavailableException unavailable =
          assertInstanceOf(ShardUnavailableException.class, e.getCause());
      assertTrue(
          unavailable.getMessage().startsWith("shard 1 of collection `c` is unavailable: "),
          unavailable.getMessage());
      assertTrue(
          unavailable.getMessage().contains("gave up after"),
          unavailable.getMessage() + chain(unavailable));
      assertFalse(CLASS_NAME.matcher(unavailable.getMessage()).find(), unavailable.getMessage());
      boolean retryFailure = false; // Ratis reports it as the cause of closing the client's window
      for (Throwable c = unavailable.getCause(); c != null; c = c.getCause()) {
        retryFailure |= c instanceof RaftRetryFailureException;
      }
      assertTrue(retryFailure, chain(unavailable));
    }
  }

  private static String chain(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(" <- ").append(c);
    }
    return b.toString();
  }

  private static void assertWords(String expected, Throwable t) {
    String words = RaftFailureWords.describe(t);
    assertEquals(expected, words);
    assertFalse(CLASS_NAME.matcher(words).find(), words);
  }
}
