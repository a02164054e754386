package io.quiver.consensus.snapshot;

import io.quiver.consensus.codec.Envelope;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The binary form of the snapshot fetch: a replica's requests to a peer's state machine (describe
 * the latest snapshot, or one it names; read a range of one of its files) and the peer's replies.
 * Sent as stale reads, which any replica answers, leader or not. Also the question of another node
 * what snapshots it is receiving ({@link Transfers}, asked of its meta group replica, which every
 * node hosts), for the transfer progress that {@code GET /collections/{c}/cluster} shows on every
 * node.
 */
public final class SnapshotMessages {

  static final int REQUEST_MAGIC = 0x51534631; // "QSF1"
  static final int REPLY_MAGIC = 0x51534731; // "QSG1"
  private static final int VERSION = 1;

  private static final byte DESCRIBE = 1;
  private static final byte READ = 2;
  private static final byte TRANSFERS = 3;
  private static final byte DESCRIBE_AT = 4;

  private static final byte NONE = 0;
  private static final byte MANIFEST = 1;
  private static final byte CHUNK = 2;
  private static final byte TRANSFER_LIST = 3;

  /** Bytes before a chunk's data: magic, version, type, CRC32C, length. */
  private static final int CHUNK_HEADER = 4 + 1 + 1 + 4 + 4;

  private SnapshotMessages() {}

  /** A request to a peer. */
  public sealed interface Request {}

  /** Which snapshot the peer would give now. */
  public record Describe() implements Request {}

  /**
   * Snapshot {@code term_index}, if the peer still holds it complete (a fetch that stopped resumes
   * the snapshot it staged). A peer that predates this request refuses it as unknown.
   */
  public record DescribeAt(long term, long index) implements Request {}

  /** {@code length} bytes from {@code offset} of {@code path} in snapshot {@code term_index}. */
  public record Read(long term, long index, String path, long offset, int length)
      implements Request {}

  /** Which snapshots the answering node is receiving ({@link IncomingSnapshots#transfers}). */
  public record Transfers() implements Request {}

  /** True when {@code content} is a snapshot fetch request (and not one of the group's queries). */
  public static boolean isRequest(ByteString content) {
    return content.size() >= 4
        && ((content.byteAt(0) & 0xff) << 24
                | (content.byteAt(1) & 0xff) << 16
                | (content.byteAt(2) & 0xff) << 8
                | (content.byteAt(3) & 0xff))
            == REQUEST_MAGIC;
  }

  public static Message describe() {
    return Envelope.message(REQUEST_MAGIC, VERSION, out -> out.writeByte(DESCRIBE));
  }

  public static Message describeAt(long term, long index) {
    return Envelope.message(
        REQUEST_MAGIC,
        VERSION,
        out -> {
          out.writeByte(DESCRIBE_AT);
          out.writeLong(term);
          out.writeLong(index);
        });
  }

  public static Message transfers() {
    return Envelope.message(REQUEST_MAGIC, VERSION, out -> out.writeByte(TRANSFERS));
  }

  public static Message read(long term, long index, String path, long offset, int length) {
    return Envelope.message(
        REQUEST_MAGIC,
        VERSION,
        out -> {
          out.writeByte(READ);
          out.writeLong(term);
          out.writeLong(index);
          out.writeUTF(path);
          out.writeLong(offset);
          out.writeInt(length);
        });
  }

  public static Request decodeRequest(ByteString content) throws IOException {
    DataInputStream in = Envelope.open(content, REQUEST_MAGIC, VERSION);
    byte type = in.readByte();
    return switch (type) {
      case DESCRIBE -> new Describe();
      case READ ->
          new Read(in.readLong(), in.readLong(), in.readUTF(), in.readLong(), in.readInt());
      case TRANSFERS -> new Transfers();
      case DESCRIBE_AT -> new DescribeAt(in.readLong(), in.readLong());
      default -> throw new IOException("unknown snapshot request type " + type);
    };
  }

  /** The reply of a peer with no snapshot to give. */
  public static Message none() {
    return Envelope.message(REPLY_MAGIC, VERSION, out -> out.writeByte(NONE));
  }

  public static Message manifest(SnapshotManifest m) {
    return Envelope.message(
        REPLY_MAGIC,
        VERSION,
        out -> {
          out.writeByte(MANIFEST);
          out.writeLong(m.term());
          out.writeLong(m.index());
          out.writeBoolean(m.data());
          out.writeInt(m.files().size());
          for (SnapshotManifest.File f : m.files()) {
            out.writeUTF(f.path());
            out.writeLong(f.size());
            out.writeUTF(f.identity());
          }
          // Appended after the first layout: a reader that predates it stops before it.
          out.writeLong(m.points());
        });
  }

  /**
   * The manifest a describe was answered with, or null when the peer has no snapshot (or not the
   * one named).
   */
  public static SnapshotManifest decodeManifest(ByteString content) throws IOException {
    DataInputStream in = Envelope.open(content, REPLY_MAGIC, VERSION);
    byte type = in.readByte();
    if (type == NONE) {
      return null;
    }
    if (type != MANIFEST) {
      throw new IOException("expected a snapshot manifest, got reply type " + type);
    }
    long term = in.readLong();
    long index = in.readLong();
    boolean data = in.readBoolean();
    int n = in.readInt();
    List<SnapshotManifest.File> files = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      files.add(new SnapshotManifest.File(in.readUTF(), in.readLong(), in.readUTF()));
    }
    // A peer of an older build ends here: its snapshot's points are not known.
    long points = in.available() >= Long.BYTES ? in.readLong() : -1;
    return new SnapshotManifest(term, index, data, files, points);
  }

  /**
   * The answer to {@link Transfers}: the answering node's clock now, then its transfers with their
   * times on that clock.
   */
  public static Message transferList(List<IncomingTransfer> transfers) {
    return transferList(transfers, System.currentTimeMillis());
  }

  /** {@link #transferList(List)} on a clock that reads {@code now}. */
  static Message transferList(List<IncomingTransfer> transfers, long now) {
    return Envelope.message(
        REPLY_MAGIC,
        VERSION,
        out -> {
          out.writeByte(TRANSFER_LIST);
          out.writeLong(now);
          out.writeInt(transfers.size());
          for (IncomingTransfer t : transfers) {
            out.writeLong(t.groupId().getMostSignificantBits());
            out.writeLong(t.groupId().getLeastSignificantBits());
            out.writeLong(t.fromNode() == null ? -1 : t.fromNode());
            out.writeBoolean(t.fromNode() != null);
            out.writeLong(t.bytesDone());
            out.writeLong(t.bytesTotal());
            out.writeLong(t.bytesResumed());
            out.writeLong(t.snapshotIndex());
            out.writeLong(now - t.startedMillis());
            out.writeLong(now - t.updatedMillis());
            out.writeBoolean(t.done());
            out.writeLong(t.rateLimitBytesPerSecond());
            out.writeLong(t.pointsTotal());
          }
        });
  }

  /**
   * The transfers of a {@link #transferList} reply, their times moved onto this node's clock (the
   * ages the other node measured, subtracted from this node's now): another node's wall clock may
   * be off.
   */
  public static List<IncomingTransfer> decodeTransfers(ByteString content) throws IOException {
    DataInputStream in = Envelope.open(content, REPLY_MAGIC, VERSION);
    byte type = in.readByte();
    if (type != TRANSFER_LIST) {
      throw new IOException("expected a list of transfers, got reply type " + type);
    }
    in.readLong(); // the other node's clock, which the ages below are relative to
    long now = System.currentTimeMillis();
    int n = in.readInt();
    List<IncomingTransfer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      java.util.UUID group = new java.util.UUID(in.readLong(), in.readLong());
      long from = in.readLong();
      boolean hasFrom = in.readBoolean();
      out.add(
          new IncomingTransfer(
              group,
              hasFrom ? from : null,
              in.readLong(),
              in.readLong(),
              in.readLong(),
              in.readLong(),
              now - in.readLong(),
              now - in.readLong(),
              in.readBoolean(),
              in.readLong(),
              in.readLong()));
    }
    return out;
  }

  /** A chunk of a file: the bytes with their CRC32C, which the reader checks. */
  public static Message chunk(byte[] data, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, 0, length);
    byte[] header =
        Envelope.bytes(
            REPLY_MAGIC,
            VERSION,
            out -> {
              out.writeByte(CHUNK);
              out.writeInt((int) crc.getValue());
              out.writeInt(length);
            });
    return Message.valueOf(
        ByteString.copyFrom(header).concat(ByteString.copyFrom(data, 0, length)));
  }

  /** The bytes of a chunk reply, checked against their CRC32C. */
  public static ByteString decodeChunk(ByteString content) throws IOException {
    DataInputStream in = Envelope.open(content, REPLY_MAGIC, VERSION);
    byte type = in.readByte();
    if (type != CHUNK) {
      throw new IOException("expected a snapshot chunk, got reply type " + type);
    }
    int expectedCrc = in.readInt();
    int length = in.readInt();
    if (content.size() != CHUNK_HEADER + length) {
      throw new IOException(
          "a snapshot chunk of "
              + length
              + " bytes arrived with "
              + (content.size() - CHUNK_HEADER));
    }
    ByteString data = content.substring(CHUNK_HEADER);
    CRC32C crc = new CRC32C();
    crc.update(data.asReadOnlyByteBuffer());
    if ((int) crc.getValue() != expectedCrc) {
      throw new IOException("a snapshot chunk failed its checksum");
    }
    return data;
  }
}
