package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.QuantizationConfig;
import java.util.List;
import java.util.Set;

/**
 * Qdrant's {@code QuantizationConfig} (create) and {@code QuantizationConfigDiff} (update: a whole
 * config, or {@code "Disabled"}) in and out. What the index module implements is honoured and
 * reported back as given ({@code turbo} with its {@code bits} too); the variants and fields it does
 * not implement are refused by name: binary {@code two_bits} / {@code one_and_half_bits} encodings,
 * the {@code scalar8bits} query encoding, and {@code memory: cold} (codes are always held on the
 * heap, which {@code cached} and {@code pinned} describe).
 */
final class QuantizationJson {

  private QuantizationJson() {}

  /**
   * The result of reading a diff: {@code disabled}, or a config (null: field absent, keep the
   * current).
   */
  record Diff(boolean disabled, QuantizationConfig config) {
    static final Diff ABSENT = new Diff(false, null);
  }

  /** A create-time {@code quantization_config} at {@code at}; null when absent or null. */
  static QuantizationConfig parse(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual() && node.asText().equals("Disabled")) {
      throw bad(
          at,
          "`Disabled` only applies to a collection update; omit the field to create without quantization");
    }
    return config(node, at);
  }

  /**
   * An update's {@code quantization_config} at {@code at}: a config, {@code "Disabled"}, or absent.
   */
  static Diff parseDiff(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return Diff.ABSENT;
    }
    if (node.isTextual()) {
      if (!node.asText().equals("Disabled")) {
        throw ApiException.badRequest(
            "Json deserialize error: "
                + at
                + ": unknown variant `"
                + node.asText()
                + "`, expected `Disabled` or an object with `scalar`, `product`, `binary` or `turbo`");
      }
      return new Diff(true, null);
    }
    return new Diff(false, config(node, at));
  }

  private static QuantizationConfig config(JsonNode node, String at) {
    if (!node.isObject() || node.size() != 1) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + at
              + ": expected an object with exactly one of `scalar`, `product`, `binary`, `turbo`");
    }
    String kind = node.fieldNames().next();
    JsonNode body = node.get(kind);
    String path = at + "." + kind;
    if (!body.isObject()) {
      throw ApiException.badRequest("Json deserialize error: " + path + ": expected an object");
    }
    io.quiver.storage.Memory memory =
        MemoryJson.parse(
            body,
            path,
            java.util.EnumSet.of(io.quiver.storage.Memory.CACHED, io.quiver.storage.Memory.PINNED),
            "quantized codes are always read into the heap when a segment opens: `cached` or `pinned`");
    try {
      QuantizationConfig config =
          switch (kind) {
            case "scalar" -> scalar(body, path);
            case "product" -> product(body, path);
            case "binary" -> binary(body, path);
            case "turbo" -> turbo(body, path);
            default ->
                throw ApiException.badRequest(
                    "Json deserialize error: "
                        + at
                        + ": unknown variant `"
                        + kind
                        + "`, expected one of `scalar`, `product`, `binary`, `turbo`");
          };
      return config.withMemory(memory);
    } catch (BadRequestException e) {
      throw ApiException.badRequest("Validation error in JSON body: " + e.getMessage());
    }
  }

  private static QuantizationConfig.Scalar scalar(JsonNode body, String at) {
    KnownFields.only(body, at, Set.of("type", "quantile", "always_ram", "memory"));
    JsonNode type = body.get("type");
    if (type == null || !type.isTextual()) {
      throw ApiException.badRequest("Json deserialize error: " + at + ": missing field `type`");
    }
    if (!type.asText().equals("int8")) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + at
              + ".type: unknown variant `"
              + type.asText()
              + "`, expected `int8`");
    }
    JsonNode quantile = body.get("quantile");
    Float q = null;
    if (quantile != null && !quantile.isNull()) {
      if (!quantile.isNumber() || quantile.asDouble() < 0.5 || quantile.asDouble() > 1) {
        throw ApiException.badRequest(
            "Validation error in JSON body: ["
                + at
                + ".quantile: value "
                + quantile
                + " invalid, must be from 0.5 to 1]");
      }
      q = quantile.floatValue();
    }
    return new QuantizationConfig.Scalar(q, alwaysRam(body, at));
  }

  private static QuantizationConfig.Product product(JsonNode body, String at) {
    KnownFields.only(body, at, Set.of("compression", "always_ram", "memory"));
    JsonNode compression = body.get("compression");
    if (compression == null || !compression.isTextual()) {
      throw ApiException.badRequest(
          "Json deserialize error: " + at + ": missing field `compression`");
    }
    QuantizationConfig.Compression c =
        QuantizationConfig.Compression.fromQdrantName(compression.asText());
    if (c == null) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + at
              + ".compression: unknown variant `"
              + compression.asText()
              + "`, expected one of `x4`, `x8`, `x16`, `x32`, `x64`");
    }
    return new QuantizationConfig.Product(c, alwaysRam(body, at));
  }

  private static QuantizationConfig.Binary binary(JsonNode body, String at) {
    KnownFields.only(body, at, Set.of("encoding", "query_encoding", "always_ram", "memory"));
    JsonNode encoding = body.get("encoding");
    boolean encodingGiven = encoding != null && !encoding.isNull();
    if (encodingGiven) {
      String e = encoding.isTextual() ? encoding.asText() : encoding.toString();
      if (List.of("two_bits", "one_and_half_bits").contains(e)) {
        throw unsupported(
            at + ".encoding",
            "`" + e + "` is not supported (binary codes have one bit per dimension: `one_bit`)");
      }
      if (!e.equals("one_bit")) {
        throw ApiException.badRequest(
            "Json deserialize error: "
                + at
                + ".encoding: unknown variant `"
                + e
                + "`, expected one of `one_bit`, `two_bits`, `one_and_half_bits`");
      }
    }
    JsonNode query = body.get("query_encoding");
    QuantizationConfig.BinaryQueryEncoding queryEncoding = null;
    if (query != null && !query.isNull()) {
      String q = query.isTextual() ? query.asText() : query.toString();
      if (q.equals("scalar8bits")) {
        throw unsupported(
            at + ".query_encoding",
            "`scalar8bits` is not supported (`default`, `binary` or `scalar4bits`)");
      }
      queryEncoding = QuantizationConfig.BinaryQueryEncoding.fromQdrantName(q);
      if (queryEncoding == null) {
        throw ApiException.badRequest(
            "Json deserialize error: "
                + at
                + ".query_encoding: unknown variant `"
                + q
                + "`, expected one of `default`, `binary`, `scalar4bits`, `scalar8bits`");
      }
    }
    return new QuantizationConfig.Binary(encodingGiven, queryEncoding, alwaysRam(body, at));
  }

  /**
   * Qdrant's {@code TurboQuantQuantizationConfig}: {@code bits} (nullable: 4 bits), {@code
   * always_ram}, {@code memory}.
   */
  private static QuantizationConfig.Turbo turbo(JsonNode body, String at) {
    KnownFields.only(body, at, Set.of("bits", "always_ram", "memory"));
    JsonNode bits = body.get("bits");
    io.quiver.index.quant.TurboBits b = null;
    if (bits != null && !bits.isNull()) {
      b = bits.isTextual() ? QuantizationConfig.Turbo.fromQdrantName(bits.asText()) : null;
      if (b == null) {
        throw ApiException.badRequest(
            "Json deserialize error: "
                + at
                + ".bits: unknown variant `"
                + (bits.isTextual() ? bits.asText() : bits.toString())
                + "`, expected one of `bits1`, `bits1_5`, `bits2`, `bits4`");
      }
    }
    return new QuantizationConfig.Turbo(b, alwaysRam(body, at));
  }

  private static Boolean alwaysRam(JsonNode body, String at) {
    JsonNode v = body.get("always_ram");
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw ApiException.badRequest(
          "Json deserialize error: " + at + ".always_ram: expected a boolean, got " + v);
    }
    return v.asBoolean();
  }

  /** Qdrant's output form of {@code q} (only the fields given), or JSON null. */
  static JsonNode json(ObjectMapper json, QuantizationConfig q) {
    if (q == null) {
      return json.nullNode();
    }
    ObjectNode out = json.createObjectNode();
    switch (q) {
      case QuantizationConfig.Scalar s -> {
        ObjectNode scalar = out.putObject("scalar");
        scalar.put("type", "int8");
        if (s.quantile() != null) {
          scalar.put("quantile", s.quantile());
        }
        putAlwaysRam(scalar, s.alwaysRam());
        MemoryJson.put(scalar, s.memory());
      }
      case QuantizationConfig.Product p -> {
        ObjectNode product = out.putObject("product");
        product.put("compression", p.compression().qdrantName());
        putAlwaysRam(product, p.alwaysRam());
        MemoryJson.put(product, p.memory());
      }
      case QuantizationConfig.Binary b -> {
        ObjectNode binary = out.putObject("binary");
        putAlwaysRam(binary, b.alwaysRam());
        if (b.encodingGiven()) {
          binary.put("encoding", "one_bit");
        }
        if (b.queryEncoding() != null) {
          binary.put("query_encoding", b.queryEncoding().qdrantName());
        }
        MemoryJson.put(binary, b.memory());
      }
      case QuantizationConfig.Turbo t -> {
        ObjectNode turbo = out.putObject("turbo");
        putAlwaysRam(turbo, t.alwaysRam());
        MemoryJson.put(turbo, t.memory());
        if (t.bits() != null) {
          turbo.put("bits", QuantizationConfig.Turbo.qdrantName(t.bits()));
        }
      }
    }
    return out;
  }

  private static void putAlwaysRam(ObjectNode node, Boolean alwaysRam) {
    if (alwaysRam != null) {
      node.put("always_ram", alwaysRam);
    }
  }

  private static ApiException bad(String at, String what) {
    return ApiException.badRequest("Validation error in JSON body: `" + at + "`: " + what);
  }

  private static ApiException unsupported(String at, String what) {
    return ApiException.badRequest("Wrong input: `" + at + "`: " + what);
  }
}
