package dev.gantry.kubernetes.testing;

import dev.gantry.kubernetes.ManifestYaml;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes API for tests: fabric8's mock server in CRUD mode (objects are stored, listed,
 * watched, patched and deleted as a real API server does, without controllers), plus pod logs,
 * which CRUD mode does not serve: {@code GET .../pods/NAME/log} is answered from the {@link
 * PodLogs} registered for the pod (by the pod simulator or the test).
 *
 * <p>Limitation: each log request is answered with the output that exists at that moment and the
 * response then ends, also for {@code follow=true}; a real kubelet keeps a follow stream open until
 * the container ends. The launcher reconnects and skips what it already read, so every run
 * exercises that path.
 */
public final class MockCluster implements AutoCloseable {
  private static final Pattern EVENTS_PATH =
      Pattern.compile("(/api/v1/namespaces/[^/]+/events)\\?(.*)");
  private static final Pattern LOG_PATH =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");

  /** The output of one pod, as its kubelet would serve it. */
  @FunctionalInterface
  public interface PodLogs {
    /**
     * The container's output lines so far, each {@code TIMESTAMP TEXT} with an RFC 3339 timestamp;
     * null when the container has not started.
     */
    List<String> linesWithTimestamps(String container);
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final Map<String, PodLogs> logs = new ConcurrentHashMap<>();
  private final List<String> logRequests =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<ApiCall> calls = java.util.Collections.synchronizedList(new ArrayList<>());

  /** One request the API received, and the {@value #CLIENT_HEADER} of the client that sent it. */
  public record ApiCall(String method, String path, String body, String client) {}

  /** Header naming the client of a request; see {@link #newClient(String)}. */
  public static final String CLIENT_HEADER = "X-Gantry-Test-Client";

  public MockCluster() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            // getBytes() leaves the body unread for the CRUD handlers.
            byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
            calls.add(
                new ApiCall(
                    request.getMethod(),
                    request.getPath(),
                    new String(body, StandardCharsets.UTF_8),
                    request.getHeader(CLIENT_HEADER)));
            Matcher log = LOG_PATH.matcher(request.getPath());
            if ("GET".equals(request.getMethod()) && log.matches()) {
              return podLog(log.group(1), log.group(2), log.group(3));
            }
            return crud.dispatch(withoutEventFieldSelector(request));
          }

          @Override
          public void shutdown() {
            crud.shutdown();
          }
        };
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            dispatcher,
            false);
    server.init();
    client = server.createClient();
  }

  /**
   * CRUD mode selects fields of metadata only: asked for Events with {@code
   * fieldSelector=involvedObject.kind=Job} (what the launcher asks a real API server) it would
   * match none. The selector is dropped from Event requests here, so the mock answers with every
   * Event of the namespace, a superset of what a real server sends; the launcher checks each
   * Event's involvedObject itself too.
   */
  private static RecordedRequest withoutEventFieldSelector(RecordedRequest request) {
    Matcher events = EVENTS_PATH.matcher(request.getPath());
    if (!events.matches() || !request.getPath().contains("fieldSelector=")) {
      return request;
    }
    String query =
        java.util.Arrays.stream(events.group(2).split("&"))
            .filter(p -> !p.startsWith("fieldSelector="))
            .collect(java.util.stream.Collectors.joining("&"));
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        events.group(1) + (query.isEmpty() ? "" : "?" + query),
        request.getHeaders(),
        request.getBody());
  }

  /** A client of the mock API (namespace "test" by default). */
  public KubernetesClient client() {
    return client;
  }

  /** A client of its own, whose requests {@link #calls()} attributes to {@code name}. */
  public KubernetesClient newClient(String name) {
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(
            new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
                .withCustomHeaders(Map.of(CLIENT_HEADER, name))
                .build())
        .build();
  }

  /** The API's URL, e.g. {@code http://localhost:PORT/}. */
  public String url() {
    return server.url("/");
  }

  /** Serves the output of pod {@code pod} in {@code namespace} from now on. */
  public void servePodLogs(String namespace, String pod, PodLogs podLogs) {
    logs.put(namespace + "/" + pod, podLogs);
  }

  /** Every request the API received so far. */
  public List<ApiCall> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** The paths of the log requests received so far (with their query). */
  public List<String> logRequests() {
    synchronized (logRequests) {
      return List.copyOf(logRequests);
    }
  }

  /**
   * A kubeconfig file for this API and namespace, for agents started as processes of their own
   * (environment KUBECONFIG).
   */
  public Path writeKubeconfig(Path file, String namespace) {
    String yaml =
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - name: mock",
            "    cluster:",
            "      server: " + url().replaceAll("/$", ""),
            "users:",
            "  - name: test",
            "    user:",
            "      token: test-token",
            "contexts:",
            "  - name: mock",
            "    context:",
            "      cluster: mock",
            "      user: test",
            "      namespace: " + namespace,
            "current-context: mock",
            "");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every Job, pod, Secret, ConfigMap and ServiceAccount in the namespace. */
  public List<HasMetadata> objectsIn(String namespace) {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.batch().v1().jobs().inNamespace(namespace).list().getItems());
    all.addAll(client.pods().inNamespace(namespace).list().getItems());
    all.addAll(client.secrets().inNamespace(namespace).list().getItems());
    all.addAll(client.configMaps().inNamespace(namespace).list().getItems());
    all.addAll(client.serviceAccounts().inNamespace(namespace).list().getItems());
    return all;
  }

  /** Each object of {@link #objectsIn} as YAML, keyed "Kind/name". */
  public Map<String, String> objectsAsYaml(String namespace) {
    Map<String, String> out = new LinkedHashMap<>();
    for (HasMetadata object : objectsIn(namespace)) {
      out.put(
          object.getKind() + "/" + object.getMetadata().getName(),
          ManifestYaml.write(List.of(object)));
    }
    return out;
  }

  private MockResponse podLog(String namespace, String pod, String query) {
    logRequests.add(pod + (query == null ? "" : query));
    Map<String, String> params = query(query);
    PodLogs podLogs = logs.get(namespace + "/" + pod);
    if (podLogs == null) {
      return status(404, "NotFound", "pods \"" + pod + "\" not found");
    }
    String container = params.get("container");
    List<String> lines = podLogs.linesWithTimestamps(container);
    if (lines == null) {
      return status(
          400,
          "BadRequest",
          "container \"" + container + "\" in pod \"" + pod + "\" is waiting to start");
    }
    Instant since = params.containsKey("sinceTime") ? instant(params.get("sinceTime")) : null;
    boolean timestamps = "true".equals(params.get("timestamps"));
    StringBuilder body = new StringBuilder();
    for (String line : lines) {
      int space = line.indexOf(' ');
      Instant at = space > 0 ? instant(line.substring(0, space)) : null;
      if (since != null && at != null && at.isBefore(since)) {
        continue;
      }
      body.append(timestamps || space < 0 ? line : line.substring(space + 1)).append('\n');
    }
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", "text/plain")
        .setBody(body.toString());
  }

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(
            "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"message\":"
                + Serialization.asJson(message)
                + ",\"reason\":\""
                + reason
                + "\",\"code\":"
                + code
                + "}");
  }

  private static Map<String, String> query(String query) {
    Map<String, String> params = new HashMap<>();
    if (query == null || query.length() < 2) {
      return params;
    }
    for (String pair : query.substring(1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(
            pair.substring(0, eq),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private static Instant instant(String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException lingering) {
      // Java 17's HttpClient cannot close its idle keep-alive connections, and Vert.x may wait
      // for them past the mock server's 10 s; the server has stopped accepting requests.
      org.slf4j.LoggerFactory.getLogger(MockCluster.class)
          .info("mock API server closed with connections still open: {}", lingering.getMessage());
    }
  }
}
