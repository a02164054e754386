package io.quiver.consensus.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The header of every message Quiver puts into a Raft log or sends to a state machine: a 4-byte
 * magic naming the kind of message, a format version byte, then the body. A reader rejects a magic
 * or version it does not know instead of guessing.
 */
public final class Envelope {

  /** Writes the body of a message. */
  @FunctionalInterface
  public interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private Envelope() {}

  public static Message message(int magic, int version, Body body) {
    return Message.valueOf(ByteString.copyFrom(bytes(magic, version, body)));
  }

  public static byte[] bytes(int magic, int version, Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(magic);
      out.writeByte(version);
      body.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
  }

  /** Opens a message, checking its magic and version; the stream is positioned at the body. */
  public static DataInputStream open(ByteString content, int magic, int version)
      throws IOException {
    return open(content.newInput(), magic, version);
  }

  /**
   * An opened message of a format that has several versions: the body stream and the version it is
   * in.
   */
  public record Opened(DataInputStream in, int version) {}

  /** Opens a message written in any version from {@code oldest} to {@code newest}. */
  public static Opened open(ByteString content, int magic, int oldest, int newest)
      throws IOException {
    DataInputStream in = new DataInputStream(content.newInput());
    int actualMagic = in.readInt();
    if (actualMagic != magic) {
      throw new IOException(String.format("bad magic 0x%08x, expected 0x%08x", actualMagic, magic));
    }
    int actualVersion = in.readUnsignedByte();
    if (actualVersion < oldest || actualVersion > newest) {
      throw new IOException(
          "unsupported format version "
              + actualVersion
              + " (this build reads "
              + oldest
              + " to "
              + newest
              + ")");
    }
    return new Opened(in, actualVersion);
  }

  public static DataInputStream open(InputStream input, int magic, int version) throws IOException {
    DataInputStream in = new DataInputStream(input);
    int actualMagic = in.readInt();
    if (actualMagic != magic) {
      throw new IOException(String.format("bad magic 0x%08x, expected 0x%08x", actualMagic, magic));
    }
    int actualVersion = in.readUnsignedByte();
    if (actualVersion != version) {
      throw new IOException(
          "unsupported format version " + actualVersion + " (this build reads " + version + ")");
    }
    return in;
  }
}
