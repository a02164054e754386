package io.quiver.consensus.raft;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.NotReplicatedException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.ReconfigurationTimeoutException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.StaleReadException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;

/**
 * The cause of a failed Ratis call in words a user of the REST API understands ("no leader
 * elected", "the replica is closed", "timed out after 3 s", "not enough replicas reachable"), never
 * a Java class name: Ratis' own messages name classes and internal ids ({@code
 * AlreadyClosedException: SlidingWindow$Client...}). The caller names the shard or the cluster
 * metadata; this says only why.
 */
public final class RaftFailureWords {

  /** Ratis says "timeout 3s" / "timeout=3000ms" in its timeout messages. */
  private static final Pattern TIMEOUT =
      Pattern.compile("timeout[ =:]*(\\d+(?:\\.\\d+)?)\\s*(ms|s)\\b");

  private RaftFailureWords() {}

  /** Why the call failed, in words; {@code t} and its causes decide. */
  public static String describe(Throwable t) {
    if (t == null) {
      return "the request failed for an unknown reason";
    }
    // Ratis wraps the retry failure in the closing of the client's window: the retry failure says
    // why
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof RaftRetryFailureException retry) {
        String why =
            retry.getCause() == null || retry.getCause() == retry ? null : known(retry.getCause());
        return (why == null ? "no leader elected" : why)
            + " (gave up after "
            + retry.getAttemptCount()
            + " attempts; a majority of its replicas may be down or unreachable)";
      }
    }
    String words = known(t);
    if (words != null) {
      return words;
    }
    return "an unexpected replication failure";
  }

  /** The first cause along the chain that has words, or null. */
  private static String known(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String words = own(c);
      if (words != null) {
        return words;
      }
    }
    return null;
  }

  /** Words for this exception alone, or null when it is only a wrapper. */
  private static String own(Throwable c) {
    return switch (c) {
      case NotLeaderException n -> "no leader elected";
      case LeaderNotReadyException n -> "no leader elected (the new leader is not ready yet)";
      case LeaderSteppingDownException n -> "no leader elected (the leader is stepping down)";
      case ServerNotReadyException n -> "the replica is still starting";
      case AlreadyClosedException n
          when n.getMessage() != null && n.getMessage().contains("SlidingWindow") ->
          "the connection to its replicas was reset after an earlier request failed (retry the request)";
      case AlreadyClosedException n -> "the replica is closed";
      case GroupMismatchException n -> "the replica does not host it (yet)";
      case StateMachineException n -> "the replica could not apply the request";
      case ResourceUnavailableException n ->
          "the replica is overloaded (too many pending requests)";
      case TransferLeadershipException n ->
          "the replica asked to lead did not win its election (it may have been behind, or another"
              + " transfer or election came first)";
      case ReconfigurationInProgressException n -> "its replica set is being changed";
      case ReconfigurationTimeoutException n -> "its replica set change timed out";
      case StaleReadException n -> "the replica is behind";
      case ReadIndexException n -> "the leader could not confirm it is still the leader";
      case ReadException n -> "the replica could not serve the read";
      case NotReplicatedException n -> "not enough replicas acknowledged the write";
      case TimeoutIOException n -> timedOut(n.getMessage());
      case java.util.concurrent.TimeoutException n -> timedOut(n.getMessage());
      case ConnectException n -> "not enough replicas reachable";
      case NoRouteToHostException n -> "not enough replicas reachable";
      case UnknownHostException n ->
          "not enough replicas reachable (a replica's address does not resolve)";
      case ClosedChannelException n -> "not enough replicas reachable (the connection was closed)";
      case IOException n
          when n.getMessage() != null
              && n.getMessage().toLowerCase(Locale.ROOT).contains("connection refused") ->
          "not enough replicas reachable";
      default -> null;
    };
  }

  private static String timedOut(String message) {
    Matcher m = message == null ? null : TIMEOUT.matcher(message);
    if (m != null && m.find()) {
      return "timed out after " + m.group(1) + " " + m.group(2);
    }
    return "timed out";
  }
}
