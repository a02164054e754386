package io.quiver.router.query;

import io.quiver.index.sparse.SparseVector;
import io.quiver.index.vector.Distance;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.PointValidator;
import io.quiver.storage.ScoreScale;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.scoring.ScoreRequest;
import io.quiver.storage.scoring.Scorer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Runs Query API requests over a collection through {@link PointsRouter}'s fan-out reads:
 *
 * <pre>
 *  1. resolve every point id used as a vector (root and prefetches; in lookup_from collections too)
 *     with one retrieve per collection; a missing point is a 404
 *  2. root filter := filter AND must_not has_id(ids referenced in this collection)
 *  3. run the stage tree leaves first; each stage's filter is ANDed into its prefetches
 *       leaf:   nearest -> search | recommend average -> search of the average vector
 *               best_score / sum_scores / discover / context / sample / no query -> scored scan
 *               order_by -> ordered scroll (payload index walk)
 *       merge:  fusion (rrf, dbsf) of the prefetch lists, or the stage's query re-scoring (or
 *               ordering) the union of the prefetched ids (a has_id filter)
 *  4. cut the page [offset, offset + limit); fetch payloads and vectors for it when the root had prefetches
 * </pre>
 *
 * A stage's prefetch limit applies to the whole collection (Qdrant applies it per shard and then
 * merges): with one shard both agree. Thread-safe.
 */
public final class QueryEngine {

  private final PointsRouter router;

  public QueryEngine(PointsRouter router) {
    this.router = router;
  }

  /**
   * The page of hits of {@code request}, best first, scored as similarities (higher is better; see
   * {@link #scale} for how Qdrant reports them).
   */
  public CompletableFuture<List<ScoredPoint>> query(
      CollectionDescriptor c, QueryRequest request, ReadConsistency consistency) {
    String collection = c.name();
    QueryStage root = request.stage();
    validate(root);
    int offset =
        root.prefetches().isEmpty() && root.query() instanceof Query.Sample ? 0 : request.offset();
    return resolveReferences(c, root, consistency)
        .thenCompose(
            vectors -> {
              Filter rootFilter = excluding(referencedIds(collection, root), root.filter());
              Stage stage = new Stage(c, vectors, consistency);
              boolean leaf = root.prefetches().isEmpty();
              boolean withPayload = leaf && request.withPayload();
              boolean withVector = leaf && request.withVector();
              QueryStage planned = root.withFilter(rootFilter).withLimit(root.limit() + offset);
              return stage
                  .run(planned, null, withPayload, withVector)
                  .thenCompose(
                      hits -> {
                        List<ScoredPoint> page =
                            hits.subList(Math.min(offset, hits.size()), hits.size());
                        if (leaf || !(request.withPayload() || request.withVector())) {
                          return CompletableFuture.completedFuture(page);
                        }
                        return fill(
                            c, page, request.withPayload(), request.withVector(), consistency);
                      });
            });
  }

  /**
   * The scale of the scores {@link #query} and {@link #groups} return for {@code request}, which
   * the node reports them with: the searched vector's for a nearest query (with or without mmr) and
   * for a recommendation by the average vector; {@link ScoreScale#SIMILARITY} for every other query
   * (custom objectives, fusion, order, sample and none score as they are reported).
   */
  public static ScoreScale scale(CollectionDescriptor c, QueryRequest request) {
    return scale(c.config().vectors(), request.stage());
  }

  private static ScoreScale scale(VectorsConfig vectors, QueryStage stage) {
    return switch (stage.query()) {
      case Query.Nearest n -> ScoreScale.of(vectors, stage.using());
      case Query.Recommend r when r.strategy() == Query.Strategy.AVERAGE_VECTOR ->
          ScoreScale.of(vectors, stage.using());
      case null, default -> ScoreScale.SIMILARITY;
    };
  }

  /**
   * Groups of hits by the payload values at {@code groupBy}: the request is run with a growing
   * limit until {@code limit} full groups are found or the hits run out, so the groups equal those
   * of the complete ranking. {@code lookup} (nullable) attaches a point of another collection to
   * every group.
   */
  public CompletableFuture<List<PointGroups.Group>> groups(
      CollectionDescriptor collection,
      QueryRequest request,
      JsonPath groupBy,
      int groupSize,
      int limit,
      GroupLookup lookup,
      ReadConsistency consistency) {
    int initial =
        (int) Math.min(SearchRequest.MAX_LIMIT, Math.max(1L, (long) groupSize * limit * 2));
    return groupsWithLimit(collection, request, groupBy, groupSize, limit, initial, consistency)
        .thenCompose(
            groups ->
                lookup == null
                    ? CompletableFuture.completedFuture(groups)
                    : attachLookups(groups, lookup, consistency));
  }

  /** Where {@code with_lookup} reads the group's point: a collection and what to return of it. */
  public record GroupLookup(String collection, boolean withPayload, boolean withVector) {}

  private CompletableFuture<List<PointGroups.Group>> groupsWithLimit(
      CollectionDescriptor collection,
      QueryRequest request,
      JsonPath groupBy,
      int groupSize,
      int limit,
      int fetch,
      ReadConsistency consistency) {
    QueryStage s = request.stage();
    QueryStage stage =
        new QueryStage(
            s.prefetches(),
            s.query(),
            s.using(),
            s.filter(),
            s.scoreThreshold(),
            fetch,
            s.lookupFrom(),
            s.params());
    return query(collection, new QueryRequest(stage, 0, true, request.withVector()), consistency)
        .thenCompose(
            hits -> {
              List<PointGroups.Group> groups = PointGroups.group(hits, groupBy, groupSize, limit);
              if (PointGroups.complete(groups, groupSize, limit)
                  || hits.size() < fetch
                  || fetch >= SearchRequest.MAX_LIMIT) {
                return CompletableFuture.completedFuture(
                    request.withPayload() ? groups : withoutPayloads(groups));
              }
              int next = (int) Math.min(SearchRequest.MAX_LIMIT, fetch * 4L);
              return groupsWithLimit(
                  collection, request, groupBy, groupSize, limit, next, consistency);
            });
  }

  private static List<PointGroups.Group> withoutPayloads(List<PointGroups.Group> groups) {
    List<PointGroups.Group> out = new ArrayList<>(groups.size());
    for (PointGroups.Group g : groups) {
      List<ScoredPoint> hits = new ArrayList<>(g.hits().size());
      g.hits()
          .forEach(
              h ->
                  hits.add(
                      new ScoredPoint(
                          h.id(),
                          h.version(),
                          h.score(),
                          null,
                          h.vectors(),
                          h.orderValue(),
                          h.sparse())));
      out.add(new PointGroups.Group(g.id(), hits, g.lookup()));
    }
    return out;
  }

  private CompletableFuture<List<PointGroups.Group>> attachLookups(
      List<PointGroups.Group> groups, GroupLookup lookup, ReadConsistency consistency) {
    List<PointId> ids = new ArrayList<>();
    groups.forEach(
        g -> {
          PointId id = g.id().asPointId();
          if (id != null) {
            ids.add(id);
          }
        });
    CollectionDescriptor from = router.collection(lookup.collection());
    return router
        .retrieve(from, ids, lookup.withPayload(), lookup.withVector(), consistency)
        .thenApply(
            records -> {
              Map<PointId, PointRecord> byId = new HashMap<>();
              records.forEach(r -> byId.put(r.id(), r));
              List<PointGroups.Group> out = new ArrayList<>(groups.size());
              groups.forEach(
                  g ->
                      out.add(
                          g.withLookup(
                              g.id().asPointId() == null ? null : byId.get(g.id().asPointId()))));
              return out;
            });
  }

  /** Qdrant's structural checks of a stage tree (400s). */
  private static void validate(QueryStage stage) {
    Query query = stage.query();
    if (!stage.prefetches().isEmpty() && query == null) {
      throw new BadRequestException(
          "Bad request: A query is needed to merge the prefetches. Can't have prefetches "
              + "without defining a query.");
    }
    if (stage.scoreThreshold() != null && query == null) {
      throw new BadRequestException(
          "Bad request: A query is needed to use the score_threshold. Can't have "
              + "score_threshold without defining a query.");
    }
    if (query instanceof Query.Formula && stage.prefetches().isEmpty()) {
      throw new BadRequestException("Wrong input: cannot apply Formula without prefetches");
    }
    if (query instanceof Query.Fusion) {
      if (stage.prefetches().isEmpty()) {
        throw new BadRequestException("Bad request: cannot apply Fusion without prefetches");
      }
      if (!stage.using().isEmpty()) {
        throw new BadRequestException(
            "Bad request: Fusion queries cannot be combined with the 'using' field.");
      }
    }
    stage.prefetches().forEach(QueryEngine::validate);
  }

  // ---- 1. point ids used as vectors ----

  /** Key of a resolved vector: (lookup collection, vector name, point id). */
  private record VectorKey(String collection, String vector, PointId id) {}

  private static String lookupCollection(String collection, QueryStage stage) {
    return stage.lookupFrom() == null ? collection : stage.lookupFrom().collection();
  }

  private static String lookupVector(QueryStage stage) {
    return stage.lookupFrom() == null || stage.lookupFrom().vector() == null
        ? stage.using()
        : stage.lookupFrom().vector();
  }

  private static void collectIds(Query query, Set<PointId> out) {
    switch (query) {
      case Query.Nearest n -> addId(n.vector(), out);
      case Query.Recommend r -> {
        r.positive().forEach(v -> addId(v, out));
        r.negative().forEach(v -> addId(v, out));
      }
      case Query.Discover d -> {
        addId(d.target(), out);
        d.context()
            .forEach(
                p -> {
                  addId(p.positive(), out);
                  addId(p.negative(), out);
                });
      }
      case Query.Context c ->
          c.pairs()
              .forEach(
                  p -> {
                    addId(p.positive(), out);
                    addId(p.negative(), out);
                  });
      case Query.Fusion f -> {}
      case Query.Formula f -> {}
      case Query.Sample s -> {}
      case Query.OrderBy o -> {}
    }
  }

  private static void addId(VectorInput input, Set<PointId> out) {
    if (input instanceof VectorInput.Id id) {
      out.add(id.id());
    }
  }

  /** Every referenced id of the tree, by (lookup collection, vector name). */
  private static void collectReferences(
      String collection, QueryStage stage, Map<String, Map<String, Set<PointId>>> out) {
    if (stage.query() != null) {
      Set<PointId> ids = new LinkedHashSet<>();
      collectIds(stage.query(), ids);
      if (!ids.isEmpty()) {
        out.computeIfAbsent(lookupCollection(collection, stage), k -> new LinkedHashMap<>())
            .computeIfAbsent(lookupVector(stage), k -> new LinkedHashSet<>())
            .addAll(ids);
      }
    }
    stage.prefetches().forEach(p -> collectReferences(collection, p, out));
  }

  /**
   * Ids referenced in this collection itself (not through lookup_from elsewhere): excluded from the
   * results.
   */
  private static Set<PointId> referencedIds(String collection, QueryStage stage) {
    Map<String, Map<String, Set<PointId>>> refs = new LinkedHashMap<>();
    collectReferences(collection, stage, refs);
    Set<PointId> ids = new LinkedHashSet<>();
    refs.getOrDefault(collection, Map.of()).values().forEach(ids::addAll);
    return ids;
  }

  /**
   * The vectors of the points used as examples, by (lookup collection, vector name, id): a dense
   * vector or a multivector (its rows flat) as {@link VectorInput.Dense}, a sparse one as {@link
   * VectorInput.Sparse}. A point without that vector is a 404, as in Qdrant.
   */
  private CompletableFuture<Map<VectorKey, VectorInput>> resolveReferences(
      CollectionDescriptor c, QueryStage root, ReadConsistency consistency) {
    Map<String, Map<String, Set<PointId>>> refs = new LinkedHashMap<>();
    collectReferences(c.name(), root, refs);
    Map<VectorKey, VectorInput> vectors = new HashMap<>();
    List<CompletableFuture<Void>> reads = new ArrayList<>();
    refs.forEach(
        (lookupCollection, byVector) -> {
          CollectionDescriptor lookup =
              lookupCollection.equals(c.name()) ? c : router.collection(lookupCollection);
          Set<PointId> ids = new LinkedHashSet<>();
          byVector.forEach(
              (vector, vectorIds) -> {
                var vectorsConfig = lookup.config().vectors();
                if (vectorsConfig.get(vector) == null
                    && vectorsConfig.getMulti(vector) == null
                    && vectorsConfig.getSparse(vector) == null) {
                  throw new BadRequestException(
                      "Wrong input: Not existing vector name error: " + vector);
                }
                ids.addAll(vectorIds);
              });
          reads.add(
              router
                  .retrieve(lookup, new ArrayList<>(ids), false, true, consistency)
                  .thenAccept(
                      records -> {
                        Map<PointId, PointRecord> found = new HashMap<>();
                        records.forEach(r -> found.put(r.id(), r));
                        byVector.forEach(
                            (vector, vectorIds) -> {
                              for (PointId id : vectorIds) {
                                PointRecord r = found.get(id);
                                VectorInput input = r == null ? null : storedVector(r, vector);
                                if (input == null) {
                                  throw new PointNotFoundException(id);
                                }
                                synchronized (vectors) {
                                  vectors.put(new VectorKey(lookupCollection, vector, id), input);
                                }
                              }
                            });
                      }));
        });
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> vectors);
  }

  /** Vector {@code name} of a retrieved point as a query input, or null when the point lacks it. */
  private static VectorInput storedVector(PointRecord r, String name) {
    if (r.sparse() != null && r.sparse().get(name) != null) {
      return new VectorInput.Sparse(r.sparse().get(name));
    }
    return r.vectors() == null || r.vectors().get(name) == null
        ? null
        : new VectorInput.Dense(r.vectors().get(name));
  }

  // ---- 2. filters ----

  private static Filter excluding(Set<PointId> ids, Filter filter) {
    if (ids.isEmpty()) {
      return filter;
    }
    return and(Filter.noneOf(new Condition.HasId(ids)), filter);
  }

  private static Filter and(Filter a, Filter b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return Filter.allOf(a, b);
  }

  // ---- 3. running the stage tree ----

  /** One request's context: its collection, the resolved vectors and the read consistency. */
  private final class Stage {
    private final CollectionDescriptor collection;
    private final Map<VectorKey, VectorInput> vectors;
    private final ReadConsistency consistency;

    Stage(
        CollectionDescriptor collection,
        Map<VectorKey, VectorInput> vectors,
        ReadConsistency consistency) {
      this.collection = collection;
      this.vectors = vectors;
      this.consistency = consistency;
    }

    /** The stage's best {@code stage.limit()} points, best first. */
    CompletableFuture<List<ScoredPoint>> run(
        QueryStage stage, Filter propagated, boolean withPayload, boolean withVector) {
      Filter filter = and(propagated, stage.filter());
      if (stage.prefetches().isEmpty()) {
        return score(stage, filter, withPayload, withVector);
      }
      List<CompletableFuture<List<ScoredPoint>>> parts = new ArrayList<>();
      for (QueryStage prefetch : stage.prefetches()) {
        parts.add(run(prefetch, filter, false, false));
      }
      return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
          .thenCompose(
              ignored -> {
                List<List<ScoredPoint>> lists =
                    parts.stream().map(CompletableFuture::join).toList();
                if (stage.query() instanceof Query.Fusion fusion) {
                  return CompletableFuture.completedFuture(fuse(fusion, lists, stage));
                }
                if (stage.query() instanceof Query.Formula formula) {
                  return rescore(formula, lists, stage);
                }
                Set<PointId> candidates = new LinkedHashSet<>();
                lists.forEach(list -> list.forEach(p -> candidates.add(p.id())));
                if (candidates.isEmpty()) {
                  return CompletableFuture.completedFuture(List.<ScoredPoint>of());
                }
                return score(
                    stage, Filter.allOf(new Condition.HasId(candidates)), withPayload, withVector);
              });
    }

    /**
     * The prefetched points rescored by {@code formula}, best first, at most the stage's limit and
     * none below its threshold. {@code $score[i]} is a point's score in prefetch i as Qdrant
     * reports it (1 for a prefetch without a query, a sample or an order); the points' payloads are
     * read once, by id, for the formula.
     */
    private CompletableFuture<List<ScoredPoint>> rescore(
        Query.Formula formula, List<List<ScoredPoint>> lists, QueryStage stage) {
      List<List<ScoredPoint>> reported = reported(lists, stage);
      List<Map<PointId, Float>> scores = new ArrayList<>(reported.size());
      Set<PointId> candidates = new LinkedHashSet<>();
      for (int i = 0; i < reported.size(); i++) {
        Query q = stage.prefetches().get(i).query();
        boolean unscored = q == null || q instanceof Query.Sample || q instanceof Query.OrderBy;
        Map<PointId, Float> byId = new HashMap<>();
        for (ScoredPoint p : reported.get(i)) {
          byId.putIfAbsent(p.id(), unscored ? 1.0f : p.score());
          candidates.add(p.id());
        }
        scores.add(byId);
      }
      if (candidates.isEmpty()) {
        return CompletableFuture.completedFuture(List.of());
      }
      // The payloads, read by id: at most SearchRequest.MAX_LIMIT ids a read.
      List<PointId> ids = new ArrayList<>(candidates);
      List<CompletableFuture<List<ScoredPoint>>> reads = new ArrayList<>();
      for (int from = 0; from < ids.size(); from += SearchRequest.MAX_LIMIT) {
        List<PointId> part =
            ids.subList(from, Math.min(ids.size(), from + SearchRequest.MAX_LIMIT));
        ScoreRequest read =
            new ScoreRequest(
                "",
                new Scorer.ById<>(),
                part.size(),
                null,
                Filter.allOf(new Condition.HasId(new LinkedHashSet<>(part))),
                true,
                false);
        reads.add(router.score(collection, read, 0, consistency));
      }
      return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
          .thenApply(ignored -> reads.stream().flatMap(r -> r.join().stream()).toList())
          .thenApply(
              points -> {
                List<ScoredPoint> out = new ArrayList<>(points.size());
                for (ScoredPoint p : points) {
                  Payload payload = p.payload() == null ? Payload.EMPTY : p.payload();
                  float score =
                      ScoreFormula.score(
                          formula.expression(),
                          formula.defaults(),
                          new ScoreFormula.Point() {
                            @Override
                            public PointId id() {
                              return p.id();
                            }

                            @Override
                            public Payload payload() {
                              return payload;
                            }

                            @Override
                            public Float prefetchScore(int index) {
                              return index < scores.size() ? scores.get(index).get(p.id()) : null;
                            }
                          });
                  if (stage.scoreThreshold() == null || score >= stage.scoreThreshold()) {
                    out.add(new ScoredPoint(p.id(), p.version(), score, null, null));
                  }
                }
                out.sort(Comparator.comparingDouble(ScoredPoint::score).reversed());
                return out.size() > stage.limit() ? out.subList(0, stage.limit()) : out;
              });
    }

    private List<ScoredPoint> fuse(
        Query.Fusion fusion, List<List<ScoredPoint>> lists, QueryStage stage) {
      List<ScoredPoint> fused =
          fusion.method() == Query.FusionMethod.RRF
              ? ScoreFusion.rrf(lists, fusion.k(), fusion.weights())
              : ScoreFusion.dbsf(reported(lists, stage));
      List<ScoredPoint> out = new ArrayList<>();
      for (ScoredPoint p : fused) {
        if (out.size() == stage.limit()
            || (stage.scoreThreshold() != null && p.score() < stage.scoreThreshold())) {
          break;
        }
        out.add(p);
      }
      return out;
    }

    /**
     * The prefetch lists with the scores Qdrant reports (distances for Euclid and Manhattan), which
     * DBSF normalizes as they are, as Qdrant's {@code score_fusion} does: over a distance prefetch
     * a farther point gains more (Qdrant's behaviour, kept for compatibility).
     */
    private List<List<ScoredPoint>> reported(List<List<ScoredPoint>> lists, QueryStage stage) {
      List<List<ScoredPoint>> out = new ArrayList<>(lists.size());
      for (int i = 0; i < lists.size(); i++) {
        ScoreScale scale = scale(collection.config().vectors(), stage.prefetches().get(i));
        out.add(lists.get(i).stream().map(scale::reported).toList());
      }
      return out;
    }

    /** Scores the points {@code filter} admits by the stage's query. */
    private CompletableFuture<List<ScoredPoint>> score(
        QueryStage stage, Filter filter, boolean withPayload, boolean withVector) {
      Query query = stage.query();
      int limit = stage.limit();
      return switch (query) {
        case null ->
            router.score(
                collection,
                scan(stage, new Scorer.ById<>(), filter, withPayload, withVector),
                0,
                consistency);
        case Query.Sample s ->
            router
                .score(
                    collection,
                    scan(
                        stage,
                        new Scorer.Random<>(ThreadLocalRandom.current().nextLong()),
                        filter,
                        withPayload,
                        withVector),
                    0,
                    consistency)
                .thenApply(QueryEngine::zeroScores);
        case Query.Nearest n when isSparse(stage) -> {
          if (n.mmr() != null) {
            throw new BadRequestException("Wrong input: mmr is not supported with sparse vectors");
          }
          yield searchSparse(
              stage, sparseVector(stage, n.vector()), filter, withPayload, withVector);
        }
        case Query.Nearest n when n.mmr() != null -> mmr(stage, n, filter, withPayload, withVector);
        case Query.Nearest n ->
            search(stage, vector(stage, n.vector()), limit, filter, withPayload, withVector);
        case Query.Recommend r
            when r.strategy() == Query.Strategy.AVERAGE_VECTOR && isSparse(stage) ->
            searchSparse(stage, sparseAverage(stage, r), filter, withPayload, withVector);
        case Query.Recommend r
            when r.strategy() == Query.Strategy.AVERAGE_VECTOR && isMulti(stage) ->
            search(stage, multiAverage(stage, r), limit, filter, withPayload, withVector);
        case Query.Recommend r when r.strategy() == Query.Strategy.AVERAGE_VECTOR ->
            search(stage, averageVector(stage, r), limit, filter, withPayload, withVector);
        case Query.Recommend r -> custom(stage, r, filter, withPayload, withVector);
        case Query.Discover d -> custom(stage, d, filter, withPayload, withVector);
        case Query.Context c -> custom(stage, c, filter, withPayload, withVector);
        case Query.OrderBy o ->
            router
                .scrollOrdered(
                    collection, o.ordering(), limit, filter, withPayload, withVector, consistency)
                .thenApply(QueryEngine::ordered);
        case Query.Fusion f ->
            throw new BadRequestException("Bad request: cannot apply Fusion without prefetches");
        case Query.Formula f ->
            throw new BadRequestException("Wrong input: cannot apply Formula without prefetches");
      };
    }

    private boolean isSparse(QueryStage stage) {
      return collection.config().vectors().getSparse(stage.using()) != null;
    }

    private boolean isMulti(QueryStage stage) {
      return collection.config().vectors().getMulti(stage.using()) != null;
    }

    /** A nearest query on a sparse vector: exact search by dot product in every shard. */
    private CompletableFuture<List<ScoredPoint>> searchSparse(
        QueryStage stage,
        SparseVector query,
        Filter filter,
        boolean withPayload,
        boolean withVector) {
      SearchRequest search =
          SearchRequest.sparse(
              stage.using(),
              query,
              stage.limit(),
              withPayload,
              withVector,
              stage.scoreThreshold(),
              filter);
      return router.search(collection, search, 0, consistency);
    }

    /**
     * A custom objective (recommend best_score or sum_scores, discover, context): an exact scored
     * scan of every shard, comparing each point with the examples as its vector's kind does.
     */
    private CompletableFuture<List<ScoredPoint>> custom(
        QueryStage stage, Query query, Filter filter, boolean withPayload, boolean withVector) {
      Scorer<?> scorer =
          isSparse(stage)
              ? scorer(query, input -> sparseVector(stage, input))
              : scorer(query, input -> vector(stage, input));
      return router.score(
          collection, scan(stage, scorer, filter, withPayload, withVector), 0, consistency);
    }

    private ScoreRequest scan(
        QueryStage stage,
        Scorer<?> scorer,
        Filter filter,
        boolean withPayload,
        boolean withVector) {
      // A vector-free scorer (id order, random sample) takes every point: a collection of named
      // vectors only answers it without `using`, as Qdrant does.
      if (scorer.usesVector() || !stage.using().isEmpty()) {
        requireExisting(stage.using());
      }
      return new ScoreRequest(
          stage.using(),
          scorer,
          stage.limit(),
          stage.scoreThreshold(),
          filter,
          withPayload,
          withVector);
    }

    private void requireExisting(String using) {
      var config = collection.config().vectors();
      if (config.get(using) == null
          && config.getMulti(using) == null
          && config.getSparse(using) == null) {
        throw new BadRequestException(
            "Wrong input: Not existing vector name error: "
                + (using.isEmpty() ? "(unnamed)" : using));
      }
    }

    private CompletableFuture<List<ScoredPoint>> search(
        QueryStage stage,
        float[] vector,
        int limit,
        Filter filter,
        boolean withPayload,
        boolean withVector) {
      SearchRequest search =
          new SearchRequest(
              stage.using(),
              vector,
              limit,
              withPayload,
              withVector,
              stage.scoreThreshold(),
              filter,
              stage.params());
      return router.search(collection, search, 0, consistency);
    }

    private CompletableFuture<List<ScoredPoint>> mmr(
        QueryStage stage, Query.Nearest n, Filter filter, boolean withPayload, boolean withVector) {
      float[] query = vector(stage, n.vector());
      int candidates =
          n.mmr().candidatesLimit() == null ? stage.limit() : n.mmr().candidatesLimit();
      Distance distance = requireVector(stage.using()).distance();
      return search(stage, query, candidates, filter, withPayload, true)
          .thenApply(
              hits -> {
                List<ScoredPoint> chosen =
                    MaximalMarginalRelevance.select(
                        hits,
                        stage.using(),
                        distance.prepare(query),
                        distance,
                        n.mmr().diversity(),
                        stage.limit());
                return withVector ? chosen : withoutVectors(chosen);
              });
    }

    /**
     * The params of dense vector {@code using}, for what only dense vectors support (mmr, the dense
     * average).
     */
    private VectorParams requireVector(String using) {
      VectorParams params = collection.config().vectors().get(using);
      if (params == null && collection.config().vectors().getSparse(using) != null) {
        throw new BadRequestException(
            "Wrong input: vector "
                + using
                + " is sparse: mmr is not supported with sparse"
                + " vectors");
      }
      if (params == null && collection.config().vectors().getMulti(using) != null) {
        throw new BadRequestException(
            "Wrong input: vector "
                + (using.isEmpty() ? "(unnamed)" : using)
                + " is a"
                + " multivector: mmr is not supported with multivectors yet");
      }
      if (params == null) {
        throw new BadRequestException(
            "Wrong input: Not existing vector name error: "
                + (using.isEmpty() ? "(unnamed)" : using));
      }
      return params;
    }

    private float[] vector(QueryStage stage, VectorInput input) {
      float[] v =
          switch (input) {
            case VectorInput.Sparse sp ->
                throw new BadRequestException(
                    "Wrong input: a sparse vector cannot query vector "
                        + (stage.using().isEmpty() ? "(unnamed)" : stage.using())
                        + (isSparse(stage) ? " in this kind of query" : ", which is dense"));
            case VectorInput.Dense d -> {
              checkRows(stage.using(), d);
              yield d.vector();
            }
            case VectorInput.Id id ->
                switch (resolved(stage, id)) {
                  case VectorInput.Dense d -> d.vector();
                  case VectorInput.Sparse sp ->
                      throw new BadRequestException(
                          "Wrong input: point "
                              + id.id()
                              + " gives a sparse"
                              + " vector ("
                              + lookupVector(stage)
                              + "), which cannot query vector "
                              + (stage.using().isEmpty() ? "(unnamed)" : stage.using())
                              + ", which is dense");
                  case VectorInput.Id unresolved ->
                      throw new IllegalStateException("unresolved " + unresolved);
                };
          };
      new PointValidator(collection.config().vectors()).validateQuery(stage.using(), v);
      return v;
    }

    /** The vector point {@code id} gives the stage (resolved in step 1). */
    private VectorInput resolved(QueryStage stage, VectorInput.Id id) {
      return vectors.get(
          new VectorKey(lookupCollection(collection.name(), stage), lookupVector(stage), id.id()));
    }

    /**
     * A query input for sparse vector {@code stage.using()}: a sparse vector, or a point id whose
     * vector is sparse.
     */
    private SparseVector sparseVector(QueryStage stage, VectorInput input) {
      VectorInput given = input instanceof VectorInput.Id id ? resolved(stage, id) : input;
      if (given instanceof VectorInput.Sparse sparse) {
        return sparse.vector();
      }
      throw new BadRequestException(
          "Wrong input: vector "
              + stage.using()
              + " is sparse: the query must be a sparse"
              + " vector ({\"indices\": [...], \"values\": [...]})"
              + (input instanceof VectorInput.Id id
                  ? " or the id of a point with a sparse vector "
                      + lookupVector(stage)
                      + ", and point "
                      + id.id()
                      + "'s vector "
                      + lookupVector(stage)
                      + " is dense"
                  : ""));
    }

    /**
     * A list of vectors only queries a multivector, each row of its size; a single vector may query
     * a multivector too (a list of one, as in Qdrant).
     */
    private void checkRows(String using, VectorInput.Dense d) {
      if (!d.isMulti()) {
        return;
      }
      var multi = collection.config().vectors().getMulti(using);
      String name = using.isEmpty() ? "(unnamed)" : using;
      if (multi == null) {
        throw new BadRequestException(
            "Wrong input: vector "
                + name
                + " is not a multivector: the query must be one"
                + " vector, not a list of vectors");
      }
      if (d.rowLength() != multi.size()) {
        throw new BadRequestException(
            "Wrong input: Vector dimension error: expected dim: "
                + multi.size()
                + " per vector of multivector "
                + name
                + ", got "
                + d.rowLength());
      }
    }

    private List<float[]> vectors(QueryStage stage, List<VectorInput> inputs) {
      List<float[]> out = new ArrayList<>(inputs.size());
      inputs.forEach(i -> out.add(vector(stage, i)));
      return out;
    }

    /**
     * Qdrant's average_vector for a sparse vector: the sum of the positives (union of their
     * dimensions, a missing one 0) divided by their count; with negatives, {@code avg_pos + avg_pos
     * - avg_neg} dimension by dimension over the union, in float arithmetic as Qdrant does it.
     */
    private SparseVector sparseAverage(QueryStage stage, Query.Recommend r) {
      if (r.positive().isEmpty()) {
        throw new BadRequestException(
            "Bad request: Positive vectors should not be empty with `average` strategy");
      }
      try {
        SparseVector positive = sparseMean(stage, r.positive());
        if (r.negative().isEmpty()) {
          return positive;
        }
        return positive.combine(sparseMean(stage, r.negative()), (p, n) -> p + p - n);
      } catch (IllegalArgumentException e) {
        throw new BadRequestException(
            "Wrong input: the average of the examples of vector "
                + stage.using()
                + " overflows: "
                + e.getMessage());
      }
    }

    private SparseVector sparseMean(QueryStage stage, List<VectorInput> inputs) {
      SparseVector sum = SparseVector.EMPTY;
      for (VectorInput input : inputs) {
        sum = sparseVector(stage, input).combine(sum, (a, b) -> a + b);
      }
      float count = inputs.size();
      return sum.combine(SparseVector.EMPTY, (a, ignored) -> a / count);
    }

    /**
     * Qdrant's average_vector for a multivector: no average, but one multivector holding every row
     * of the positives, followed (with negatives) by every row of the negatives negated; the
     * nearest search by MaxSim to it follows.
     */
    private float[] multiAverage(QueryStage stage, Query.Recommend r) {
      if (r.positive().isEmpty()) {
        throw new BadRequestException(
            "Bad request: Positive vectors should not be empty with `average` strategy");
      }
      List<float[]> positives = vectors(stage, r.positive());
      List<float[]> negatives = vectors(stage, r.negative());
      int length = 0;
      for (float[] v : positives) {
        length += v.length;
      }
      for (float[] v : negatives) {
        length += v.length;
      }
      float[] out = new float[length];
      int at = 0;
      for (float[] v : positives) {
        System.arraycopy(v, 0, out, at, v.length);
        at += v.length;
      }
      for (float[] v : negatives) {
        for (float x : v) {
          out[at++] = -x;
        }
      }
      return out;
    }

    /**
     * Qdrant's average_vector: avg(positive), or avg(positive) + (avg(positive) - avg(negative)),
     * over prepared vectors.
     */
    private float[] averageVector(QueryStage stage, Query.Recommend r) {
      if (r.positive().isEmpty()) {
        throw new BadRequestException(
            "Bad request: Positive vectors should not be empty with `average` strategy");
      }
      Distance distance = requireVector(stage.using()).distance();
      float[] positive = average(vectors(stage, r.positive()), distance);
      if (r.negative().isEmpty()) {
        return positive;
      }
      float[] negative = average(vectors(stage, r.negative()), distance);
      float[] out = new float[positive.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = positive[i] + positive[i] - negative[i];
      }
      return out;
    }
  }

  /**
   * The custom scorer of a recommend (best_score, sum_scores), discover or context query, its
   * inputs resolved by {@code resolve}.
   */
  private static <V> Scorer<V> scorer(Query query, Function<VectorInput, V> resolve) {
    if (query instanceof Query.Recommend r && r.positive().isEmpty() && r.negative().isEmpty()) {
      throw new BadRequestException(
          "Bad request: At least one positive or negative vector ID required with this strategy");
    }
    return switch (query) {
      case Query.Recommend r when r.strategy() == Query.Strategy.BEST_SCORE ->
          new Scorer.RecommendBestScore<>(
              resolveAll(r.positive(), resolve), resolveAll(r.negative(), resolve));
      case Query.Recommend r ->
          new Scorer.RecommendSumScores<>(
              resolveAll(r.positive(), resolve), resolveAll(r.negative(), resolve));
      case Query.Discover d ->
          new Scorer.Discover<>(resolve.apply(d.target()), pairs(d.context(), resolve));
      case Query.Context c -> new Scorer.Context<>(pairs(c.pairs(), resolve));
      default -> throw new IllegalArgumentException("not a custom objective: " + query);
    };
  }

  private static <V> List<V> resolveAll(
      List<VectorInput> inputs, Function<VectorInput, V> resolve) {
    List<V> out = new ArrayList<>(inputs.size());
    inputs.forEach(i -> out.add(resolve.apply(i)));
    return out;
  }

  private static <V> List<Scorer.Pair<V>> pairs(
      List<Query.Pair> pairs, Function<VectorInput, V> resolve) {
    List<Scorer.Pair<V>> out = new ArrayList<>(pairs.size());
    pairs.forEach(
        p -> out.add(new Scorer.Pair<>(resolve.apply(p.positive()), resolve.apply(p.negative()))));
    return out;
  }

  static float[] average(List<float[]> vectors, Distance distance) {
    float[] sum = new float[vectors.getFirst().length];
    for (float[] v : vectors) {
      float[] prepared = distance.prepare(v);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += prepared[i];
      }
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= vectors.size();
    }
    return sum;
  }

  private static List<ScoredPoint> zeroScores(List<ScoredPoint> hits) {
    List<ScoredPoint> out = new ArrayList<>(hits.size());
    hits.forEach(
        h ->
            out.add(
                new ScoredPoint(
                    h.id(),
                    h.version(),
                    0f,
                    h.payload(),
                    h.vectors(),
                    h.orderValue(),
                    h.sparse())));
    return out;
  }

  /** Ordered records as hits: score 0 (as Qdrant reports them), the order value kept. */
  private static List<ScoredPoint> ordered(List<PointRecord> records) {
    List<ScoredPoint> out = new ArrayList<>(records.size());
    records.forEach(
        r ->
            out.add(
                new ScoredPoint(
                    r.id(),
                    r.version(),
                    0f,
                    r.payload(),
                    r.vectors(),
                    r.orderValue(),
                    r.sparse())));
    return out;
  }

  private static List<ScoredPoint> withoutVectors(List<ScoredPoint> hits) {
    List<ScoredPoint> out = new ArrayList<>(hits.size());
    hits.forEach(
        h ->
            out.add(
                new ScoredPoint(
                    h.id(), h.version(), h.score(), h.payload(), null, h.orderValue())));
    return out;
  }

  // ---- 4. payloads and vectors of the page ----

  private CompletableFuture<List<ScoredPoint>> fill(
      CollectionDescriptor collection,
      List<ScoredPoint> page,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    List<PointId> ids = page.stream().map(ScoredPoint::id).toList();
    return router
        .retrieve(collection, ids, withPayload, withVector, consistency)
        .thenApply(
            records -> {
              Map<PointId, PointRecord> byId = new HashMap<>();
              records.forEach(r -> byId.put(r.id(), r));
              List<ScoredPoint> out = new ArrayList<>(page.size());
              for (ScoredPoint p : page) {
                PointRecord r = byId.get(p.id());
                if (r
                    != null) { // deleted between the search and the fetch: dropped, as Qdrant does
                  out.add(
                      new ScoredPoint(
                          p.id(),
                          p.version(),
                          p.score(),
                          r.payload(),
                          r.vectors(),
                          p.orderValue(),
                          r.sparse()));
                }
              }
              return out;
            });
  }
}
