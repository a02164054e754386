package io.quiver.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the API handlers see it: method, path parameters (by the names of the route's
 * template), query parameters, the body and its content type (null when not given), the route's
 * template, and the check every parsed JSON body goes through before a handler sees it.
 */
public record RestRequest(
    String method,
    Map<String, String> pathParams,
    Map<String, List<String>> queryParams,
    String contentType,
    byte[] body,
    ObjectMapper json,
    String template,
    BodyCheck bodyCheck) {

  /**
   * A check of a parsed JSON body (the node's request limits); throws {@link ApiException} to
   * refuse it.
   */
  @FunctionalInterface
  public interface BodyCheck {
    BodyCheck NONE = (template, body) -> {};

    /**
     * @param template the route's template, e.g. {@code
     *     /collections/{collection_name}/points/query}
     */
    void check(String template, JsonNode body);
  }

  public RestRequest(
      String method,
      Map<String, String> pathParams,
      Map<String, List<String>> queryParams,
      String contentType,
      byte[] body,
      ObjectMapper json) {
    this(method, pathParams, queryParams, contentType, body, json, null, BodyCheck.NONE);
  }

  public String pathParam(String name) {
    String v = pathParams.get(name);
    if (v == null) {
      throw new IllegalStateException("route has no path parameter " + name);
    }
    return v;
  }

  /** A query parameter, or null. */
  public String queryParam(String name) {
    List<String> v = queryParams.get(name);
    return v == null || v.isEmpty() ? null : v.getFirst();
  }

  /** A boolean query parameter: {@code true}/{@code false}; absent gives {@code defaultValue}. */
  public boolean booleanParam(String name, boolean defaultValue) {
    String v = queryParam(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw ApiException.badRequest(
              "Query parameter `" + name + "` must be true or false, got `" + v + "`");
    };
  }

  /**
   * The body as a JSON object; 400 when it is empty (and {@code required}), malformed, or not an
   * object.
   */
  public JsonNode jsonBody(boolean required) {
    if (body.length == 0) {
      if (required) {
        throw ApiException.badRequest(
            "Json deserialize error: the request body is empty, expected a JSON object");
      }
      return json.createObjectNode();
    }
    JsonNode node;
    // Trailing content after the value ("{}{}", "{} x") is an error, as in Qdrant. Arrays of
    // numbers (vectors) are read into primitive arrays (NumberArrayNode), not a node per number;
    // payload objects keep their bytes of the body (RawJsonObjectNode).
    try (com.fasterxml.jackson.core.JsonParser parser = json.getFactory().createParser(body)) {
      node = JsonBodyReader.read(parser, body);
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      throw ApiException.badRequest(
          "Json deserialize error: "
              + JsonErrorText.of(e.getOriginalMessage())
              + (at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr()));
    } catch (IOException e) {
      throw ApiException.badRequest("Json deserialize error: " + JsonErrorText.of(e.getMessage()));
    }
    if (node == null || node.isMissingNode()) {
      if (required) {
        throw ApiException.badRequest(
            "Json deserialize error: the request body is empty, expected a JSON object");
      }
      return json.createObjectNode();
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Json deserialize error: expected a JSON object, got "
              + node.getNodeType().name().toLowerCase());
    }
    bodyCheck.check(template, node);
    return node;
  }
}
