package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadIndexes;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import io.quiver.storage.payloadindex.StemmerParams;
import io.quiver.storage.payloadindex.Stopwords;
import io.quiver.storage.payloadindex.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Qdrant's {@code CreateFieldIndex} body and {@code payload_schema} ({@code PayloadIndexInfo}) in
 * JSON.
 */
final class FieldIndexJson {

  private FieldIndexJson() {}

  /** {@code field_schema}: a type name or a params object with {@code type}. */
  static FieldIndexSchema parseSchema(JsonNode node) {
    if (node == null || node.isNull()) {
      throw ApiException.badRequest(
          "Bad request: `field_schema` is required (Quiver does not infer an index type from the payloads)");
    }
    if (node.isTextual()) {
      return FieldIndexSchema.of(type(node.asText(), "field_schema"));
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Json deserialize error: `field_schema` must be a type name or an object with `type`");
    }
    JsonNode typeNode = node.get("type");
    if (typeNode == null || !typeNode.isTextual()) {
      throw ApiException.badRequest("Json deserialize error: `field_schema.type` is required");
    }
    PayloadSchemaType type = type(typeNode.asText(), "field_schema.type");
    refuseUnimplemented(node, type);
    KnownFields.only(node, "field_schema", FIELDS_OF_TYPE.get(type));
    io.quiver.storage.Memory memory =
        MemoryJson.parse(
            node,
            "field_schema",
            java.util.EnumSet.of(io.quiver.storage.Memory.CACHED, io.quiver.storage.Memory.PINNED),
            "payload indexes are held on the heap and rebuilt at open: `cached` or `pinned`");
    try {
      FieldIndexSchema schema =
          switch (type) {
            case INTEGER ->
                FieldIndexSchema.integer(bool(node, "lookup", true), bool(node, "range", true));
            case TEXT ->
                FieldIndexSchema.text(
                    tokenizer(node.get("tokenizer")),
                    bool(node, "lowercase", true),
                    uint(node, "min_token_len"),
                    uint(node, "max_token_len"),
                    flag(node, "ascii_folding"),
                    flag(node, "phrase_matching"),
                    stopwords(node.get("stopwords")),
                    stemmer(node.get("stemmer")));
            case KEYWORD -> FieldIndexSchema.keyword(flag(node, "prefix"));
            default -> FieldIndexSchema.withParams(type);
          };
      return memory == null ? schema : schema.withMemory(memory);
    } catch (BadRequestException e) {
      throw ApiException.badRequest("Bad request: " + e.getMessage());
    }
  }

  /**
   * Index options Qdrant defines that Quiver does not implement: refused by name, never ignored.
   */
  private static final Map<String, String> UNIMPLEMENTED_WHEN_TRUE =
      Map.of(
          "is_tenant",
              "tenant-optimized index storage is not supported (filtering by the field works without it)",
          "is_principal", "principal-index storage is not supported",
          "on_disk",
              "payload indexes are kept in memory and rebuilt at open; on-disk indexes are not supported");

  private static final Map<String, String> UNIMPLEMENTED_WHEN_GIVEN =
      Map.of("enable_hnsw", "payload-aware HNSW links are not built");

  /** The fields of Qdrant's params of each index type ({@code KeywordIndexParams}, ...). */
  private static final Map<PayloadSchemaType, java.util.Set<String>> FIELDS_OF_TYPE =
      fieldsOfType();

  private static Map<PayloadSchemaType, java.util.Set<String>> fieldsOfType() {
    List<String> common = List.of("type", "on_disk", "enable_hnsw", "memory");
    Map<PayloadSchemaType, List<String>> own =
        Map.of(
            PayloadSchemaType.KEYWORD, List.of("is_tenant", "prefix"),
            PayloadSchemaType.INTEGER, List.of("lookup", "range", "is_principal"),
            PayloadSchemaType.FLOAT, List.of("is_principal"),
            PayloadSchemaType.GEO, List.of(),
            PayloadSchemaType.TEXT,
                List.of(
                    "tokenizer",
                    "min_token_len",
                    "max_token_len",
                    "lowercase",
                    "ascii_folding",
                    "phrase_matching",
                    "stopwords",
                    "stemmer"),
            PayloadSchemaType.BOOL, List.of(),
            PayloadSchemaType.DATETIME, List.of("is_principal"),
            PayloadSchemaType.UUID, List.of("is_tenant"));
    Map<PayloadSchemaType, java.util.Set<String>> out =
        new java.util.EnumMap<>(PayloadSchemaType.class);
    for (PayloadSchemaType t : PayloadSchemaType.values()) {
      java.util.Set<String> fields = new java.util.HashSet<>(common);
      fields.addAll(own.get(t));
      out.put(t, java.util.Set.copyOf(fields));
    }
    return out;
  }

  /** Options of one index type (Qdrant's params of that type), refused on the others. */
  private static final Map<String, PayloadSchemaType> OPTION_OF_TYPE =
      Map.of(
          "prefix", PayloadSchemaType.KEYWORD,
          "ascii_folding", PayloadSchemaType.TEXT,
          "phrase_matching", PayloadSchemaType.TEXT,
          "stopwords", PayloadSchemaType.TEXT,
          "stemmer", PayloadSchemaType.TEXT);

  private static void refuseUnimplemented(JsonNode node, PayloadSchemaType type) {
    UNIMPLEMENTED_WHEN_TRUE.forEach(
        (field, why) -> {
          if (bool(node, field, false)) {
            throw ApiException.badRequest("Wrong input: `field_schema." + field + "`: " + why);
          }
        });
    UNIMPLEMENTED_WHEN_GIVEN.forEach(
        (field, why) -> {
          if (node.hasNonNull(field)) {
            throw ApiException.badRequest("Wrong input: `field_schema." + field + "`: " + why);
          }
        });
    OPTION_OF_TYPE.forEach(
        (field, owner) -> {
          if (node.hasNonNull(field) && type != owner) {
            throw ApiException.badRequest(
                "Wrong input: `field_schema."
                    + field
                    + "` is an option of `"
                    + owner.qdrantName()
                    + "` indexes, not of `"
                    + type.qdrantName()
                    + "`");
          }
        });
  }

  /** {@code stopwords}: a language name, or {@code {languages?: [...], custom?: [...]}}. */
  private static Stopwords stopwords(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return Stopwords.ofLanguage(node.textValue());
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Json deserialize error: field_schema.stopwords must be a language name or "
              + "an object with `languages` and/or `custom`");
    }
    KnownFields.only(node, "field_schema.stopwords", java.util.Set.of("languages", "custom"));
    return Stopwords.ofSet(
        strings(node.get("languages"), "stopwords.languages"),
        strings(node.get("custom"), "stopwords.custom"));
  }

  private static List<String> strings(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw ApiException.badRequest(
          "Json deserialize error: field_schema." + field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode v : node) {
      if (!v.isTextual()) {
        throw ApiException.badRequest(
            "Json deserialize error: field_schema." + field + " must be an array of strings");
      }
      if (!out.contains(v.textValue())) {
        out.add(v.textValue()); // a set in Qdrant: duplicates collapse
      }
    }
    return out;
  }

  /** {@code stemmer}: {@code {type: snowball, language}} or {@code {type: none}}. */
  private static StemmerParams stemmer(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    KnownFields.only(node, "field_schema.stemmer", java.util.Set.of("type", "language"));
    String type = node.path("type").asText("");
    return switch (type) {
      case "none" -> StemmerParams.NONE;
      case "snowball" -> {
        JsonNode language = node.get("language");
        if (language == null || !language.isTextual()) {
          throw ApiException.badRequest(
              "Json deserialize error: field_schema.stemmer.language is required for the snowball stemmer");
        }
        yield StemmerParams.snowball(language.textValue());
      }
      default ->
          throw ApiException.badRequest(
              "Json deserialize error: field_schema.stemmer.type: unknown variant `"
                  + type
                  + "`, expected one of `snowball`, `none`");
    };
  }

  /** An optional boolean kept as given: null when absent. */
  private static Boolean flag(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : bool(node, field, false);
  }

  private static PayloadSchemaType type(String name, String field) {
    PayloadSchemaType type = PayloadSchemaType.fromQdrantName(name);
    if (type == null) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + field
              + ": unknown variant `"
              + name
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
      throw ApiException.badRequest(
          "Json deserialize error: field_schema.tokenizer: unknown variant `"
              + node.asText()
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
      throw ApiException.badRequest(
          "Json deserialize error: field_schema." + field + " must be a boolean");
    }
    return v.booleanValue();
  }

  private static int uint(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
      throw ApiException.badRequest(
          "Json deserialize error: field_schema." + field + " must be a non-negative integer");
    }
    return v.asInt();
  }

  /** {@code payload_schema}: field -&gt; {@code {data_type, params?, points}}. */
  static ObjectNode payloadSchema(ObjectMapper json, Map<String, PayloadIndexes.FieldInfo> schema) {
    ObjectNode out = json.createObjectNode();
    schema.forEach(
        (field, info) -> {
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
                putFlag(params, "ascii_folding", s.asciiFolding());
                putFlag(params, "phrase_matching", s.phraseMatching());
                if (s.stopwords() != null) {
                  params.set("stopwords", stopwordsJson(json, s.stopwords()));
                }
                if (s.stemmer() != null) {
                  ObjectNode stemmer = params.putObject("stemmer");
                  if (s.stemmer().language() == null) {
                    stemmer.put("type", "none");
                  } else {
                    stemmer.put("type", "snowball").put("language", s.stemmer().language());
                  }
                }
              }
              case KEYWORD -> putFlag(params, "prefix", s.prefix());
              default -> {}
            }
            MemoryJson.put(params, s.memory());
          }
          node.put("points", info.points());
        });
    return out;
  }

  private static void putFlag(ObjectNode params, String field, Boolean value) {
    if (value != null) {
      params.put(field, value.booleanValue());
    }
  }

  private static JsonNode stopwordsJson(ObjectMapper json, Stopwords stopwords) {
    if (stopwords.language() != null) {
      return json.getNodeFactory().textNode(stopwords.language());
    }
    ObjectNode out = json.createObjectNode();
    if (stopwords.languages() != null) {
      stopwords.languages().forEach(out.putArray("languages")::add);
    }
    if (stopwords.custom() != null) {
      stopwords.custom().forEach(out.putArray("custom")::add);
    }
    return out;
  }
}
