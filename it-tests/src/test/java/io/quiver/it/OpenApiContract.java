package io.quiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Qdrant's REST API contract, read at test time from the shared directory (never copied into this
 * repository), used to check that real response bodies of a node match it.
 *
 * <p>Two files are read: {@code openapi.json} (current) and {@code openapi-1.16.json}, which still
 * describes the older endpoints (points/search, recommend, discover and their batch and groups
 * forms). An operation is looked up in {@code openapi.json} first.
 *
 * <p>OpenAPI 3.0 schemas are rewritten as JSON Schema 2020-12 before validation:
 *
 * <ul>
 *   <li>{@code nullable: true} beside a plain {@code type} T becomes {@code type: [T, "null"]};
 *       alone (Qdrant's {@code anyOf: [{$ref: X}, {nullable: true}]} for an optional X) it becomes
 *       {@code type: "null"}, so that branch admits null and nothing else; beside {@code $ref},
 *       {@code anyOf}, {@code oneOf}, {@code allOf} or {@code enum} the schema becomes {@code
 *       anyOf: [{type: "null"}, <schema>]}.
 *   <li>{@code $ref: "#/components/schemas/X"} becomes {@code "#/$defs/X"}, with all component
 *       schemas of the same file under {@code $defs}.
 *   <li>{@code format} is asserted only for {@code uuid}. The others are Rust type hints (uint,
 *       uint64, float, double, ...) or looser than JSON Schema's meaning (Qdrant's date-time has no
 *       zone), so they are dropped; ranges such as {@code minimum: 0} stay.
 *   <li>{@code example} is dropped.
 * </ul>
 *
 * <p>Where the files are: system property {@code quiver.openapi} (the build passes {@code
 * ../shared/qdrant-api} beside the clone unless {@code -Dquiver.openapi=DIR} says otherwise). A
 * plain clone has no such directory. Then {@link #load()} gives a contract that checks nothing and
 * records each check it skips: {@link SkippedSchemaChecks} reports the test as skipped (a JUnit
 * assumption), naming the checks, after its other assertions ran; and {@link #require} aborts a
 * test that is about the spec itself at once. With the environment variable {@code CI=true} an
 * absent spec fails instead: CI never passes without the checks.
 *
 * <p>Thread-safe. The specs are read once per JVM; a schema is compiled on first use per operation
 * and status, then cached.
 */
public final class OpenApiContract {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SPEC_FILES = List.of("openapi.json", "openapi-1.16.json");
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final String COMPONENT_REF = "#/components/schemas/";
  private static final Set<String> ASSERTED_FORMATS = Set.of("uuid");

  /** Keywords that constrain nothing: a nullable schema made only of these admits only null. */
  private static final Set<String> ANNOTATIONS =
      Set.of("description", "title", "default", "deprecated");

  /** Keywords beside which {@code type: [T, "null"]} would not be enough to admit null. */
  private static final Set<String> NULL_BLOCKING =
      Set.of("$ref", "anyOf", "oneOf", "allOf", "enum", "not");

  private static final int BODY_CHARS_MAX = 2_000;

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder()
          .pathType(PathType.JSON_POINTER)
          .formatAssertionsEnabled(true)
          .build();

  private static OpenApiContract loaded;

  private record Spec(String file, JsonNode paths, ObjectNode defs) {}

  private record Compiled(String file, JsonSchema schema) {}

  private final List<Spec> specs;

  /** Why there are no specs (the spec files are absent), or null when they were read. */
  private final String absence;

  private final Set<String> operations;
  private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

  private OpenApiContract(List<Spec> specs, String absence) {
    this.specs = specs;
    this.absence = absence;
    Set<String> all = new TreeSet<>();
    for (Spec spec : specs) {
      for (var path : spec.paths().properties()) {
        for (String method : names(path.getValue())) {
          if (HTTP_METHODS.contains(method)) {
            all.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
          }
        }
      }
    }
    this.operations = Set.copyOf(all);
  }

  /**
   * The contract read from the directory in system property {@code quiver.openapi} (set by surefire
   * and failsafe), else from {@code <basedir>/../../shared/qdrant-api}. Read once, then cached.
   * When that directory is absent (a plain clone), a contract whose {@link #assertValid} skips and
   * records every check (see the class comment).
   *
   * @throws AssertionError if the directory is absent and the environment has {@code CI=true}
   * @throws UncheckedIOException if the directory is there but a spec file is missing or not JSON
   */
  public static synchronized OpenApiContract load() {
    if (loaded == null) {
      Path dir = specDir();
      if (Files.isDirectory(dir)) {
        loaded = read(dir);
      } else {
        String absence =
            "Qdrant's OpenAPI spec is not at "
                + dir
                + " (put Qdrant's openapi.json and openapi-1.16.json in ../shared/qdrant-api beside the clone,"
                + " or pass -Dquiver.openapi=DIR)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          throw new AssertionError(
              absence + "; CI=true: a missing spec is a failure, never a skip");
        }
        System.err.println("WARNING: " + absence + ": every response-schema check is SKIPPED");
        loaded = new OpenApiContract(List.of(), absence);
      }
    }
    return loaded;
  }

  /**
   * The contract, for a test that is about the spec itself ({@code what} names it): when the spec
   * is absent the test is aborted at once (a JUnit assumption, reported as skipped with the
   * reason), or fails under {@code CI=true} (see {@link #load()}).
   */
  public static OpenApiContract require(String what) {
    OpenApiContract contract = load();
    Assumptions.assumeTrue(
        contract.absence == null, () -> "SKIPPED " + what + ": " + contract.absence);
    return contract;
  }

  /** Why the spec is absent, or null when it was read. */
  String absence() {
    return absence;
  }

  /** Every operation of both files, as {@code "PUT /collections/{collection_name}"}. */
  public Set<String> operations() {
    return operations;
  }

  /** Whether either file has this operation; {@code method} is case-insensitive. */
  public boolean hasOperation(String method, String pathTemplate) {
    return specWith(method, pathTemplate).isPresent();
  }

  /**
   * Checks {@code body} against the JSON response schema of the operation for {@code status}: the
   * exact code if the spec lists it, else its class ({@code "4XX"}), else {@code "default"}.
   *
   * @param method HTTP method, case-insensitive
   * @param pathTemplate the spec's path key, e.g. {@code "/collections/{collection_name}/points"}
   * @throws IllegalArgumentException if neither file has the operation
   * @throws AssertionError listing every violation with a JSON pointer into {@code body}; also when
   *     the spec has no response for {@code status} or declares no JSON body for it
   */
  public void assertValid(String method, String pathTemplate, int status, JsonNode body) {
    Objects.requireNonNull(body, "body");
    String operation = method.toUpperCase(Locale.ROOT) + " " + pathTemplate;
    if (absence != null) {
      SkippedSchemaChecks.record(operation + " -> " + status);
      return;
    }
    Compiled contract =
        compiled.computeIfAbsent(
            operation + " " + status, key -> compile(operation, method, pathTemplate, status));
    Set<ValidationMessage> violations = contract.schema().validate(body);
    if (!violations.isEmpty()) {
      throw new AssertionError(report(operation, status, contract.file(), violations, body));
    }
  }

  /** The directory the spec files are read from (see {@link #load()}). */
  static Path specDir() {
    String dir = System.getProperty("quiver.openapi");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir).toAbsolutePath().normalize();
    }
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    return Path.of(basedir, "..", "..", "shared", "qdrant-api").normalize();
  }

  private static OpenApiContract read(Path dir) {
    List<Spec> specs = new ArrayList<>();
    for (String file : SPEC_FILES) {
      JsonNode root;
      try {
        root = JSON.readTree(dir.resolve(file).toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read Qdrant's spec "
                + dir.resolve(file)
                + " (set -Dquiver.openapi to its directory)",
            e);
      }
      ObjectNode defs = JSON.createObjectNode();
      for (var schema : root.path("components").path("schemas").properties()) {
        defs.set(schema.getKey(), toJsonSchema(schema.getValue()));
      }
      specs.add(new Spec(file, root.path("paths"), defs));
    }
    return new OpenApiContract(List.copyOf(specs), null);
  }

  private Optional<Spec> specWith(String method, String pathTemplate) {
    String key = method.toLowerCase(Locale.ROOT);
    return specs.stream().filter(s -> s.paths().path(pathTemplate).has(key)).findFirst();
  }

  private Compiled compile(String operation, String method, String pathTemplate, int status) {
    Spec spec =
        specWith(method, pathTemplate)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no operation " + operation + " in " + SPEC_FILES));
    JsonNode responses =
        spec.paths().path(pathTemplate).path(method.toLowerCase(Locale.ROOT)).path("responses");
    JsonNode response = responseFor(responses, status);
    if (response == null) {
      throw new AssertionError(
          operation
              + " -> "
              + status
              + ": "
              + spec.file()
              + " lists only responses "
              + names(responses));
    }
    JsonNode schema = response.path("content").path("application/json").path("schema");
    if (!schema.isObject()) {
      throw new AssertionError(
          operation + " -> " + status + ": " + spec.file() + " declares no JSON body for it");
    }
    ObjectNode document = (ObjectNode) toJsonSchema(schema);
    document.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    document.set("$defs", spec.defs());
    return new Compiled(spec.file(), FACTORY.getSchema(document, CONFIG));
  }

  private static JsonNode responseFor(JsonNode responses, int status) {
    for (String key : List.of(Integer.toString(status), status / 100 + "XX", "default")) {
      if (responses.has(key)) {
        return responses.get(key);
      }
    }
    return null;
  }

  /** Rewrites one OpenAPI 3.0 schema (and the schemas inside it) as JSON Schema 2020-12. */
  static JsonNode toJsonSchema(JsonNode schema) {
    if (!schema.isObject()) {
      return schema; // a boolean schema, e.g. additionalProperties: true
    }
    ObjectNode out = JSON.createObjectNode();
    for (var field : schema.properties()) {
      String keyword = field.getKey();
      JsonNode value = field.getValue();
      switch (keyword) {
        case "nullable", "example" -> {}
        case "format" -> {
          if (ASSERTED_FORMATS.contains(value.asText())) {
            out.set(keyword, value);
          }
        }
        case "$ref" -> out.put(keyword, localRef(value.asText()));
        case "properties" -> {
          ObjectNode properties = out.putObject(keyword);
          value.properties().forEach(p -> properties.set(p.getKey(), toJsonSchema(p.getValue())));
        }
        case "anyOf", "oneOf", "allOf" -> {
          var branches = out.putArray(keyword);
          value.forEach(branch -> branches.add(toJsonSchema(branch)));
        }
        case "items", "additionalProperties", "not" -> out.set(keyword, toJsonSchema(value));
        default -> out.set(keyword, value);
      }
    }
    return schema.path("nullable").asBoolean(false) ? permitNull(out) : out;
  }

  private static String localRef(String ref) {
    if (!ref.startsWith(COMPONENT_REF)) {
      throw new IllegalStateException("unsupported $ref " + ref + ": only " + COMPONENT_REF + "*");
    }
    return "#/$defs/" + ref.substring(COMPONENT_REF.length());
  }

  /** See the class javadoc: the three shapes of {@code nullable: true}. */
  private static ObjectNode permitNull(ObjectNode schema) {
    Set<String> constraints = new HashSet<>(names(schema));
    constraints.removeAll(ANNOTATIONS);
    if (constraints.isEmpty()) {
      return schema.put("type", "null");
    }
    JsonNode type = schema.get("type");
    boolean plainType =
        type != null && type.isTextual() && constraints.stream().noneMatch(NULL_BLOCKING::contains);
    if (plainType) {
      schema.putArray("type").add(type.asText()).add("null");
      return schema;
    }
    ObjectNode either = JSON.createObjectNode();
    either.putArray("anyOf").add(JSON.createObjectNode().put("type", "null")).add(schema);
    return either;
  }

  private static List<String> names(JsonNode object) {
    return object.properties().stream().map(Map.Entry::getKey).toList();
  }

  private static String report(
      String operation, int status, String file, Set<ValidationMessage> violations, JsonNode body) {
    StringBuilder out =
        new StringBuilder()
            .append(operation)
            .append(" -> ")
            .append(status)
            .append(": body violates ")
            .append(file)
            .append(" in ")
            .append(violations.size())
            .append(" place(s):");
    for (ValidationMessage violation : violations) {
      out.append("\n  \"")
          .append(violation.getInstanceLocation())
          .append("\": ")
          .append(violation.getError());
    }
    String text = body.toString();
    out.append("\nbody: ")
        .append(
            text.length() <= BODY_CHARS_MAX
                ? text
                : text.substring(0, BODY_CHARS_MAX) + "... (" + text.length() + " chars)");
    return out.toString();
  }
}
