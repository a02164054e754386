package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-made bodies, valid and invalid, against Qdrant's spec files (skipped, saying so, when they
 * are absent).
 */
@Timeout(60)
class OpenApiContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLLECTIONS = "/collections";
  private static final String UPSERT = "/collections/{collection_name}/points";
  private static final String QUERY = "/collections/{collection_name}/points/query";
  private static final String SEARCH = "/collections/{collection_name}/points/search";
  private static final String NOT_FOUND =
      "{'status':{'error':'Not found: Collection `x` doesn\\'t exist!'},'time':0.0}";

  private final OpenApiContract contract =
      OpenApiContract.require("OpenApiContractTest (checks the spec reader itself)");

  @Test
  void listsOperationsOfBothFiles() {
    assertTrue(contract.operations().contains("PUT /collections/{collection_name}"));
    assertTrue(contract.operations().contains("POST " + SEARCH), "only in openapi-1.16.json");
    assertTrue(contract.hasOperation("post", QUERY));
    assertFalse(contract.hasOperation("GET", QUERY));
    assertFalse(contract.hasOperation("GET", "/nope"));
  }

  @Test
  void collectionList() {
    contract.assertValid(
        "GET",
        COLLECTIONS,
        200,
        json("{'result':{'collections':[{'name':'a'}]},'status':'ok','time':0.001}"));
    assertViolation(
        "/result/collections",
        () ->
            contract.assertValid(
                "GET",
                COLLECTIONS,
                200,
                json("{'result':{'collections':'a'},'status':'ok','time':0.001}")));
    assertViolation(
        "/result/collections/0",
        () ->
            contract.assertValid(
                "GET",
                COLLECTIONS,
                200,
                json("{'result':{'collections':[{}]},'status':'ok','time':0.001}")));
  }

  @Test
  void upsertResult() {
    contract.assertValid(
        "PUT",
        UPSERT,
        200,
        json("{'result':{'operation_id':1,'status':'completed'},'status':'ok','time':0.1}"));
    assertViolation(
        "/result/status",
        () ->
            contract.assertValid(
                "PUT",
                UPSERT,
                200,
                json("{'result':{'operation_id':1,'status':'done'},'status':'ok','time':0.1}")));
  }

  @Test
  void nullableTypedFieldAdmitsNullAndUint64ButKeepsItsRange() {
    contract.assertValid(
        "PUT",
        UPSERT,
        200,
        json("{'result':{'operation_id':null,'status':'acknowledged'},'status':'ok','time':0.1}"));
    contract.assertValid(
        "PUT",
        UPSERT,
        200,
        json(
            "{'result':{'operation_id':18446744073709551615,'status':'completed'},"
                + "'status':'ok','time':0}"));
    assertViolation(
        "/result/operation_id",
        () ->
            contract.assertValid(
                "PUT",
                UPSERT,
                200,
                json(
                    "{'result':{'operation_id':-1,'status':'completed'},'status':'ok','time':0.1}")));
    assertViolation(
        "/result/operation_id",
        () ->
            contract.assertValid(
                "PUT",
                UPSERT,
                200,
                json(
                    "{'result':{'operation_id':'1','status':'completed'},'status':'ok','time':0.1}")));
  }

  @Test
  void errorBodyMatchesClassAndDefaultResponses() {
    contract.assertValid("GET", "/collections/{collection_name}", 404, json(NOT_FOUND));
    contract.assertValid("PUT", UPSERT, 400, json(NOT_FOUND));
    contract.assertValid("PUT", UPSERT, 500, json(NOT_FOUND));
    assertViolation(
        "/status",
        () ->
            contract.assertValid(
                "GET",
                "/collections/{collection_name}",
                404,
                json("{'status':'error','time':0.0}")));
  }

  @Test
  void oldSearchComesFromSixteen() {
    contract.assertValid(
        "POST",
        SEARCH,
        200,
        json(
            """
        {'result':[{'id':1,'version':3,'score':0.75,'payload':{'city':'London'},'vector':[0.1,0.2]},
                   {'id':'550e8400-e29b-41d4-a716-446655440000','version':0,'score':0.5}],
         'status':'ok','time':0.002}"""));
    assertViolation(
        "/result/0/score",
        () ->
            contract.assertValid(
                "POST",
                SEARCH,
                200,
                json(
                    "{'result':[{'id':1,'version':3,'score':'high'}],'status':'ok','time':0.002}")));
  }

  @Test
  void pointIdIsUint64OrUuid() {
    assertViolation(
        "/result/0/id",
        () ->
            contract.assertValid(
                "POST",
                SEARCH,
                200,
                json(
                    "{'result':[{'id':'not-a-uuid','version':3,'score':0.5}],'status':'ok','time':0.0}")));
    assertViolation(
        "/result/0/id",
        () ->
            contract.assertValid(
                "POST",
                SEARCH,
                200,
                json("{'result':[{'id':-5,'version':3,'score':0.5}],'status':'ok','time':0.0}")));
  }

  @Test
  void queryPointsNullableRefAdmitsNullButNotAnyValue() {
    contract.assertValid(
        "POST",
        QUERY,
        200,
        json(
            """
        {'result':{'points':[{'id':7,'version':1,'score':0.9,'payload':null,'vector':null,
                              'shard_key':null,'order_value':null}]},
         'status':'ok','time':0.01,'usage':null}"""));
    // {"anyOf": [{"$ref": Payload}, {"nullable": true}]}: the second branch admits null only.
    assertViolation(
        "/result/points/0/payload",
        () ->
            contract.assertValid(
                "POST",
                QUERY,
                200,
                json(
                    "{'result':{'points':[{'id':7,'version':1,'score':0.9,'payload':'x'}]},"
                        + "'status':'ok','time':0}")));
  }

  @Test
  void responseWithoutJsonSchemaOrUnknownOperation() {
    AssertionError noJson =
        assertThrows(
            AssertionError.class, () -> contract.assertValid("GET", "/healthz", 200, json("{}")));
    assertTrue(noJson.getMessage().contains("no JSON body"), noJson.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> contract.assertValid("GET", "/nope", 200, json("{}")));
  }

  private static void assertViolation(String pointer, Runnable check) {
    AssertionError error = assertThrows(AssertionError.class, check::run);
    assertTrue(error.getMessage().contains("\"" + pointer + "\""), error.getMessage());
  }

  /** Parses JSON written with single quotes, to keep the bodies above readable. */
  private static JsonNode json(String singleQuoted) {
    try {
      String escaped = singleQuoted.replace("\\'", "\u0000");
      return JSON.readTree(escaped.replace('\'', '"').replace('\u0000', '\''));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
