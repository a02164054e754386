package io.quiver.consensus;

import io.quiver.consensus.raft.TransferRate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.proto.RaftProtos.FileChunkProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;

/**
 * The shard snapshots this node is receiving (a new replica's transfer: Ratis streams the leader's
 * checkpoint files in chunks over gRPC), seen by a server interceptor on Ratis' {@code
 * installSnapshot} stream: how many bytes of how many have arrived, from which node, since when.
 * Each chunk also waits for its turn under the node's {@link TransferRate} before Ratis writes it:
 * the wait holds back the stream's replies, so the leader sends no faster (it keeps at most 8
 * chunks unanswered). The metadata group's own snapshots are never held back.
 *
 * <p>A transfer interrupted by a crash of either side starts again from its first byte (Ratis sends
 * a new snapshot under a new request id); the progress then starts again too.
 */
final class IncomingSnapshots implements ServerInterceptor {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(IncomingSnapshots.class);

  /**
   * A finished transfer stays visible this long; one without a chunk for {@link #STALE_MS} is
   * dropped.
   */
  private static final long KEEP_DONE_MS = 10_000;

  private static final long STALE_MS = 60_000;

  private final TransferRate rate;
  private final Map<UUID, State> transfers = new ConcurrentHashMap<>();

  private static final class State {
    final String requestId;
    final Long fromNode;
    final long bytesTotal;
    final long snapshotIndex;
    final long startedMillis = System.currentTimeMillis();
    long bytesDone; // guarded by this
    long updatedMillis = startedMillis;
    boolean done;

    State(String requestId, Long fromNode, long bytesTotal, long snapshotIndex) {
      this.requestId = requestId;
      this.fromNode = fromNode;
      this.bytesTotal = bytesTotal;
      this.snapshotIndex = snapshotIndex;
    }
  }

  IncomingSnapshots(TransferRate rate) {
    this.rate = rate;
  }

  TransferRate rate() {
    return rate;
  }

  /** The transfers into this node now (and those finished within the last seconds). */
  List<IncomingTransfer> transfers() {
    long now = System.currentTimeMillis();
    List<IncomingTransfer> out = new ArrayList<>();
    transfers
        .entrySet()
        .removeIf(
            e -> {
              State s = e.getValue();
              synchronized (s) {
                return s.done
                    ? now - s.updatedMillis > KEEP_DONE_MS
                    : now - s.updatedMillis > STALE_MS;
              }
            });
    transfers.forEach(
        (group, s) -> {
          synchronized (s) {
            out.add(
                new IncomingTransfer(
                    group,
                    s.fromNode,
                    s.bytesDone,
                    s.bytesTotal,
                    s.snapshotIndex,
                    s.startedMillis,
                    s.updatedMillis,
                    s.done));
          }
        });
    return out;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!"installSnapshot".equals(call.getMethodDescriptor().getBareMethodName())) {
      return listener;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        if (message instanceof InstallSnapshotRequestProto request && request.hasSnapshotChunk()) {
          received(request);
        }
        super.onMessage(message);
      }
    };
  }

  private void received(InstallSnapshotRequestProto request) {
    RaftGroupId groupId = RaftGroupId.valueOf(request.getServerRequest().getRaftGroupId().getId());
    if (groupId.equals(RaftNode.META_GROUP_ID)) {
      return;
    }
    InstallSnapshotRequestProto.SnapshotChunkProto chunk = request.getSnapshotChunk();
    long bytes = 0;
    for (FileChunkProto file : chunk.getFileChunksList()) {
      bytes += file.getData().size();
    }
    try {
      rate.acquire(bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    State state =
        transfers.compute(
            groupId.getUuid(),
            (g, old) ->
                old != null && old.requestId.equals(chunk.getRequestId())
                    ? old
                    : new State(
                        chunk.getRequestId(),
                        RaftNode.nodeIdOf(
                            org.apache.ratis.protocol.RaftPeerId.valueOf(
                                    request.getServerRequest().getRequestorId())
                                .toString()),
                        chunk.getTotalSize(),
                        chunk.getTermIndex().getIndex()));
    boolean first;
    boolean finished;
    synchronized (state) {
      first = state.bytesDone == 0;
      state.bytesDone += bytes;
      state.updatedMillis = System.currentTimeMillis();
      finished = !state.done && chunk.getDone();
      state.done |= chunk.getDone();
    }
    if (first) {
      LOG.info(
          "receiving a snapshot of shard group {} (index {}) from node {}: {} bytes{}",
          groupId,
          state.snapshotIndex,
          state.fromNode,
          state.bytesTotal,
          rate.bytesPerSecond() == 0 ? "" : ", at most " + rate.bytesPerSecond() + " bytes/s");
    }
    if (finished) {
      LOG.info(
          "received the snapshot of shard group {}: {} bytes in {} ms",
          groupId,
          state.bytesDone,
          state.updatedMillis - state.startedMillis);
    }
  }
}
