package io.quiver.node.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code /collections}: list, create, info, existence, delete. */
public final class CollectionsApi {

  private final CollectionCatalog catalog;
  private final PointsRouter router;
  private final ObjectMapper json;

  public CollectionsApi(CollectionCatalog catalog, PointsRouter router, ObjectMapper json) {
    this.catalog = catalog;
    this.router = router;
    this.json = json;
  }

  public void register(RestRoutes routes) {
    routes
        .add("GET", "/collections", this::list)
        .add("PUT", "/collections/{collection_name}", this::create)
        .add("GET", "/collections/{collection_name}", this::info)
        .add("PATCH", "/collections/{collection_name}", this::update)
        .add("GET", "/collections/{collection_name}/exists", this::exists)
        .add("DELETE", "/collections/{collection_name}", this::delete)
        .add("PUT", "/collections/{collection_name}/vectors/{vector_name}", this::createVectorName)
        .add(
            "DELETE",
            "/collections/{collection_name}/vectors/{vector_name}",
            this::deleteVectorName);
  }

  /**
   * {@code PUT /collections/{c}/vectors/{name}} (Qdrant's {@code VectorNameConfig}: {@code dense},
   * a multivector with {@code multivector_config}, or {@code sparse}): through the metadata log,
   * then every shard's log (each replica stores the new config and reopens; existing points lack
   * the vector). Answers once all shards applied it.
   */
  private CompletableFuture<RestResponse> createVectorName(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    String vector = request.pathParam("vector_name");
    io.quiver.storage.VectorsConfig added =
        CollectionJson.vectorNameConfig(request.jsonBody(true), vector, c.config());
    return changeVectorName(request, c, vector, added);
  }

  /**
   * {@code DELETE /collections/{c}/vectors/{name}}: as a creation; every replica removes the
   * vector's data from every point and, for a dense vector, rebuilds its segments.
   */
  private CompletableFuture<RestResponse> deleteVectorName(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    return changeVectorName(request, c, request.pathParam("vector_name"), null);
  }

  private CompletableFuture<RestResponse> changeVectorName(
      RestRequest request,
      CollectionDescriptor c,
      String vector,
      io.quiver.storage.VectorsConfig added) {
    String problem =
        io.quiver.storage.VectorNameChange.problem(c.config().vectors(), vector, added);
    if (problem != null) {
      throw new io.quiver.storage.BadRequestException(
          problem); // fast; the meta log applies the same rule
    }
    WriteOrderingParam.check(request);
    boolean wait = request.booleanParam("wait", false);
    PointsRouter router = TimeoutParam.router(this.router, request);
    return catalog
        .changeVectorName(c.name(), vector, added)
        .thenCompose(
            router::updateShardConfig) // the updated collection, as the meta log applied it
        .thenApply(index -> RestResponse.ok(ResultJson.updateResult(index, wait)));
  }

  private CompletableFuture<RestResponse> list(RestRequest request) {
    ObjectNode result = json.createObjectNode();
    ArrayNode collections = result.putArray("collections");
    for (CollectionDescriptor c : catalog.list()) {
      collections.addObject().put("name", c.name());
    }
    return CompletableFuture.completedFuture(RestResponse.ok(result));
  }

  private CompletableFuture<RestResponse> create(RestRequest request) {
    String name = request.pathParam("collection_name");
    CollectionJson.validateName(name);
    CollectionConfig config = CollectionJson.parseCreate(request.jsonBody(true));
    return catalog.create(name, config).thenApply(c -> RestResponse.ok(true));
  }

  /**
   * {@code PATCH /collections/{c}}: the new settings go through the metadata log, then, when the
   * engine's settings changed, to every shard's log; each replica reopens its engine with them.
   * Answers once all shards applied them. A change of the cluster's settings alone ({@code
   * replication_factor}, {@code write_consistency_factor}) writes to no shard: a shard busy with
   * the replica changes that follow is not asked for anything.
   */
  private CompletableFuture<RestResponse> update(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    CollectionConfig updated = CollectionJson.parseUpdate(request.jsonBody(true), c.config());
    return catalog
        .update(c.name(), updated)
        .thenCompose(
            applied -> // the updated collection, as the meta log applied it
            applied.config().shardConfig().equals(c.config().shardConfig())
                    ? CompletableFuture.completedFuture(0L)
                    : router.updateShardConfig(applied))
        .thenApply(index -> RestResponse.ok(true));
  }

  private CompletableFuture<RestResponse> info(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    // Leaders by default; `consistency=any` (a Quiver extension) reports this node's own replicas.
    ReadConsistency consistency = ConsistencyParam.parse(request);
    var schema = router.payloadSchema(c, consistency);
    return router
        .info(c, consistency)
        .thenCombine(
            schema,
            (shards, fields) -> {
              ObjectNode info = CollectionJson.info(json, c, shards);
              info.set("payload_schema", FieldIndexJson.payloadSchema(json, fields));
              return RestResponse.ok(info);
            });
  }

  private CompletableFuture<RestResponse> exists(RestRequest request) {
    boolean exists = catalog.get(request.pathParam("collection_name")).isPresent();
    return CompletableFuture.completedFuture(RestResponse.ok(Map.of("exists", exists)));
  }

  private CompletableFuture<RestResponse> delete(RestRequest request) {
    return catalog.delete(request.pathParam("collection_name")).thenApply(RestResponse::ok);
  }
}
