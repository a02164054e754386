package io.quiver.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.quiver.node.api.ServiceApi;
import io.quiver.node.config.ConfigKey;
import io.quiver.node.http.RestRoutes;
import io.quiver.node.security.AccessRule;
import io.quiver.node.security.RouteAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files in {@code deploy/} against the node's own code, so that a renamed setting,
 * port or health route breaks this test instead of a cluster: every {@code QUIVER__...} variable in
 * the Kubernetes manifests and the compose file is one the node reads ({@link ConfigKey}); the
 * ports are the node's defaults; the probes' paths are routes {@link ServiceApi} serves and {@link
 * RouteAccess} leaves open (probes carry no API key); API keys come only from Secrets and TLS files
 * from a Secret volume; the StatefulSet starts its pods in parallel behind a headless Service that
 * publishes not-ready pods (peers must resolve before they are ready) and a PodDisruptionBudget
 * that keeps a Raft majority.
 */
@Timeout(30)
class DeployManifestsTest {

  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final int HTTP_PORT = Integer.parseInt(ConfigKey.HTTP_PORT.defaultValue());
  private static final int RAFT_PORT = Integer.parseInt(ConfigKey.RAFT_PORT.defaultValue());

  private static final Map<String, List<JsonNode>> BY_KIND = new HashMap<>();
  private static JsonNode statefulSet;
  private static JsonNode container;
  private static Map<String, JsonNode> env;

  @BeforeAll
  static void parseManifests() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(DEPLOY.resolve("k8s"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no manifests in " + DEPLOY.resolve("k8s"));
    for (Path file : files) {
      for (JsonNode doc : documents(file)) {
        assertTrue(
            doc.hasNonNull("apiVersion")
                && doc.hasNonNull("kind")
                && doc.path("metadata").hasNonNull("name"),
            file + ": a document without apiVersion, kind or metadata.name: " + doc);
        BY_KIND.computeIfAbsent(doc.get("kind").asText(), k -> new ArrayList<>()).add(doc);
      }
    }
    statefulSet = only("StatefulSet");
    JsonNode containers = statefulSet.at("/spec/template/spec/containers");
    assertEquals(1, containers.size(), "one container per pod");
    container = containers.get(0);
    env = new HashMap<>();
    container.get("env").forEach(e -> env.put(e.get("name").asText(), e));
  }

  @Test
  void statefulSetStartsItsPodsTogetherBehindTheHeadlessService() {
    assertEquals(
        "Parallel",
        statefulSet.at("/spec/podManagementPolicy").asText(),
        "operators start nodes together; OrderedReady would wait for quiver-0 to be ready, which needs its peers");
    JsonNode headless = service(statefulSet.at("/spec/serviceName").asText());
    assertEquals(
        "None", headless.at("/spec/clusterIP").asText(), "the StatefulSet's service is headless");
    assertTrue(
        headless.at("/spec/publishNotReadyAddresses").asBoolean(),
        "peers resolve each other's names before they are ready (readiness needs the cluster formed)");
    JsonNode podLabels = statefulSet.at("/spec/template/metadata/labels");
    assertSelects(statefulSet.at("/spec/selector/matchLabels"), podLabels, "StatefulSet selector");
    for (JsonNode s : BY_KIND.get("Service")) {
      assertSelects(
          s.at("/spec/selector"), podLabels, "Service " + s.at("/metadata/name").asText());
    }
    assertTrue(
        statefulSet.at("/spec/replicas").asInt() >= 3,
        "at least 3 replicas: replication factor 3 and a Raft majority");
  }

  @Test
  void portsAreTheNodesOwn() {
    Map<String, Integer> ports = new HashMap<>();
    container
        .get("ports")
        .forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
    assertEquals(
        Map.of("http", HTTP_PORT, "raft", RAFT_PORT),
        ports,
        ConfigKey.HTTP_PORT.key() + " and " + ConfigKey.RAFT_PORT.key());
    JsonNode headless = service(statefulSet.at("/spec/serviceName").asText());
    Map<String, Integer> exposed = new HashMap<>();
    headless
        .at("/spec/ports")
        .forEach(
            p -> {
              assertTrue(
                  ports.containsKey(p.get("targetPort").asText()),
                  "headless port targets a container port: " + p);
              exposed.put(p.get("name").asText(), p.get("port").asInt());
            });
    assertEquals(ports, exposed, "the headless Service exposes REST and Raft on the same ports");
    for (JsonNode s : BY_KIND.get("Service")) {
      s.at("/spec/ports")
          .forEach(
              p ->
                  assertTrue(
                      ports.containsKey(p.get("targetPort").asText()),
                      s.at("/metadata/name").asText() + " targets a named container port: " + p));
    }
  }

  @Test
  void probesUseTheNodesOpenHealthRoutes() {
    RestRoutes routes = new RestRoutes();
    new ServiceApi(() -> null).register(routes);
    boolean tls = "true".equals(value(ConfigKey.ENABLE_TLS));
    Map<String, String> expected = Map.of("readinessProbe", "/readyz", "livenessProbe", "/livez");
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      JsonNode get = container.path(probe).path("httpGet");
      if (probe.equals("startupProbe") && get.isMissingNode()) {
        continue;
      }
      String path = get.path("path").asText();
      if (expected.containsKey(probe)) {
        assertEquals(expected.get(probe), path, probe);
      }
      List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
      RestRoutes.Match match = routes.find("GET", segments, new boolean[1]);
      assertNotNull(match, probe + " " + path + " is not a route the node serves");
      assertEquals(
          AccessRule.Level.OPEN,
          RouteAccess.of("GET", match.template()).level(),
          probe + " " + path + " needs an API key, which probes do not send");
      assertEquals("http", get.path("port").asText(), probe + " port");
      assertEquals(
          tls ? "HTTPS" : "HTTP",
          get.path("scheme").asText("HTTP"),
          probe + " scheme, with " + ConfigKey.ENABLE_TLS.environmentVariable() + "=" + tls);
    }
  }

  @Test
  void everyQuiverVariableIsASettingOfTheNode() throws IOException {
    Set<String> known = new TreeSet<>();
    for (ConfigKey k : ConfigKey.values()) {
      known.add(k.environmentVariable());
    }
    for (String name : env.keySet()) {
      if (name.startsWith("QUIVER__")) {
        assertTrue(
            known.contains(name),
            "statefulset: " + name + " is no setting of the node; known: " + known);
      }
    }
    // SnakeYAML (under Jackson's YAML module) resolves the compose file's anchors and merge keys.
    Map<String, Object> compose;
    try (var in = Files.newBufferedReader(DEPLOY.resolve("docker-compose.yml"))) {
      compose = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    }
    int checked = 0;
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) compose.get("services");
    for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
      assertTrue(
          service.getValue().get("environment") instanceof Map,
          "docker-compose service " + service.getKey() + " has an environment map");
      for (Object name : ((Map<?, ?>) service.getValue().get("environment")).keySet()) {
        if (name.toString().startsWith("QUIVER__")) {
          assertTrue(
              known.contains(name.toString()),
              "docker-compose " + service.getKey() + ": " + name + " is no setting of the node");
          checked++;
        }
      }
    }
    assertTrue(
        checked >= 3 * 4,
        "every compose node gets its address, bootstrap peer and keys through QUIVER__ variables: "
            + checked);
  }

  @Test
  void clusterAddressesUseTheHeadlessNamesAndTheRaftPort() {
    String headless = statefulSet.at("/spec/serviceName").asText();
    String name = statefulSet.at("/metadata/name").asText();
    assertEquals(
        "http://$(POD_NAME)." + headless + ":" + RAFT_PORT,
        value(ConfigKey.RAFT_URI),
        "each pod is reached at its own name under the headless Service");
    assertEquals("metadata.name", env.get("POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText());
    assertEquals(
        "http://" + name + "-0." + headless + ":" + RAFT_PORT,
        value(ConfigKey.BOOTSTRAP),
        "every pod bootstraps through pod 0, which then starts the cluster itself");
  }

  @Test
  void apiKeysComeFromSecretsAndTlsFilesFromASecretVolume() {
    for (ConfigKey key : List.of(ConfigKey.API_KEY, ConfigKey.READ_ONLY_API_KEY)) {
      JsonNode e = env.get(key.environmentVariable());
      assertNotNull(e, key.environmentVariable() + " is set");
      assertFalse(
          e.has("value"), key.environmentVariable() + " must not be written in the manifest");
      assertTrue(
          e.at("/valueFrom/secretKeyRef/name").isTextual(),
          key.environmentVariable() + " comes from a Secret");
    }
    assertEquals("true", value(ConfigKey.ENABLE_TLS), "REST over TLS");
    assertEquals(
        "true", value(ConfigKey.P2P_ENABLE_TLS), "mutual TLS between the nodes' Raft ports");
    Map<String, String> secretVolumes = new HashMap<>();
    statefulSet
        .at("/spec/template/spec/volumes")
        .forEach(
            v -> {
              if (v.has("secret")) {
                secretVolumes.put(v.get("name").asText(), v.at("/secret/secretName").asText());
              }
            });
    Map<String, String> mounts = new HashMap<>();
    container
        .get("volumeMounts")
        .forEach(m -> mounts.put(m.get("mountPath").asText(), m.get("name").asText()));
    for (ConfigKey file : List.of(ConfigKey.TLS_CERT, ConfigKey.TLS_KEY, ConfigKey.TLS_CA_CERT)) {
      Path path = Path.of(value(file));
      String volume = mounts.get(path.getParent().toString());
      assertNotNull(volume, file.key() + " " + path + " is in a mounted directory");
      assertTrue(
          secretVolumes.containsKey(volume), file.key() + " " + path + " is in a Secret volume");
    }
    String data =
        mounts.entrySet().stream()
            .filter(m -> !secretVolumes.containsKey(m.getValue()))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(null);
    assertNotNull(data, "a data volume");
    assertTrue(
        Path.of(value(ConfigKey.STORAGE_PATH)).startsWith(data),
        ConfigKey.STORAGE_PATH.key() + " is on the data volume " + data);
    Set<String> claims = new TreeSet<>();
    statefulSet
        .at("/spec/volumeClaimTemplates")
        .forEach(c -> claims.add(c.at("/metadata/name").asText()));
    assertTrue(
        claims.contains(mounts.get(data)), "the data volume is a persistent volume claim per pod");
  }

  @Test
  void disruptionBudgetKeepsAMajority() {
    JsonNode pdb = only("PodDisruptionBudget");
    assertSelects(
        pdb.at("/spec/selector/matchLabels"),
        statefulSet.at("/spec/template/metadata/labels"),
        "PodDisruptionBudget");
    int replicas = statefulSet.at("/spec/replicas").asInt();
    int down = pdb.at("/spec/maxUnavailable").asInt(-1);
    assertTrue(
        down >= 1 && replicas - down > replicas / 2,
        "maxUnavailable " + down + " of " + replicas + " keeps a majority");
  }

  private static String value(ConfigKey key) {
    JsonNode e = env.get(key.environmentVariable());
    assertNotNull(e, key.environmentVariable() + " is set in the StatefulSet");
    return e.get("value").asText();
  }

  private static JsonNode only(String kind) {
    List<JsonNode> docs = BY_KIND.getOrDefault(kind, List.of());
    assertEquals(1, docs.size(), "one " + kind + " in deploy/k8s");
    return docs.get(0);
  }

  private static JsonNode service(String name) {
    for (JsonNode s : BY_KIND.getOrDefault("Service", List.of())) {
      if (s.at("/metadata/name").asText().equals(name)) {
        return s;
      }
    }
    return fail("no Service named " + name);
  }

  private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
    assertTrue(selector.isObject() && selector.size() > 0, what + " has a selector");
    selector
        .fields()
        .forEachRemaining(
            e ->
                assertEquals(
                    e.getValue().asText(),
                    labels.path(e.getKey()).asText(null),
                    what + " selects the pods' label " + e.getKey()));
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
      for (Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        JsonNode doc = it.next();
        if (doc instanceof ObjectNode) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }
}
