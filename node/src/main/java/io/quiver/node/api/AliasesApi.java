package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.sharding.AliasAction;
import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Collection aliases: {@code POST /collections/aliases} (create / delete / rename actions, applied
 * atomically through the metadata log), {@code GET /aliases}, {@code GET /collections/{c}/aliases}.
 * An alias works everywhere a collection name does ({@link CollectionCatalog#get} resolves it).
 */
public final class AliasesApi {

  private final CollectionCatalog catalog;
  private final ObjectMapper json;

  public AliasesApi(CollectionCatalog catalog, ObjectMapper json) {
    this.catalog = catalog;
    this.json = json;
  }

  public void register(RestRoutes routes) {
    routes
        .add("POST", "/collections/aliases", this::update)
        .add("GET", "/aliases", this::listAll)
        .add("GET", "/collections/{collection_name}/aliases", this::listOfCollection);
  }

  private CompletableFuture<RestResponse> update(RestRequest request) {
    JsonNode actions = request.jsonBody(true).get("actions");
    if (actions == null || !actions.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `actions` is required (an array)");
    }
    List<AliasAction> parsed = new ArrayList<>(actions.size());
    for (int i = 0; i < actions.size(); i++) {
      parsed.add(action(actions.get(i), "actions[" + i + "]"));
    }
    return catalog.updateAliases(parsed).thenApply(ignored -> RestResponse.ok(true));
  }

  private static AliasAction action(JsonNode node, String at) {
    if (node == null || !node.isObject() || node.size() != 1) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + at
              + "` must be an object with exactly one of create_alias, delete_alias, rename_alias");
    }
    Map.Entry<String, JsonNode> e = node.properties().iterator().next();
    JsonNode body = e.getValue();
    String bodyAt = at + "." + e.getKey();
    return switch (e.getKey()) {
      case "create_alias" ->
          new AliasAction.Create(
              name(body, bodyAt, "alias_name"), name(body, bodyAt, "collection_name"));
      case "delete_alias" -> new AliasAction.Delete(name(body, bodyAt, "alias_name"));
      case "rename_alias" ->
          new AliasAction.Rename(
              name(body, bodyAt, "old_alias_name"), name(body, bodyAt, "new_alias_name"));
      default ->
          throw ApiException.badRequest(
              "Validation error in JSON body: `"
                  + at
                  + "` has unknown action `"
                  + e.getKey()
                  + "`");
    };
  }

  private static String name(JsonNode body, String at, String field) {
    JsonNode v = body == null ? null : body.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + at
              + "."
              + field
              + "` is required (a non-empty string)");
    }
    CollectionJson.validateName(v.asText());
    return v.asText();
  }

  private CompletableFuture<RestResponse> listAll(RestRequest request) {
    return CompletableFuture.completedFuture(RestResponse.ok(aliases(null)));
  }

  private CompletableFuture<RestResponse> listOfCollection(RestRequest request) {
    String name = request.pathParam("collection_name");
    String collection =
        catalog.get(name).orElseThrow(() -> new CollectionNotFoundException(name)).name();
    return CompletableFuture.completedFuture(RestResponse.ok(aliases(collection)));
  }

  /** Qdrant's CollectionsAliasesResponse, for every alias or those of one collection. */
  private ObjectNode aliases(String collection) {
    ObjectNode result = json.createObjectNode();
    ArrayNode list = result.putArray("aliases");
    catalog
        .aliases()
        .forEach(
            (alias, target) -> {
              if (collection == null || collection.equals(target)) {
                list.addObject().put("alias_name", alias).put("collection_name", target);
              }
            });
    return result;
  }
}
