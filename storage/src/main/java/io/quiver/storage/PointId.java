package io.quiver.storage;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * The user's id of a point: an unsigned 64-bit integer or a UUID, as in Qdrant. Ordered as Qdrant
 * orders them in scroll: every integer id before every UUID, integers by unsigned value, UUIDs by
 * their bytes. The {@link #toBytes() byte form} sorts in the same order, so a RocksDB key range
 * iterates points in id order.
 */
public final class PointId implements Comparable<PointId> {

  private static final byte KIND_NUMBER = 0;
  private static final byte KIND_UUID = 1;

  private final long number; // unsigned; meaningful when uuid == null
  private final UUID uuid;

  private PointId(long number, UUID uuid) {
    this.number = number;
    this.uuid = uuid;
  }

  /** An integer id; {@code value} is read as unsigned. */
  public static PointId of(long value) {
    return new PointId(value, null);
  }

  public static PointId of(UUID uuid) {
    return new PointId(0, Objects.requireNonNull(uuid, "uuid"));
  }

  public boolean isUuid() {
    return uuid != null;
  }

  /** The integer value (unsigned); only for integer ids. */
  public long number() {
    if (uuid != null) {
      throw new IllegalStateException("point id " + uuid + " is a UUID, not a number");
    }
    return number;
  }

  public UUID uuid() {
    return uuid;
  }

  /** 9 bytes for an integer id, 17 for a UUID; byte order equals {@link #compareTo} order. */
  public byte[] toBytes() {
    if (uuid == null) {
      return ByteBuffer.allocate(9).put(KIND_NUMBER).putLong(number).array();
    }
    return ByteBuffer.allocate(17)
        .put(KIND_UUID)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }

  public static PointId fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    byte kind = buf.get();
    return switch (kind) {
      case KIND_NUMBER -> of(buf.getLong());
      case KIND_UUID -> of(new UUID(buf.getLong(), buf.getLong()));
      default -> throw new IllegalArgumentException("corrupt point id: kind " + kind);
    };
  }

  /** A 64-bit hash that never changes between releases: the router's shard choice depends on it. */
  public long stableHash() {
    long h =
        uuid == null
            ? number
            : uuid.getMostSignificantBits() ^ Long.rotateLeft(uuid.getLeastSignificantBits(), 29);
    // SplitMix64 finalizer: cheap and well mixed.
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  @Override
  public int compareTo(PointId other) {
    if (uuid == null) {
      return other.uuid == null ? Long.compareUnsigned(number, other.number) : -1;
    }
    if (other.uuid == null) {
      return 1;
    }
    int c =
        Long.compareUnsigned(uuid.getMostSignificantBits(), other.uuid.getMostSignificantBits());
    return c != 0
        ? c
        : Long.compareUnsigned(
            uuid.getLeastSignificantBits(), other.uuid.getLeastSignificantBits());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PointId p && number == p.number && Objects.equals(uuid, p.uuid);
  }

  @Override
  public int hashCode() {
    return uuid == null ? Long.hashCode(number) : uuid.hashCode();
  }

  /** The id as the API shows it: the unsigned number or the UUID's canonical text. */
  @Override
  public String toString() {
    return uuid == null ? Long.toUnsignedString(number) : uuid.toString();
  }
}
