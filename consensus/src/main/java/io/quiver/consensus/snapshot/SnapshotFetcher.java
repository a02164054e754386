package io.quiver.consensus.snapshot;

import io.quiver.consensus.raft.TransferRate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.ProtoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a snapshot for a replica that Ratis notified to install one (its group's log no longer
 * holds what it lacks, or it is new to the group): picks a peer that offers a recent enough
 * snapshot (the peer it was already fetching from, then the leader, then any other replica with
 * data), reads the snapshot's files from it in chunks of {@value #CHUNK} bytes through Ratis' read
 * path, and hands them to the state machine's {@link Installer}. Every chunk of a shard snapshot
 * first waits for the node's {@link TransferRate}.
 *
 * <p><b>Resumable.</b> The chunks land in a {@link SnapshotStaging} directory, forced every {@value
 * #FORCE_EVERY} bytes. A fetch that stops (a crash of this node, the loss of its source, the
 * source's snapshot replaced by a newer one) starts again with what is staged: the files the new
 * snapshot shares with the staged one (hard links of the same immutable files, on the same peer)
 * are not fetched again, and a file cut short continues from its last forced byte.
 *
 * <p>A fetch gives up after {@value #NO_PROGRESS_SECONDS} s without progress; Ratis then notifies
 * the replica again and a new fetch resumes from the staging.
 */
public final class SnapshotFetcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFetcher.class);

  static final int CHUNK = 4 << 20;
  static final long FORCE_EVERY = CHUNK;
  private static final long NO_PROGRESS_SECONDS = 120;
  private static final long ASK_TIMEOUT_SECONDS = 30;

  /** A peer that cannot say what it offers within this is passed over for the next. */
  private static final long DESCRIBE_TIMEOUT_SECONDS = 5;

  /** The peers of one group, for the requests of one fetch. */
  public interface Peers extends AutoCloseable {
    /** Sends {@code request} to {@code peer}'s state machine (a stale read) for its reply. */
    CompletableFuture<ByteString> ask(RaftPeerId peer, Message request);

    @Override
    void close();
  }

  /** Opens {@link Peers} over a group's Raft transport. */
  @FunctionalInterface
  public interface Connector {
    Peers open(RaftGroup group);
  }

  /** What a state machine does with a fetched snapshot. */
  @FunctionalInterface
  public interface Installer {
    /**
     * Makes the fetched snapshot its latest: {@code files} holds the snapshot's files at their
     * paths (the installer may move them), null for a fetch of a term and index only.
     */
    void install(SnapshotManifest manifest, Path files) throws IOException;
  }

  /** What a fetch needs to know of the replica that asks for it. */
  public record Request(
      RaftGroup group,
      RaftPeerId self,
      RaftPeerId leader,
      long neededIndex,
      long appliedIndex,
      Path staging,
      boolean filesWanted,
      boolean throttled,
      Installer installer) {}

  private final Connector connector;
  private final IncomingSnapshots incoming;
  private final Function<RaftPeerId, Long> nodeIdOf;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "snapshot-fetch");
            t.setDaemon(true);
            return t;
          });

  public SnapshotFetcher(
      Connector connector, IncomingSnapshots incoming, Function<RaftPeerId, Long> nodeIdOf) {
    this.connector = connector;
    this.incoming = incoming;
    this.nodeIdOf = nodeIdOf;
  }

  /**
   * The request of a replica that Ratis notified ({@code notifyInstallSnapshotFromLeader}): its
   * group's peers as its division knows them, with the leader from the notice (a new replica may
   * not know its group yet).
   */
  public static Request request(
      RaftServer server,
      RaftGroupId groupId,
      long appliedIndex,
      RoleInfoProto roleInfo,
      TermIndex firstAvailable,
      Path staging,
      boolean filesWanted,
      boolean throttled,
      Installer installer)
      throws IOException {
    RaftServer.Division division = server.getDivision(groupId);
    List<RaftPeer> peers = new ArrayList<>(division.getGroup().getPeers());
    RaftPeerId leader = null;
    if (roleInfo.hasFollowerInfo() && roleInfo.getFollowerInfo().hasLeaderInfo()) {
      RaftPeer l = ProtoUtils.toRaftPeer(roleInfo.getFollowerInfo().getLeaderInfo().getId());
      leader = l.getId();
      if (peers.stream().noneMatch(p -> p.getId().equals(l.getId()))) {
        peers.add(l);
      }
    }
    return new Request(
        RaftGroup.valueOf(groupId, peers),
        server.getId(),
        leader,
        firstAvailable.getIndex() - 1,
        appliedIndex,
        staging,
        filesWanted,
        throttled,
        installer);
  }

  /**
   * Fetches and installs a snapshot; completes with its term and index, or with null when no peer
   * offers one newer than the replica and it needs none (a new replica whose group's log is whole).
   * Cancelling the future stops the fetch (what is staged stays for the next).
   */
  public CompletableFuture<TermIndex> fetch(Request r) {
    CompletableFuture<TermIndex> result = new CompletableFuture<>();
    threads.execute(
        () -> {
          try {
            result.complete(run(r, result));
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return result;
  }

  private record Offer(RaftPeerId peer, SnapshotManifest manifest) {}

  private TermIndex run(Request r, CompletableFuture<TermIndex> result) throws Exception {
    String group = r.group().getGroupId().toString();
    boolean mustInstall = r.neededIndex() > r.appliedIndex();
    SnapshotStaging staging = r.filesWanted() ? new SnapshotStaging(r.staging()) : null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NO_PROGRESS_SECONDS);
    try (Peers peers = connector.open(r.group())) {
      while (true) {
        if (result.isDone()) {
          throw new CancellationException("the replica closed");
        }
        Offer offer = staging == null ? null : resumable(r, peers, staging, mustInstall);
        if (offer == null) {
          offer = choose(r, peers, staging == null ? null : staging.source(), mustInstall);
        }
        if (offer == null) {
          if (!mustInstall) {
            LOG.info(
                "{} {}: no peer offers a snapshot after index {}; catching up from the log",
                r.self(),
                group,
                r.appliedIndex());
            return null;
          }
          if (System.nanoTime() > deadline) {
            throw new IOException(
                "no peer of group "
                    + group
                    + " offers a snapshot at index "
                    + r.neededIndex()
                    + " or later");
          }
          Thread.sleep(1000);
          continue;
        }
        SnapshotManifest m = offer.manifest();
        TermIndex at = TermIndex.valueOf(m.term(), m.index());
        if (!r.filesWanted()) {
          r.installer().install(m, null);
          LOG.info(
              "{} {}: took snapshot {} of {} as its term and index only",
              r.self(),
              group,
              at,
              offer.peer());
          return at;
        }
        try {
          long progressBefore = fetchFiles(r, peers, offer, staging, result);
          if (result.isDone()) {
            throw new CancellationException("the replica closed");
          }
          r.installer().install(m, staging.files());
          staging.clear();
          LOG.info(
              "{} {}: installed snapshot {} from {} ({} bytes, {} of them kept from an earlier fetch)",
              r.self(),
              group,
              at,
              offer.peer(),
              m.totalBytes(),
              progressBefore);
          return at;
        } catch (IOException | ExecutionException | TimeoutException e) {
          LOG.warn(
              "{} {}: fetching snapshot {} from {} stopped ({}); starting again with what is staged",
              r.self(),
              group,
              at,
              offer.peer(),
              e.getCause() != null ? e.getCause().toString() : e.toString());
          if (staging.progressed()) {
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NO_PROGRESS_SECONDS);
          } else if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(1000);
        }
      }
    }
  }

  /**
   * The staged snapshot, when its peer still holds it and this replica can take it (newer than what
   * it applied; not older than what the leader's log continues from): resuming it fetches only what
   * is missing, where the peer's latest snapshot may share no file with it (a sender that restarted
   * takes a new snapshot of segments its optimizer rebuilt meanwhile). Null otherwise.
   */
  private Offer resumable(Request r, Peers peers, SnapshotStaging staging, boolean mustInstall) {
    String source = staging.source();
    TermIndex staged = staging.staged();
    if (source == null
        || staged.getIndex() <= r.appliedIndex()
        || (mustInstall && staged.getIndex() < r.neededIndex())) {
      return null;
    }
    RaftPeerId peer = RaftPeerId.valueOf(source);
    if (peer.equals(r.self())
        || r.group().getPeers().stream().noneMatch(p -> p.getId().equals(peer))) {
      return null;
    }
    try {
      SnapshotManifest m =
          SnapshotMessages.decodeManifest(
              peers
                  .ask(peer, SnapshotMessages.describeAt(staged.getTerm(), staged.getIndex()))
                  .get(DESCRIBE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
      if (m == null
          || !m.data()
          || m.term() != staged.getTerm()
          || m.index() != staged.getIndex()) {
        return null;
      }
      return new Offer(peer, m);
    } catch (Exception e) {
      LOG.debug("{}: {} did not describe snapshot {}: {}", r.self(), peer, staged, e.toString());
      return null;
    }
  }

  /** The first peer, in order of preference, that offers a snapshot this replica can take. */
  private Offer choose(Request r, Peers peers, String stagedFrom, boolean mustInstall) {
    Set<RaftPeerId> order = new LinkedHashSet<>();
    for (RaftPeer p : r.group().getPeers()) {
      if (p.getId().toString().equals(stagedFrom)) {
        order.add(p.getId());
      }
    }
    if (r.leader() != null) {
      order.add(r.leader());
    }
    r.group().getPeers().forEach(p -> order.add(p.getId()));
    order.remove(r.self());
    for (RaftPeerId peer : order) {
      SnapshotManifest m;
      try {
        m =
            SnapshotMessages.decodeManifest(
                peers
                    .ask(peer, SnapshotMessages.describe())
                    .get(DESCRIBE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
      } catch (Exception e) {
        LOG.debug("{}: {} did not describe its snapshot: {}", r.self(), peer, e.toString());
        continue;
      }
      if (m == null
          || (r.filesWanted() && !m.data())
          || m.index() <= r.appliedIndex()
          || (mustInstall && m.index() < r.neededIndex())) {
        continue;
      }
      return new Offer(peer, m);
    }
    return null;
  }

  /** Fetches what is not staged yet; returns the bytes that were. */
  private long fetchFiles(
      Request r,
      Peers peers,
      Offer offer,
      SnapshotStaging staging,
      CompletableFuture<TermIndex> result)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    SnapshotManifest m = offer.manifest();
    long here = staging.prepare(offer.peer().toString(), m);
    IncomingSnapshots.Transfer transfer =
        r.throttled()
            ? incoming.begin(
                r.group().getGroupId().getUuid(),
                nodeIdOf.apply(offer.peer()),
                m.totalBytes(),
                here,
                m.index(),
                m.points())
            : null;
    TransferRate rate = r.throttled() ? incoming.rate() : null;
    LOG.info(
        "{} {}: fetching snapshot {}_{} from {}: {} bytes in {} files, {} already here{}",
        r.self(),
        r.group().getGroupId(),
        m.term(),
        m.index(),
        offer.peer(),
        m.totalBytes(),
        m.files().size(),
        here,
        rate == null || rate.bytesPerSecond() == 0
            ? ""
            : ", at most " + rate.bytesPerSecond() + " bytes/s");
    boolean finished = false;
    try {
      for (int i = 0; i < m.files().size(); i++) {
        SnapshotManifest.File f = m.files().get(i);
        long done = staging.durable(i);
        if (done >= f.size()) {
          continue;
        }
        try (FileChannel out = staging.open(i)) {
          long forced = done;
          CompletableFuture<ByteString> next = ask(peers, offer, f, done, rate);
          while (done < f.size()) {
            if (result.isDone()) {
              throw new CancellationException("the replica closed");
            }
            ByteString data =
                SnapshotMessages.decodeChunk(next.get(ASK_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            int expected = (int) Math.min(CHUNK, f.size() - done);
            if (data.size() != expected) {
              throw new IOException(
                  f.path() + " ended at " + (done + data.size()) + " of " + f.size() + " bytes");
            }
            long following = done + expected;
            // Ask for the next chunk before writing this one: the peer reads while this disk
            // writes.
            next = following < f.size() ? ask(peers, offer, f, following, rate) : null;
            ByteBuffer buffer = data.asReadOnlyByteBuffer();
            long position = done;
            while (buffer.hasRemaining()) {
              position += out.write(buffer, position);
            }
            done = following;
            staging.wrote(expected);
            if (transfer != null) {
              transfer.add(expected);
            }
            if (done - forced >= FORCE_EVERY) {
              out.force(false);
              staging.forced(i, done);
              forced = done;
            }
          }
          out.force(false);
          staging.forced(i, done);
        }
      }
      finished = true;
    } finally {
      if (transfer != null) {
        if (finished) {
          transfer.finish();
        } else {
          transfer.abandon();
        }
      }
    }
    return here;
  }

  private static CompletableFuture<ByteString> ask(
      Peers peers, Offer offer, SnapshotManifest.File f, long offset, TransferRate rate)
      throws InterruptedException {
    int length = (int) Math.min(CHUNK, f.size() - offset);
    if (rate != null) {
      rate.acquire(length);
    }
    SnapshotManifest m = offer.manifest();
    return peers.ask(
        offer.peer(), SnapshotMessages.read(m.term(), m.index(), f.path(), offset, length));
  }

  /** The snapshots this node is receiving now (and those finished within the last seconds). */
  public List<IncomingTransfer> incomingTransfers() {
    return incoming.transfers();
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
