package io.quiver.consensus.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.raft.TransferRate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a replica fetches a peer's snapshot file by file through the peer's real {@link
 * SnapshotSource} (over real files), and a fetch stopped midway (the fetching node dies) is resumed
 * by the next one: the files it completed are not asked for again. Oracle: the installed files
 * against the source's bytes, the bytes the source served in each fetch, and the progress the node
 * reports. The transport is an in-process call to the source (the Ratis path is covered by {@code
 * SnapshotInstallTest}, {@code WitnessTest} and {@code TransferCrashIT}).
 */
@Timeout(60)
class SnapshotFetcherTest {

  @TempDir Path dir;

  private static final RaftPeerId SOURCE = RaftPeerId.valueOf("n1");
  private static final RaftPeerId SELF = RaftPeerId.valueOf("n2");
  private static final int FILE = SnapshotFetcher.CHUNK + SnapshotFetcher.CHUNK / 2;

  /**
   * One peer's snapshot 1_10 of three files, served by its SnapshotSource; after {@link #takeNewer}
   * its latest is 1_20, of three other files, and it still holds 1_10.
   */
  private final class Source {
    final Path root = dir.resolve("source/1_10");
    final Path newerRoot = dir.resolve("source/1_20");
    final AtomicLong served = new AtomicLong();
    final AtomicInteger reads = new AtomicInteger();
    volatile int stallAfterReads = Integer.MAX_VALUE;
    volatile boolean newer;
    final SnapshotSource source;

    Source() throws Exception {
      List<Path> files = write(root, 42);
      List<Path> newerFiles = write(newerRoot, 43);
      source =
          new SnapshotSource(
              new SnapshotSource.Snapshots() {
                @Override
                public SnapshotSource.Offered latest() {
                  return newer
                      ? new SnapshotSource.Offered(
                          TermIndex.valueOf(1, 20), newerRoot, newerFiles, true)
                      : new SnapshotSource.Offered(TermIndex.valueOf(1, 10), root, files, true);
                }

                @Override
                public SnapshotSource.Offered at(long term, long index) {
                  return term == 1 && index == 10
                      ? new SnapshotSource.Offered(TermIndex.valueOf(1, 10), root, files, true)
                      : SnapshotSource.Snapshots.super.at(term, index);
                }

                @Override
                public Path file(long term, long index, String path) {
                  if (term == 1 && index == 10) {
                    Path file = root.resolve(path).normalize();
                    return files.contains(file) ? file : null;
                  }
                  Path file = newerRoot.resolve(path).normalize();
                  return newer && term == 1 && index == 20 && newerFiles.contains(file)
                      ? file
                      : null;
                }
              });
    }

    private static List<Path> write(Path root, long seed) throws Exception {
      Random random = new Random(seed);
      for (String name : List.of("store/1.sst", "segments/a", "segments/b")) {
        byte[] bytes = new byte[FILE];
        random.nextBytes(bytes);
        Files.createDirectories(root.resolve(name).getParent());
        Files.write(root.resolve(name), bytes);
      }
      return List.of(
          root.resolve("segments/a"), root.resolve("segments/b"), root.resolve("store/1.sst"));
    }

    /** The peer (a sender that restarted, say) takes snapshot 1_20 and keeps 1_10. */
    void takeNewer() {
      newer = true;
    }

    SnapshotFetcher.Peers peers() {
      return new SnapshotFetcher.Peers() {
        @Override
        public CompletableFuture<ByteString> ask(RaftPeerId peer, Message request) {
          try {
            if (SnapshotMessages.decodeRequest(request.getContent())
                instanceof SnapshotMessages.Read r) {
              if (reads.incrementAndGet() > stallAfterReads) {
                return new CompletableFuture<>(); // the link stalls
              }
              served.addAndGet(r.length());
            }
          } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
          }
          return source.answer(request.getContent()).thenApply(Message::getContent);
        }

        @Override
        public void close() {}
      };
    }
  }

  private SnapshotFetcher.Request request(Path installed) {
    RaftGroup group =
        RaftGroup.valueOf(
            RaftGroupId.randomId(),
            RaftPeer.newBuilder().setId(SOURCE).build(),
            RaftPeer.newBuilder().setId(SELF).build());
    return new SnapshotFetcher.Request(
        group,
        SELF,
        SOURCE,
        9,
        -1,
        dir.resolve("replica/incoming"),
        true,
        true,
        (manifest, files) -> Files.move(files, installed));
  }

  private void assertSameFiles(Source source, Path installed) throws Exception {
    assertSameFiles(source.root, installed);
  }

  private static void assertSameFiles(Path root, Path installed) throws Exception {
    for (String name : List.of("store/1.sst", "segments/a", "segments/b")) {
      assertArrayEquals(
          Files.readAllBytes(root.resolve(name)),
          Files.readAllBytes(installed.resolve(name)),
          name);
    }
  }

  @Test
  void aReplicaFetchesAndInstallsThePeersSnapshot() throws Exception {
    Source source = new Source();
    Path installed = dir.resolve("replica/installed");
    IncomingSnapshots incoming = new IncomingSnapshots(new TransferRate(0));
    try (SnapshotFetcher fetcher = new SnapshotFetcher(g -> source.peers(), incoming, p -> 1L)) {
      TermIndex at = fetcher.fetch(request(installed)).get(30, TimeUnit.SECONDS);
      assertEquals(TermIndex.valueOf(1, 10), at);
    }
    assertSameFiles(source, installed);
    assertEquals(3L * FILE, source.served.get(), "every byte served once");
    IncomingTransfer t = incoming.transfers().getFirst();
    assertTrue(t.done());
    assertEquals(3L * FILE, t.bytesDone());
    assertEquals(0, t.bytesResumed());
    assertTrue(Files.notExists(dir.resolve("replica/incoming")), "the staging is cleared");
  }

  @Test
  void aPeerReadsOnlyTheFilesTheSnapshotOffers() throws Exception {
    Source source = new Source();
    Files.writeString(source.root.resolve("not-offered"), "private");
    Files.writeString(dir.resolve("outside"), "private");
    Message offered =
        source
            .source
            .answer(SnapshotMessages.read(1, 10, "segments/a", 0, 16).getContent())
            .get(10, TimeUnit.SECONDS);
    assertEquals(16, SnapshotMessages.decodeChunk(offered.getContent()).size());
    for (String path : List.of("not-offered", "../../outside", "segments/../../../outside")) {
      var refused =
          assertThrows(
              java.util.concurrent.ExecutionException.class,
              () ->
                  source
                      .source
                      .answer(SnapshotMessages.read(1, 10, path, 0, 7).getContent())
                      .get(10, TimeUnit.SECONDS),
              path);
      assertTrue(
          refused.getCause().getCause() instanceof java.nio.file.NoSuchFileException,
          path + ": " + refused.getCause());
    }
  }

  /**
   * Fetches two of the source's three files of 1_10 (two chunks each), then the link stalls and
   * this node dies; returns the bytes served.
   */
  private long fetchTwoFilesAndDie(Source source, Path installed) throws Exception {
    source.stallAfterReads = 4;
    SnapshotFetcher dying =
        new SnapshotFetcher(
            g -> source.peers(), new IncomingSnapshots(new TransferRate(0)), p -> 1L);
    CompletableFuture<TermIndex> first = dying.fetch(request(installed));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (source.reads.get() <= 4 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(source.reads.get() > 4, "the fetch reached the stall");
    Thread.sleep(200); // the second file is forced after its last chunk
    first.cancel(false);
    dying.close();
    long servedBefore = source.served.get();
    assertEquals(2L * FILE, servedBefore, "two files of two chunks each");
    source.stallAfterReads = Integer.MAX_VALUE;
    return servedBefore;
  }

  @Test
  void aFetchCutShortIsResumedWithoutTheFilesItCompleted() throws Exception {
    Source source = new Source();
    Path installed = dir.resolve("replica/installed");
    long servedBefore = fetchTwoFilesAndDie(source, installed);

    IncomingSnapshots incoming = new IncomingSnapshots(new TransferRate(0));
    try (SnapshotFetcher fetcher = new SnapshotFetcher(g -> source.peers(), incoming, p -> 1L)) {
      assertEquals(
          TermIndex.valueOf(1, 10), fetcher.fetch(request(installed)).get(30, TimeUnit.SECONDS));
    }
    assertSameFiles(source, installed);
    assertEquals(
        FILE,
        source.served.get() - servedBefore,
        "only the file that had not arrived is fetched again");
    IncomingTransfer t = incoming.transfers().getFirst();
    assertEquals(2L * FILE, t.bytesResumed());
    assertEquals(3L * FILE, t.bytesDone());
  }

  /**
   * The source took a newer snapshot of other files meanwhile (a sender restarted after its crash
   * took one of segments its optimizer rebuilt; TransferProgressIT failed so in CI, the receiver
   * keeping nothing): while the leader's log continues from the staged snapshot, the fetch resumes
   * that one.
   */
  @Test
  void aFetchCutShortResumesItsSnapshotThoughThePeerTookANewerOne() throws Exception {
    Source source = new Source();
    Path installed = dir.resolve("replica/installed");
    long servedBefore = fetchTwoFilesAndDie(source, installed);
    source.takeNewer();

    try (SnapshotFetcher fetcher =
        new SnapshotFetcher(
            g -> source.peers(), new IncomingSnapshots(new TransferRate(0)), p -> 1L)) {
      assertEquals(
          TermIndex.valueOf(1, 10), fetcher.fetch(request(installed)).get(30, TimeUnit.SECONDS));
    }
    assertSameFiles(source, installed);
    assertEquals(FILE, source.served.get() - servedBefore, "only the missing file is fetched");
  }

  /**
   * Where the leader's log no longer continues from the staged snapshot (needed index 15 &gt; 10),
   * the fetch takes the peer's latest.
   */
  @Test
  void aStagedSnapshotTheLogHasLeftBehindGivesWayToTheLatest() throws Exception {
    Source source = new Source();
    Path installed = dir.resolve("replica/installed");
    long servedBefore = fetchTwoFilesAndDie(source, installed);
    source.takeNewer();

    SnapshotFetcher.Request r = request(installed);
    SnapshotFetcher.Request behind =
        new SnapshotFetcher.Request(
            r.group(), r.self(), r.leader(), 15, -1, r.staging(), true, true, r.installer());
    try (SnapshotFetcher fetcher =
        new SnapshotFetcher(
            g -> source.peers(), new IncomingSnapshots(new TransferRate(0)), p -> 1L)) {
      assertEquals(TermIndex.valueOf(1, 20), fetcher.fetch(behind).get(30, TimeUnit.SECONDS));
    }
    assertSameFiles(source.newerRoot, installed);
    assertEquals(
        3L * FILE, source.served.get() - servedBefore, "no file of 1_20 was staged: all fetched");
  }

  @Test
  void aNewReplicaWithoutAnySnapshotOfferedCatchesUpFromTheLog() throws Exception {
    Source source = new Source();
    SnapshotFetcher.Request r = request(dir.resolve("replica/installed"));
    // Not needed (the leader's log starts at 0) and the peer offers nothing newer than applied 10.
    SnapshotFetcher.Request notNeeded =
        new SnapshotFetcher.Request(
            r.group(), r.self(), r.leader(), -1, 10, r.staging(), true, true, r.installer());
    try (SnapshotFetcher fetcher =
        new SnapshotFetcher(
            g -> source.peers(), new IncomingSnapshots(new TransferRate(0)), p -> 1L)) {
      assertNull(fetcher.fetch(notNeeded).get(30, TimeUnit.SECONDS));
    }
    assertEquals(0, source.served.get());
  }
}
