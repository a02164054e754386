package io.quiver.storage.multivector;

import io.quiver.index.multivector.MultiVectorRows;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.index.multivector.QuantizedMaxSim;
import io.quiver.index.quant.QuantizedVectors;
import io.quiver.index.quant.QuantizedVectorsFormat;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.QuantizationTraining;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The quantized rows of one graph part: every row of the part's ords (deleted ones included, as the
 * graph numbers them) quantized as the vector's {@link QuantizationConfig} asks, by the same
 * training as a sealed segment's dense codes ({@link QuantizationTraining}) over the part's rows as
 * one vector set ({@link MultiVectorRows}); and their binary form in the part's file.
 */
final class PartCodes {

  private PartCodes() {}

  /**
   * Quantizes the rows of {@code view} (cost: the quantizer's passes over the rows; see {@link
   * QuantizationTraining}).
   *
   * @throws IllegalArgumentException when the rows are too many for one code array (2^31 bytes)
   */
  static QuantizedMaxSim quantize(QuantizationConfig quantization, MultiVectors view) {
    MultiVectorRows rows = new MultiVectorRows(view);
    try {
      return new QuantizedMaxSim(
          QuantizationTraining.quantize(quantization, rows), rows.firstRows(), view.distance());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          rows.size()
              + " rows of "
              + view.dim()
              + " dims are too many to quantize in"
              + " one graph part",
          e);
    }
  }

  /** The codes of {@code view}'s rows read back from {@link #toBytes}; checked against the rows. */
  static QuantizedMaxSim fromBytes(byte[] bytes, MultiVectors view) throws IOException {
    QuantizedVectors codes =
        QuantizedVectorsFormat.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    MultiVectorRows rows = new MultiVectorRows(view);
    if (codes.size() != rows.size()) {
      throw new IOException(codes.size() + " row codes for " + rows.size() + " rows");
    }
    return new QuantizedMaxSim(codes, rows.firstRows(), view.distance());
  }

  /** The codes in {@link QuantizedVectorsFormat}. */
  static byte[] toBytes(QuantizedMaxSim codes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      QuantizedVectorsFormat.write(codes.codes(), out);
    }
    return bytes.toByteArray();
  }
}
