package io.quiver.node.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.node.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A typo in a settings object is refused with a 400 naming it, where Qdrant would take it for
 * nothing and ignore it: the collection's settings, an update's, search params, an index's. A field
 * Qdrant defines, or an unknown one given as null, is not. (SettingsRuleIT probes every settings
 * object of Qdrant's spec against a real node.)
 */
class KnownFieldsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode body(String json) throws Exception {
    return JSON.readTree(json);
  }

  private static void refusedNaming(String field, Executable parse) {
    ApiException e = assertThrows(ApiException.class, parse, field);
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("unknown field `" + field + "`"), e.getMessage());
  }

  @Test
  void aTypoInACollectionsSettingsIsRefusedByName() throws Exception {
    refusedNaming(
        "ef_construction",
        () ->
            CollectionJson.parseCreate(
                body(
                    "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                        + "\"hnsw_config\":{\"ef_construction\":200}}")));
    refusedNaming(
        "shards_number",
        () ->
            CollectionJson.parseCreate(
                body("{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shards_number\":2}")));
    refusedNaming(
        "distanse",
        () ->
            CollectionJson.parseCreate(
                body("{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"distanse\":\"Cosine\"}}")));
    refusedNaming(
        "indexing_treshold",
        () ->
            CollectionJson.parseCreate(
                body(
                    "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                        + "\"optimizers_config\":{\"indexing_treshold\":0}}")));
    refusedNaming(
        "enable",
        () ->
            CollectionJson.parseCreate(
                body(
                    "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                        + "\"strict_mode_config\":{\"enable\":true}}")));
  }

  @Test
  void aTypoInAnUpdateIsRefusedByName() throws Exception {
    var current =
        CollectionJson.parseCreate(body("{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}"));
    refusedNaming(
        "replication",
        () -> CollectionJson.parseUpdate(body("{\"params\":{\"replication\":2}}"), current));
    refusedNaming(
        "optimizer_config",
        () ->
            CollectionJson.parseUpdate(
                body("{\"optimizer_config\":{\"indexing_threshold\":0}}"), current));
    refusedNaming(
        "on_disc",
        () -> CollectionJson.parseUpdate(body("{\"vectors\":{\"\":{\"on_disc\":true}}}"), current));
    assertDoesNotThrow(
        () ->
            CollectionJson.parseUpdate(
                body("{\"hnsw_config\":{\"m\":32},\"init_from\":null}"), current),
        "an unknown field given as null is absent");
  }

  @Test
  void aTypoInSearchParamsOrAnIndexIsRefusedByName() throws Exception {
    refusedNaming("hnsw", () -> QueryJson.params(body("{\"hnsw\":128}"), "params"));
    refusedNaming(
        "rescoring",
        () -> QueryJson.params(body("{\"quantization\":{\"rescoring\":true}}"), "params"));
    refusedNaming(
        "lowercased",
        () -> FieldIndexJson.parseSchema(body("{\"type\":\"text\",\"lowercased\":true}")));
    refusedNaming(
        "lookup", () -> FieldIndexJson.parseSchema(body("{\"type\":\"keyword\",\"lookup\":true}")));
    assertDoesNotThrow(
        () -> FieldIndexJson.parseSchema(body("{\"type\":\"integer\",\"lookup\":true}")));
  }
}
