package io.quiver.storage;

/**
 * Qdrant's search {@code params}: {@code hnswEf} (null: the vector's {@code ef_construct}) is the
 * beam of graph searches; {@code exact} scans every segment instead of searching graphs; {@code
 * quantization} (null: the defaults) steers searches over quantized codes.
 */
public record SearchParams(Integer hnswEf, boolean exact, QuantizationSearchParams quantization) {

  public static final SearchParams DEFAULT = new SearchParams(null, false, null);

  public SearchParams(Integer hnswEf, boolean exact) {
    this(hnswEf, exact, null);
  }

  public SearchParams {
    if (hnswEf != null && (hnswEf < 1 || hnswEf > SearchRequest.MAX_HNSW_EF)) {
      throw new BadRequestException(
          "params.hnsw_ef must be in [1, " + SearchRequest.MAX_HNSW_EF + "], got " + hnswEf);
    }
  }
}
