package io.quiver.consensus.raft;

import io.quiver.sharding.ShardUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/** Turns Ratis replies and failures into the content of a successful reply or a clear exception. */
public final class RaftReplies {

  private RaftReplies() {}

  /**
   * The content of a successful reply; any failure becomes a {@link ShardUnavailableException}
   * naming {@code what} ({@link io.quiver.sharding.ShardClientRetiredException} when it left the
   * client unusable).
   */
  public static CompletableFuture<ByteString> content(
      CompletableFuture<RaftClientReply> reply, String what) {
    return reply.handle(
        (r, error) -> {
          if (error != null) {
            Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            throw unavailable(what, cause);
          }
          if (!r.isSuccess()) {
            throw unavailable(what, r.getException());
          }
          return r.getMessage().getContent();
        });
  }

  /**
   * A failure that left the client closed is "retired" (the router sends the call again through the
   * shard's new client) only when the call did not spend its retries: one that did (Ratis' {@link
   * RaftRetryFailureException}, its last attempt refused by a stream to a dead peer) would spend
   * them again in each new client, 5 s each, until the request's deadline: a write to a shard with
   * no majority then answered 503 after the whole 20 s instead of about 5 (ThreeNodeClusterIT). The
   * calls queued behind it in the same sliding window fail at once with an {@link
   * AlreadyClosedException} whose cause is that earlier call's {@link RaftRetryFailureException}:
   * they spent nothing, and are retired (RebalanceDrainIT's reads answered 503 so).
   */
  static ShardUnavailableException unavailable(String what, Throwable cause) {
    String message = what + " is unavailable: " + describe(cause);
    return isClientBroken(cause) && !retriesSpent(cause)
        ? new io.quiver.sharding.ShardClientRetiredException(message, cause)
        : new ShardUnavailableException(message, cause);
  }

  /** True when the call's own retries ran out, not an earlier call's that closed its window. */
  private static boolean retriesSpent(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RaftRetryFailureException) {
        return true;
      }
      if (t instanceof AlreadyClosedException) {
        return false;
      }
    }
    return false;
  }

  /** True when the failure left the Ratis client closed, so it must be replaced. */
  public static boolean isClientBroken(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AlreadyClosedException || t instanceof GroupMismatchException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable t) {
    return RaftFailureWords.describe(t);
  }
}
