package io.quiver.consensus.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The question which snapshots a node receives, and its answer, as they cross the wire. */
class SnapshotMessagesTest {

  @Test
  void aNodesTransfersCrossTheWireWithTheirAgesOnTheReadersClock() throws Exception {
    long now = System.currentTimeMillis();
    UUID group = UUID.randomUUID();
    // Times on a clock an hour ahead of this one: started 30 s before, updated 1 s before.
    long skew = 3_600_000;
    IncomingTransfer sent =
        new IncomingTransfer(
            group,
            42L,
            5_000,
            20_000,
            1_000,
            77,
            now + skew - 30_000,
            now + skew - 1_000,
            false,
            4 << 20,
            20_000);
    IncomingTransfer sentWithoutSource =
        new IncomingTransfer(
            UUID.randomUUID(), null, 0, 10, 0, 5, now + skew, now + skew, true, 0, -1);
    List<IncomingTransfer> received =
        SnapshotMessages.decodeTransfers(
            SnapshotMessages.transferList(List.of(sent, sentWithoutSource), now + skew)
                .getContent());
    assertEquals(2, received.size());
    IncomingTransfer r = received.get(0);
    assertEquals(group, r.groupId());
    assertEquals(42L, r.fromNode());
    assertEquals(5_000, r.bytesDone());
    assertEquals(20_000, r.bytesTotal());
    assertEquals(1_000, r.bytesResumed());
    assertEquals(77, r.snapshotIndex());
    assertEquals(4 << 20, r.rateLimitBytesPerSecond());
    assertEquals(20_000, r.pointsTotal());
    // Shifted onto this clock: the ages survive, the other node's skew does not.
    long readAt = System.currentTimeMillis();
    assertTrue(Math.abs(readAt - r.startedMillis() - 30_000) < 5_000, r.toString());
    assertTrue(Math.abs(readAt - r.updatedMillis() - 1_000) < 5_000, r.toString());
    assertEquals(29_000, r.updatedMillis() - r.startedMillis(), 2);
    assertNull(received.get(1).fromNode());
    assertEquals(-1, received.get(1).pointsTotal());
    assertTrue(received.get(1).done());
  }

  @Test
  void onlyASourceGivenTheNodesTransfersAnswersTheQuestion() throws Exception {
    SnapshotSource.Snapshots none =
        new SnapshotSource.Snapshots() {
          @Override
          public SnapshotSource.Offered latest() {
            return null;
          }

          @Override
          public java.nio.file.Path file(long term, long index, String path) {
            return null;
          }
        };
    assertInstanceOf(
        SnapshotMessages.Transfers.class,
        SnapshotMessages.decodeRequest(SnapshotMessages.transfers().getContent()));
    var answered =
        new SnapshotSource(none, List::of).answer(SnapshotMessages.transfers().getContent()).join();
    assertEquals(List.of(), SnapshotMessages.decodeTransfers(answered.getContent()));
    CompletionException refused =
        assertThrows(
            CompletionException.class,
            () ->
                new SnapshotSource(none).answer(SnapshotMessages.transfers().getContent()).join());
    assertTrue(refused.getCause().getMessage().contains("meta group"), refused.toString());
  }

  @Test
  void aManifestCarriesItsSnapshotsPointsAndOneWithoutThemReadsAsUnknown() throws Exception {
    SnapshotManifest m =
        new SnapshotManifest(
            3, 99, true, List.of(new SnapshotManifest.File("a/b.sst", 10, "k:10:1")), 12_345);
    var content = SnapshotMessages.manifest(m).getContent();
    assertEquals(m, SnapshotMessages.decodeManifest(content));
    // A peer of an older build writes no count after the files.
    SnapshotManifest older =
        SnapshotMessages.decodeManifest(content.substring(0, content.size() - Long.BYTES));
    assertEquals(-1, older.points());
    assertEquals(m.files(), older.files());
  }
}
