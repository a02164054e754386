package io.quiver.consensus.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * One state machine's answer to Ratis' notice that it needs a snapshot ({@code
 * notifyInstallSnapshotFromLeader}): a {@link SnapshotFetcher} fetch with that state machine's
 * staging directory, files or not, throttled or not, and installer; the fetch in progress is
 * cancelled when the state machine closes.
 */
public final class FetchOnNotice {

  private final SnapshotFetcher fetcher;
  private final Supplier<Path> staging;
  private final boolean filesWanted;
  private final boolean throttled;
  private final SnapshotFetcher.Installer installer;
  private volatile CompletableFuture<TermIndex> current;

  /**
   * @param fetcher the node's fetcher; null where snapshots cannot be fetched (a test's group)
   * @param staging where the fetched files are staged (read at each notice); null without files
   */
  public FetchOnNotice(
      SnapshotFetcher fetcher,
      Supplier<Path> staging,
      boolean filesWanted,
      boolean throttled,
      SnapshotFetcher.Installer installer) {
    this.fetcher = fetcher;
    this.staging = staging;
    this.filesWanted = filesWanted;
    this.throttled = throttled;
    this.installer = installer;
  }

  /** Starts a fetch for {@code machine}, notified with the leader's first log entry. */
  public CompletableFuture<TermIndex> start(
      BaseStateMachine machine, RoleInfoProto roleInfo, TermIndex firstAvailable) {
    if (fetcher == null) {
      return CompletableFuture.failedFuture(
          new IOException(machine.getId() + " cannot fetch snapshots"));
    }
    try {
      TermIndex applied = machine.getLastAppliedTermIndex();
      CompletableFuture<TermIndex> f =
          fetcher.fetch(
              SnapshotFetcher.request(
                  machine.getServer().join(),
                  machine.getGroupId(),
                  applied == null ? -1 : applied.getIndex(),
                  roleInfo,
                  firstAvailable,
                  staging == null ? null : staging.get(),
                  filesWanted,
                  throttled,
                  installer));
      current = f;
      return f;
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Stops the fetch in progress, if any (what it staged stays for the next). */
  public void cancel() {
    CompletableFuture<TermIndex> f = current;
    if (f != null) {
      f.cancel(false);
    }
  }
}
