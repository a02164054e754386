package io.quiver.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.sharding.ShardClientRetiredException;
import io.quiver.sharding.ShardUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.retry.RetryPolicies;
import org.junit.jupiter.api.Test;

/**
 * Goal: a call whose Ratis client closed under it is sent again through a new client (retired),
 * unless it already spent its retries: then the shard is unavailable at once, not after the same
 * retries in each new client until the request's deadline (ThreeNodeClusterIT's write to a shard
 * with no majority took the whole 20 s so). Oracle: the exception the reply turns into.
 */
class RaftRepliesTest {

  private static Throwable failure(Throwable cause) {
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class,
            () ->
                RaftReplies.content(
                        CompletableFuture.<RaftClientReply>failedFuture(cause), "shard 0")
                    .join());
    return e.getCause();
  }

  @Test
  void aClosedClientIsRetiredUnlessTheCallSpentItsRetries() {
    AlreadyClosedException closed =
        new AlreadyClosedException("OrderedRequestStreamObserver is closed.");
    assertInstanceOf(ShardClientRetiredException.class, failure(closed));

    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(ClientId.randomId())
            .setServerId(RaftPeerId.valueOf("n1"))
            .setGroupId(RaftGroupId.randomId())
            .setCallId(1)
            .setMessage(Message.EMPTY)
            .setType(RaftClientRequest.writeRequestType())
            .build();
    Throwable spent =
        failure(new RaftRetryFailureException(request, 50, RetryPolicies.noRetry(), closed));
    assertInstanceOf(ShardUnavailableException.class, spent);
    assertFalse(spent instanceof ShardClientRetiredException, spent.toString());
    assertTrue(spent.getMessage().startsWith("shard 0 is unavailable"), spent.getMessage());
    assertTrue(RaftReplies.isClientBroken(spent.getCause()), "the client is still replaced");

    // A call queued behind the spent one in the same sliding window fails at once, the spent
    // call's failure as its cause: it spent nothing, and is sent again through the new client.
    Throwable queued =
        failure(
            new AlreadyClosedException(
                "client-1->n1 is closed.",
                new RaftRetryFailureException(request, 50, RetryPolicies.noRetry(), closed)));
    assertInstanceOf(ShardClientRetiredException.class, queued);
  }
}
