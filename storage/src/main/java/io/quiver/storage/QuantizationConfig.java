package io.quiver.storage;

import java.util.Locale;

/**
 * How sealed indexed segments quantize a vector (Qdrant's {@code quantization_config}): the
 * optimizer writes the codes beside the graph, and searches traverse the graph with quantized
 * scores, then rescore the best candidates from the original vectors. For a multivector, each row
 * is quantized in the graph parts ({@code MultiVectorIndexes}) and traversals score MaxSim over the
 * row codes. The variants are the ones the index module implements; the REST edge refuses the
 * others by name.
 *
 * <p>{@code alwaysRam} and {@code memory} (nullable: not given) are reported back as given. Codes
 * are always read into process memory (the heap) when a segment opens, which is what {@code
 * always_ram: true}, {@code memory: pinned} and {@code memory: cached} ask; the REST edge refuses
 * {@code memory: cold}, which Quiver's codes cannot be.
 */
public sealed interface QuantizationConfig {

  /** Null when not given. */
  Boolean alwaysRam();

  /** Qdrant's {@code memory} placement of the codes; null when not given. */
  Memory memory();

  /** This config with another memory placement (null: none given). */
  QuantizationConfig withMemory(Memory newMemory);

  /**
   * What decides the stored codes (two configs with the same key give the same codes): a change of
   * key makes the optimizer rebuild them; {@code alwaysRam} and the binary query encoding do not.
   */
  String codesKey();

  /**
   * Int8 codes ({@code scalar}, {@code type: int8}); {@code quantile} null: the whole range of
   * values.
   */
  record Scalar(Float quantile, Boolean alwaysRam, Memory memory) implements QuantizationConfig {
    public Scalar(Float quantile, Boolean alwaysRam) {
      this(quantile, alwaysRam, null);
    }

    @Override
    public Scalar withMemory(Memory newMemory) {
      return new Scalar(quantile, alwaysRam, newMemory);
    }

    public Scalar {
      if (quantile != null && !(quantile >= 0.5f && quantile <= 1f)) {
        throw new BadRequestException(
            "quantization_config.scalar.quantile must be in [0.5, 1], got " + quantile);
      }
    }

    @Override
    public String codesKey() {
      return "int8:" + (quantile == null ? "all" : quantile);
    }
  }

  /** Product quantization: {@code compression} is float32 bytes per code byte. */
  record Product(Compression compression, Boolean alwaysRam, Memory memory)
      implements QuantizationConfig {
    public Product(Compression compression, Boolean alwaysRam) {
      this(compression, alwaysRam, null);
    }

    @Override
    public Product withMemory(Memory newMemory) {
      return new Product(compression, alwaysRam, newMemory);
    }

    public Product {
      java.util.Objects.requireNonNull(compression, "compression");
    }

    @Override
    public String codesKey() {
      return "product:" + compression.qdrantName();
    }

    /** Bytes per code (= subspaces) for a vector of {@code dim} float32 values, at least 1. */
    public int subspaces(int dim) {
      return Math.max(1, Math.min(dim, 4 * dim / compression.ratio()));
    }
  }

  /**
   * One bit per dimension ({@code encoding} null or {@code one_bit}); {@code queryEncoding} (null:
   * not given) says how a query is compared with the codes.
   */
  record Binary(
      boolean encodingGiven, BinaryQueryEncoding queryEncoding, Boolean alwaysRam, Memory memory)
      implements QuantizationConfig {
    public Binary(boolean encodingGiven, BinaryQueryEncoding queryEncoding, Boolean alwaysRam) {
      this(encodingGiven, queryEncoding, alwaysRam, null);
    }

    @Override
    public Binary withMemory(Memory newMemory) {
      return new Binary(encodingGiven, queryEncoding, alwaysRam, newMemory);
    }

    @Override
    public String codesKey() {
      return "binary:one_bit";
    }

    /** True when queries are encoded to bits too and ranked by Hamming distance. */
    public boolean hammingQuery() {
      return queryEncoding == BinaryQueryEncoding.BINARY;
    }
  }

  /**
   * TurboQuant ({@code turbo}): a seeded random rotation, then each coordinate quantized with the
   * optimal codebook of the rotated coordinates' distribution ({@code
   * io.quiver.index.quant.TurboVectors}); {@code bits} null: not given, which means {@code bits4}
   * (reported back as not given). Not for Manhattan, which a rotation does not preserve.
   */
  record Turbo(io.quiver.index.quant.TurboBits bits, Boolean alwaysRam, Memory memory)
      implements QuantizationConfig {
    public Turbo(io.quiver.index.quant.TurboBits bits, Boolean alwaysRam) {
      this(bits, alwaysRam, null);
    }

    @Override
    public Turbo withMemory(Memory newMemory) {
      return new Turbo(bits, alwaysRam, newMemory);
    }

    @Override
    public String codesKey() {
      return "turbo:" + effectiveBits().name();
    }

    /** The code width used: the one given, else 4 bits. */
    public io.quiver.index.quant.TurboBits effectiveBits() {
      return bits == null ? io.quiver.index.quant.TurboBits.BITS4 : bits;
    }

    /**
     * Qdrant's {@code TurboQuantBitSize} name of a width: {@code bits1}, {@code bits1_5}, {@code
     * bits2}, {@code bits4}.
     */
    public static String qdrantName(io.quiver.index.quant.TurboBits bits) {
      return bits.name().toLowerCase(Locale.ROOT);
    }

    /** The width of a Qdrant name, or null. */
    public static io.quiver.index.quant.TurboBits fromQdrantName(String name) {
      for (io.quiver.index.quant.TurboBits b : io.quiver.index.quant.TurboBits.values()) {
        if (qdrantName(b).equals(name)) {
          return b;
        }
      }
      return null;
    }
  }

  /** Qdrant's {@code CompressionRatio}. */
  enum Compression {
    X4(4),
    X8(8),
    X16(16),
    X32(32),
    X64(64);

    private final int ratio;

    Compression(int ratio) {
      this.ratio = ratio;
    }

    public int ratio() {
      return ratio;
    }

    public String qdrantName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The ratio of this Qdrant name, or null. */
    public static Compression fromQdrantName(String name) {
      for (Compression c : values()) {
        if (c.qdrantName().equals(name)) {
          return c;
        }
      }
      return null;
    }
  }

  /**
   * The query encodings of binary codes that Quiver implements: {@code default} and {@code
   * scalar4bits} (the query keeps 4 bits per dimension against the stored sign bits, the index
   * module's asymmetric estimate), {@code binary} (the query's sign bits, Hamming distance).
   */
  enum BinaryQueryEncoding {
    DEFAULT,
    BINARY,
    SCALAR4BITS;

    public String qdrantName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static BinaryQueryEncoding fromQdrantName(String name) {
      for (BinaryQueryEncoding e : values()) {
        if (e.qdrantName().equals(name)) {
          return e;
        }
      }
      return null;
    }
  }
}
