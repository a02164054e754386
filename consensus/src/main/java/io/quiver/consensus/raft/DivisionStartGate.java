package io.quiver.consensus.raft;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.util.LifeCycle;

/**
 * Holds the Raft requests that come for a division of this server (snapshot installs, votes) until
 * the division has started: a gRPC server interceptor on Ratis' server protocol.
 *
 * <p>Ratis 3.2.1 answers a division's requests as soon as the division is built, while its {@code
 * start()} still runs (it opens the log and the state machine, which for a shard takes a while). It
 * refuses appends until then, but not snapshot installs or votes: a leader's install notice then
 * makes the division a follower at the same time as its start does, and one of the two fails in
 * {@code RoleInfo} ("previous != null"). When the start is the one that fails, the group add fails
 * and the half-started division keeps its storage directory locked: every later add of the group
 * failed "the directory is already locked" until the process restarted (a replica restarted by
 * {@code ShardGroupReconciler} while its leader kept sending, {@code DroppedReplicaRestartIT} under
 * load; {@code docs/design/ratis-defects.md}). Requests held here wait on the gRPC executor thread
 * that delivers them (a cached pool), for at most {@value #MAX_WAIT_MS} ms; the leader meanwhile
 * waits for its answer as for a slow follower.
 */
public final class DivisionStartGate implements ServerInterceptor {

  /** The longest a request is held for a division that does not finish starting. */
  static final long MAX_WAIT_MS = 30_000;

  private static final long POLL_MS = 10;

  /**
   * The requests that can make a division a follower while its start does (appends are refused by
   * Ratis itself until the start has finished).
   */
  private static final Set<String> GATED =
      Set.of("installSnapshot", "requestVote", "startLeaderElection");

  private final Supplier<RaftServer> server;

  /**
   * @param server this node's Raft server (built after this interceptor, asked only once requests
   *     come)
   */
  public DivisionStartGate(Supplier<RaftServer> server) {
    this.server = server;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!GATED.contains(call.getMethodDescriptor().getBareMethodName())) {
      return listener;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        RaftGroupId group = groupOf(message);
        if (group != null) {
          awaitStarted(group);
        }
        super.onMessage(message);
      }
    };
  }

  /** The group a server-protocol request is for, or null for another message. */
  static RaftGroupId groupOf(Object message) {
    RaftRpcRequestProto request =
        switch (message) {
          case InstallSnapshotRequestProto i -> i.getServerRequest();
          case RequestVoteRequestProto v -> v.getServerRequest();
          case StartLeaderElectionRequestProto s -> s.getServerRequest();
          default -> null;
        };
    return request == null || !request.hasRaftGroupId()
        ? null
        : RaftGroupId.valueOf(request.getRaftGroupId().getId());
  }

  /**
   * Returns once the division of {@code group} has run its {@code start()} (or closed, or is not
   * hosted here), or after {@link #MAX_WAIT_MS}. A division that started outside every
   * configuration (a replica joining a running group) stays STARTING until its leader contacts it:
   * it is started, and passes.
   */
  private void awaitStarted(RaftGroupId group) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);
    while (true) {
      RaftServer.Division division;
      LifeCycle.State state;
      try {
        division = server.get().getDivision(group);
        state = division.getInfo().getLifeCycleState();
      } catch (IOException | RuntimeException notHosted) {
        return; // Ratis answers it (group not found)
      }
      boolean starting =
          state == LifeCycle.State.NEW
              || (state == LifeCycle.State.STARTING && !startComplete(division));
      if (!starting || System.nanoTime() > deadline) {
        return;
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Ratis' own flag that a division's {@code start()} has finished (private in 3.2.1's {@code
   * RaftServerImpl}, which refuses appends until it is set); true when it cannot be read, so that
   * nothing is held by a Ratis version that renamed it.
   */
  private static boolean startComplete(RaftServer.Division division) {
    java.lang.reflect.Field field = START_COMPLETE.get();
    if (field == null || !field.getDeclaringClass().isInstance(division)) {
      return true;
    }
    try {
      return ((java.util.concurrent.atomic.AtomicBoolean) field.get(division)).get();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }

  private static final Supplier<java.lang.reflect.Field> START_COMPLETE =
      org.apache.ratis.util.MemoizedSupplier.valueOf(DivisionStartGate::startCompleteField);

  private static java.lang.reflect.Field startCompleteField() {
    try {
      java.lang.reflect.Field field =
          Class.forName("org.apache.ratis.server.impl.RaftServerImpl")
              .getDeclaredField("startComplete");
      field.setAccessible(true);
      return field.getType() == java.util.concurrent.atomic.AtomicBoolean.class ? field : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(DivisionStartGate.class)
          .info("Raft requests are not held while a division starts: {}", e.toString());
      return null;
    }
  }
}
