package io.quiver.storage;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The binary form of a nullable {@link QuantizationConfig}: kind (byte: 0 none, 1 scalar, 2
 * product, 3 binary, 4 turbo), then scalar: hasQuantile (boolean) [quantile (float)]; product:
 * compression (byte, {@link QuantizationConfig.Compression} ordinal); binary: encodingGiven
 * (boolean), query encoding (byte, ordinal, -1 none); kind 4 turbo: bits (byte, {@code TurboBits}
 * ordinal, -1 not given); then alwaysRam (byte: -1 not given, 0 false, 1 true). Enum ordinals are
 * part of the format: only append.
 */
public final class QuantizationConfigCodec {

  private QuantizationConfigCodec() {}

  public static void write(QuantizationConfig q, DataOutput out) throws IOException {
    switch (q) {
      case null -> {
        out.writeByte(0);
        return;
      }
      case QuantizationConfig.Scalar s -> {
        out.writeByte(1);
        out.writeBoolean(s.quantile() != null);
        if (s.quantile() != null) {
          out.writeFloat(s.quantile());
        }
      }
      case QuantizationConfig.Product p -> {
        out.writeByte(2);
        out.writeByte(p.compression().ordinal());
      }
      case QuantizationConfig.Binary b -> {
        out.writeByte(3);
        out.writeBoolean(b.encodingGiven());
        out.writeByte(b.queryEncoding() == null ? -1 : b.queryEncoding().ordinal());
      }
      case QuantizationConfig.Turbo t -> {
        out.writeByte(4);
        out.writeByte(t.bits() == null ? -1 : t.bits().ordinal());
      }
    }
    out.writeByte(q.alwaysRam() == null ? -1 : q.alwaysRam() ? 1 : 0);
  }

  public static QuantizationConfig read(DataInput in) throws IOException {
    int kind = in.readByte();
    try {
      QuantizationConfig q =
          switch (kind) {
            case 0 -> null;
            case 1 -> new QuantizationConfig.Scalar(in.readBoolean() ? in.readFloat() : null, null);
            case 2 ->
                new QuantizationConfig.Product(
                    ordinal(QuantizationConfig.Compression.values(), in.readByte()), null);
            case 3 -> {
              boolean encoding = in.readBoolean();
              int query = in.readByte();
              yield new QuantizationConfig.Binary(
                  encoding,
                  query < 0
                      ? null
                      : ordinal(QuantizationConfig.BinaryQueryEncoding.values(), query),
                  null);
            }
            case 4 -> {
              int bits = in.readByte();
              yield new QuantizationConfig.Turbo(
                  bits < 0 ? null : ordinal(io.quiver.index.quant.TurboBits.values(), bits), null);
            }
            default -> throw new IOException("corrupt quantization config: kind " + kind);
          };
      if (q == null) {
        return null;
      }
      int ram = in.readByte();
      Boolean alwaysRam = ram < 0 ? null : ram == 1;
      return switch (q) {
        case QuantizationConfig.Scalar s -> new QuantizationConfig.Scalar(s.quantile(), alwaysRam);
        case QuantizationConfig.Product p ->
            new QuantizationConfig.Product(p.compression(), alwaysRam);
        case QuantizationConfig.Binary b ->
            new QuantizationConfig.Binary(b.encodingGiven(), b.queryEncoding(), alwaysRam);
        case QuantizationConfig.Turbo t -> new QuantizationConfig.Turbo(t.bits(), alwaysRam);
      };
    } catch (BadRequestException e) {
      throw new IOException("corrupt quantization config: " + e.getMessage());
    }
  }

  private static <E> E ordinal(E[] values, int ordinal) throws IOException {
    if (ordinal < 0 || ordinal >= values.length) {
      throw new IOException("corrupt quantization config: ordinal " + ordinal);
    }
    return values[ordinal];
  }
}
