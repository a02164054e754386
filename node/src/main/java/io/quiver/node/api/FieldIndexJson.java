package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadIndexes;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import io.quiver.storage.payloadindex.Tokenizer;
import java.util.Map;

/** Qdrant's {@code CreateFieldIndex} body and {@code payload_schema} ({@code PayloadIndexInfo}) in JSON. */
final class FieldIndexJson {

  private FieldIndexJson() {}

  /** {@code field_schema}: a type name or a params object with {@code type}. */
  static FieldIndexSchema parseSchema(JsonNode node) {
    if (node == null || node.isNull()) {
      throw ApiException.badRequest("Bad request: `field_schema` is required (Quiver does not infer an index type from the payloads)");
    }
    if (node.isTextual()) {
      return FieldIndexSchema.of(type(node.asText(), "field_schema"));
    }
    if (!node.isObject()) {
      throw ApiException.badRequest("Json deserialize error: `field_schema` must be a type name or an object with `type`");
    }
    JsonNode typeNode = node.get("type");
    if (typeNode == null || !typeNode.isTextual()) {
      throw ApiException.badRequest("Json deserialize error: `field_schema.type` is required");
    }
    PayloadSchemaType type = type(typeNode.asText(), "field_schema.type");
    refuseUnimplemented(node);
    try {
      return switch (type) {
        case INTEGER -> FieldIndexSchema.integer(bool(node, "lookup", true), bool(node, "range", true));
        case TEXT -> FieldIndexSchema.text(tokenizer(node.get("tokenizer")), bool(node, "lowercase", true),
            uint(node, "min_token_len"), uint(node, "max_token_len"));
        default -> FieldIndexSchema.withParams(type);
      };
    } catch (BadRequestException e) {
      throw ApiException.badRequest("Bad request: " + e.getMessage());
    }
  }

  /** Index options Qdrant defines that Quiver does not implement: refused by name, never ignored. */
  private static final java.util.Map<String, String> UNIMPLEMENTED_WHEN_TRUE = java.util.Map.of(
      "is_tenant", "tenant-optimized index storage is not supported",
      "is_principal", "principal-index storage is not supported",
      "on_disk", "payload indexes are kept in memory; on-disk indexes are not supported",
      "prefix", "prefix matching of keyword indexes is not supported yet",
      "ascii_folding", "ASCII folding of text indexes is not supported yet",
      "phrase_matching", "the phrase-matching option of text indexes is not supported yet (phrase filters work without it)");
  private static final java.util.Map<String, String> UNIMPLEMENTED_WHEN_GIVEN = java.util.Map.of(
      "memory", "memory placement of payload indexes is not supported",
      "enable_hnsw", "payload-aware HNSW links are not built",
      "stopwords", "stop words of text indexes are not supported yet");

  private static void refuseUnimplemented(JsonNode node) {
    UNIMPLEMENTED_WHEN_TRUE.forEach((field, why) -> {
      if (bool(node, field, false)) {
        throw ApiException.badRequest("Wrong input: `field_schema." + field + "`: " + why);
      }
    });
    UNIMPLEMENTED_WHEN_GIVEN.forEach((field, why) -> {
      if (node.hasNonNull(field)) {
        throw ApiException.badRequest("Wrong input: `field_schema." + field + "`: " + why);
      }
    });
    JsonNode stemmer = node.get("stemmer");
    if (stemmer != null && !stemmer.isNull()) {
      throw ApiException.badRequest("Wrong input: `field_schema.stemmer`: stemming of text indexes is not supported yet");
    }
  }

  private static PayloadSchemaType type(String name, String field) {
    PayloadSchemaType type = PayloadSchemaType.fromQdrantName(name);
    if (type == null) {
      throw ApiException.badRequest("Json deserialize error: " + field + ": unknown variant `" + name
          + "`, expected one of `keyword`, `integer`, `float`, `geo`, `text`, `bool`, `datetime`, `uuid`");
    }
    return type;
  }

  private static Tokenizer tokenizer(JsonNode node) {
    if (node == null || node.isNull()) {
      return Tokenizer.WORD;
    }
    Tokenizer t = node.isTextual() ? Tokenizer.fromQdrantName(node.asText()) : null;
    if (t == null) {
      throw ApiException.badRequest("Json deserialize error: field_schema.tokenizer: unknown variant `" + node.asText()
          + "`, expected one of `prefix`, `whitespace`, `word`, `multilingual`");
    }
    return t;
  }

  private static boolean bool(JsonNode node, String field, boolean defaultValue) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isBoolean()) {
      throw ApiException.badRequest("Json deserialize error: field_schema." + field + " must be a boolean");
    }
    return v.booleanValue();
  }

  private static int uint(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
      throw ApiException.badRequest("Json deserialize error: field_schema." + field + " must be a non-negative integer");
    }
    return v.asInt();
  }

  /** {@code payload_schema}: field -&gt; {@code {data_type, params?, points}}. */
  static ObjectNode payloadSchema(ObjectMapper json, Map<String, PayloadIndexes.FieldInfo> schema) {
    ObjectNode out = json.createObjectNode();
    schema.forEach((field, info) -> {
      ObjectNode node = out.putObject(field);
      FieldIndexSchema s = info.schema();
      node.put("data_type", s.type().qdrantName());
      if (s.explicitParams()) {
        ObjectNode params = node.putObject("params");
        params.put("type", s.type().qdrantName());
        switch (s.type()) {
          case INTEGER -> params.put("lookup", s.lookup()).put("range", s.range());
          case TEXT -> {
            params.put("tokenizer", s.tokenizer().qdrantName());
            params.put("lowercase", s.lowercase());
            if (s.minTokenLength() > 0) {
              params.put("min_token_len", s.minTokenLength());
            }
            if (s.maxTokenLength() > 0) {
              params.put("max_token_len", s.maxTokenLength());
            }
          }
          default -> { }
        }
      }
      node.put("points", info.points());
    });
    return out;
  }
}
