package io.quiver.storage;

import io.quiver.storage.filter.Filter;
import java.util.Objects;

/**
 * A nearest-neighbour query against one vector of a shard. {@code limit} is the number of hits the
 * shard returns; the router asks every shard for {@code offset + limit} and cuts after merging.
 * {@code scoreThreshold} (nullable) drops hits worse than it; {@code filter} (nullable) keeps only
 * the points it matches. {@code hnswEf} (nullable: the vector's {@code ef_construct}) is the beam
 * of graph searches; {@code exact} scans every segment instead; {@code quantization} (nullable: the
 * defaults) steers searches over quantized codes (Qdrant's {@code params}). {@code sparseVector}
 * (nullable) makes it a search of the sparse vector {@code vectorName} by dot product ({@code
 * vector} is then empty, and {@code hnswEf}/{@code exact}/{@code quantization} do not apply: sparse
 * search is always exact).
 */
public record SearchRequest(
    String vectorName,
    float[] vector,
    int limit,
    boolean withPayload,
    boolean withVector,
    Float scoreThreshold,
    Filter filter,
    Integer hnswEf,
    boolean exact,
    QuantizationSearchParams quantization,
    io.quiver.index.sparse.SparseVector sparseVector) {

  /** A dense request. */
  public SearchRequest(
      String vectorName,
      float[] vector,
      int limit,
      boolean withPayload,
      boolean withVector,
      Float scoreThreshold,
      Filter filter,
      Integer hnswEf,
      boolean exact,
      QuantizationSearchParams quantization) {
    this(
        vectorName,
        vector,
        limit,
        withPayload,
        withVector,
        scoreThreshold,
        filter,
        hnswEf,
        exact,
        quantization,
        null);
  }

  /** A search of the sparse vector {@code vectorName}. */
  public static SearchRequest sparse(
      String vectorName,
      io.quiver.index.sparse.SparseVector query,
      int limit,
      boolean withPayload,
      boolean withVector,
      Float scoreThreshold,
      Filter filter) {
    Objects.requireNonNull(query, "query");
    return new SearchRequest(
        vectorName,
        new float[0],
        limit,
        withPayload,
        withVector,
        scoreThreshold,
        filter,
        null,
        false,
        null,
        query);
  }

  /** True when this searches a sparse vector. */
  public boolean isSparse() {
    return sparseVector != null;
  }

  /** The same sparse request with another query (IDF weighting by the router). */
  public SearchRequest withSparseVector(io.quiver.index.sparse.SparseVector query) {
    return new SearchRequest(
        vectorName,
        vector,
        limit,
        withPayload,
        withVector,
        scoreThreshold,
        filter,
        hnswEf,
        exact,
        quantization,
        query);
  }

  /** The largest number of hits one request may ask for. */
  public static final int MAX_LIMIT = 100_000;

  /** The largest search beam one request may ask for. */
  public static final int MAX_HNSW_EF = 100_000;

  /** A request without a filter. */
  public SearchRequest(
      String vectorName,
      float[] vector,
      int limit,
      boolean withPayload,
      boolean withVector,
      Float scoreThreshold) {
    this(vectorName, vector, limit, withPayload, withVector, scoreThreshold, null);
  }

  /** A request with the default search parameters. */
  public SearchRequest(
      String vectorName,
      float[] vector,
      int limit,
      boolean withPayload,
      boolean withVector,
      Float scoreThreshold,
      Filter filter) {
    this(vectorName, vector, limit, withPayload, withVector, scoreThreshold, filter, null, false);
  }

  /** A request with the default quantization parameters. */
  public SearchRequest(
      String vectorName,
      float[] vector,
      int limit,
      boolean withPayload,
      boolean withVector,
      Float scoreThreshold,
      Filter filter,
      Integer hnswEf,
      boolean exact) {
    this(
        vectorName,
        vector,
        limit,
        withPayload,
        withVector,
        scoreThreshold,
        filter,
        hnswEf,
        exact,
        null,
        null);
  }

  public SearchRequest {
    Objects.requireNonNull(vectorName, "vectorName");
    Objects.requireNonNull(vector, "vector");
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new BadRequestException("limit must be in [0, " + MAX_LIMIT + "], got " + limit);
    }
    if (hnswEf != null && (hnswEf < 1 || hnswEf > MAX_HNSW_EF)) {
      throw new BadRequestException(
          "params.hnsw_ef must be in [1, " + MAX_HNSW_EF + "], got " + hnswEf);
    }
  }

  /** A request with a filter and search params. */
  public SearchRequest(
      String vectorName,
      float[] vector,
      int limit,
      boolean withPayload,
      boolean withVector,
      Float scoreThreshold,
      Filter filter,
      SearchParams params) {
    this(
        vectorName,
        vector,
        limit,
        withPayload,
        withVector,
        scoreThreshold,
        filter,
        params.hnswEf(),
        params.exact(),
        params.quantization());
  }

  /** The same request with another filter (the router restricts a shard to the points it owns). */
  public SearchRequest withFilter(Filter newFilter) {
    return new SearchRequest(
        vectorName,
        vector,
        limit,
        withPayload,
        withVector,
        scoreThreshold,
        newFilter,
        hnswEf,
        exact,
        quantization,
        sparseVector);
  }

  /** The same request with another limit (the router asks shards for offset + limit). */
  public SearchRequest withLimit(int newLimit) {
    return new SearchRequest(
        vectorName,
        vector,
        newLimit,
        withPayload,
        withVector,
        scoreThreshold,
        filter,
        hnswEf,
        exact,
        quantization,
        sparseVector);
  }
}
