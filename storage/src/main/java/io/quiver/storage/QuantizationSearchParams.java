package io.quiver.storage;

/**
 * Qdrant's search {@code params.quantization}: {@code ignore} searches the float32 vectors as if
 * there were no codes; {@code rescore} (null: true) scores the quantized search's candidates
 * exactly from the original vectors (false: hits keep their approximate quantized scores); {@code
 * oversampling} (null: 1) is how many candidates per wanted hit the quantized search keeps.
 */
public record QuantizationSearchParams(boolean ignore, Boolean rescore, Double oversampling) {

  public static final QuantizationSearchParams DEFAULT =
      new QuantizationSearchParams(false, null, null);

  /** The largest oversampling accepted: beyond it the candidate list is the whole beam anyway. */
  public static final double MAX_OVERSAMPLING = 1_000;

  public QuantizationSearchParams {
    if (oversampling != null && !(oversampling >= 1 && oversampling <= MAX_OVERSAMPLING)) {
      throw new BadRequestException(
          "params.quantization.oversampling must be in [1, "
              + (int) MAX_OVERSAMPLING
              + "], got "
              + oversampling);
    }
  }

  public boolean rescoreOrDefault() {
    return rescore == null || rescore;
  }

  public float oversamplingOrDefault() {
    return oversampling == null ? 1f : oversampling.floatValue();
  }
}
