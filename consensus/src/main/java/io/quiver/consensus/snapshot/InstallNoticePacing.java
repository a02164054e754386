package io.quiver.consensus.snapshot;

import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotResult;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCall;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;

/**
 * Paces this node's replies to Ratis' install-snapshot notices (a gRPC server interceptor on {@code
 * installSnapshot}), for two defects of Ratis 3.2.1's leader in notification mode:
 *
 * <ul>
 *   <li>While a follower fetches its snapshot, the leader's log appender sends the notice again as
 *       soon as the last one is answered: about 200 notices a second, each a new gRPC stream, for
 *       the whole transfer. A reply "in progress" is held {@value #IN_PROGRESS_MS} ms, so the
 *       leader asks a few times a second (each notice still counts as contact from the leader, well
 *       within the election timeout).
 *   <li>The leader registers a notice as pending only after sending it ({@code
 *       GrpcLogAppender.notifyInstallSnapshot}); a reply that comes back first fails its stream
 *       ({@code NullPointerException: index == null} in {@code removePending}) and the result it
 *       carried is lost. Every other reply is held {@value #OTHER_MS} ms.
 * </ul>
 *
 * The reply is held on the gRPC executor thread that answers the notice (a cached pool).
 */
public final class InstallNoticePacing implements ServerInterceptor {

  static final long IN_PROGRESS_MS = 250;
  static final long OTHER_MS = 20;

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    if (!"installSnapshot".equals(call.getMethodDescriptor().getBareMethodName())) {
      return next.startCall(call, headers);
    }
    return next.startCall(
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(A message) {
            if (message instanceof InstallSnapshotReplyProto reply && !reply.hasRequestIndex()) {
              hold(
                  reply.getResult() == InstallSnapshotResult.IN_PROGRESS
                      ? IN_PROGRESS_MS
                      : OTHER_MS);
            }
            super.sendMessage(message);
          }
        },
        headers);
  }

  private static void hold(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
