package dev.gantry.server.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.flow.GantryVersion;
import dev.gantry.server.json.Json;
import dev.gantry.server.json.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One server's base URL and token, and the HTTP calls to it: JSON in and out with the server's own
 * mapping, problem details turned into {@link ApiProblem} (the request was refused) or {@link
 * GantryApiException} (the token, the connection or the server failed). The token goes into the
 * Authorization header and nowhere else: no message, log line or {@link #toString()} has it.
 */
final class ApiConnection {
  static final String EVENT_STREAM = "text/event-stream";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  /** The server's mapping, lenient only about fields a newer server may add. */
  private static final ObjectMapper MAPPER =
      Json.mapper().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final URI base;
  private final String token;
  private final HttpClient http;

  ApiConnection(String url, String token) {
    this.base = base(url);
    this.token = checkToken(token);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The server's URL without a trailing slash, as users gave it: for messages. */
  String url() {
    return base.toString();
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }

  private static URI base(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "no Gantry server URL; set GANTRY_API_URL or --api, e.g. http://127.0.0.1:8420");
    }
    String trimmed = url.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = new URI(trimmed);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new URISyntaxException(trimmed, "not http(s)://HOST[:PORT]");
      }
      if (uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
        throw new URISyntaxException(trimmed, "has user info or a query");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "the Gantry server URL '"
              + trimmed
              + "' is not an http(s)://HOST[:PORT] address; fix GANTRY_API_URL or --api");
    }
  }

  private static String checkToken(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException(
          "no API token for the Gantry server; set GANTRY_API_TOKEN or --token (an admin creates"
              + " one with `gantry token create NAME --role operator`)");
    }
    String trimmed = token.strip();
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c <= ' ' || c > '~') {
        // Never echo the value: it may be a real token with a stray character.
        throw new IllegalArgumentException(
            "the API token has a character no token has (a space, line break or non-ASCII);"
                + " copy it again into GANTRY_API_TOKEN or --token");
      }
    }
    return trimmed;
  }

  /** {@code /a/b} from segments, each encoded: names may hold any character. */
  static String path(String... segments) {
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      path.append('/').append(encode(segment));
    }
    return path.toString();
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  <T> T get(String path, TypeReference<T> type) {
    return read(call("GET", path, HttpRequest.BodyPublishers.noBody(), null, CALL_TIMEOUT), type);
  }

  <T> T send(String method, String path, Object body, TypeReference<T> type) {
    return read(call(method, path, json(body), "application/json", CALL_TIMEOUT), type);
  }

  /** A call whose answer has no body (204). */
  void send(String method, String path, Object body) {
    call(
        method,
        path,
        body == null ? HttpRequest.BodyPublishers.noBody() : json(body),
        body == null ? null : "application/json",
        CALL_TIMEOUT);
  }

  /** A call with a prepared body, e.g. multipart; {@code timeout} for large uploads. */
  <T> T send(
      String method,
      String path,
      HttpRequest.BodyPublisher body,
      String contentType,
      Duration timeout,
      TypeReference<T> type) {
    return read(call(method, path, body, contentType, timeout), type);
  }

  /** Opens an event stream; the caller reads and closes the body. */
  HttpResponse<InputStream> events(String path, String lastEventId) {
    HttpRequest.Builder request =
        request(path).header("Accept", EVENT_STREAM).GET(); // no timeout: the stream stays open
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response = exchange(request.build(), "GET", path);
    if (response.statusCode() >= 300) {
      try (InputStream body = response.body()) {
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        throw failure(response.statusCode(), response, text, "GET", path);
      } catch (IOException e) {
        throw unreachable("GET", path, e);
      }
    }
    return response;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + "/api/v1" + path))
        .header("Authorization", "Bearer " + token)
        .header("User-Agent", "gantry/" + GantryVersion.current());
  }

  private HttpRequest.BodyPublisher json(Object body) {
    try {
      return HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the request as JSON: " + e.getMessage(), e);
    }
  }

  private HttpResponse<String> call(
      String method,
      String path,
      HttpRequest.BodyPublisher body,
      String contentType,
      Duration timeout) {
    HttpRequest.Builder request =
        request(path).timeout(timeout).header("Accept", "application/json").method(method, body);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(method, path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GantryApiException("interrupted while calling " + url(), e);
    }
    if (response.statusCode() >= 300) {
      throw failure(response.statusCode(), response, response.body(), method, path);
    }
    return response;
  }

  private HttpResponse<InputStream> exchange(HttpRequest request, String method, String path) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(method, path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GantryApiException("interrupted while calling " + url(), e);
    }
  }

  private <T> T read(HttpResponse<String> response, TypeReference<T> type) {
    try {
      return MAPPER.readValue(response.body(), type);
    } catch (JsonProcessingException e) {
      throw new GantryApiException(
          response.statusCode(),
          "the server at "
              + url()
              + " answered "
              + response.request().method()
              + " "
              + response.uri().getPath()
              + " with JSON this client does not read; are the client and server the same"
              + " Gantry version?");
    }
  }

  /** The exception for an answer that is not a success. */
  private RuntimeException failure(
      int status, HttpResponse<?> response, String body, String method, String path) {
    String detail = problemDetail(response, body);
    if (status == 401) {
      return new GantryApiException(
          401,
          "the Gantry server at "
              + url()
              + " refused the token ("
              + (detail == null ? "401 Unauthorized" : detail)
              + "); set GANTRY_API_TOKEN or --token to a valid token");
    }
    if (status == 403) {
      return new GantryApiException(
          403,
          (detail == null ? "the token may not call " + method + " " + path : detail)
              + "; use a token with that role (GANTRY_API_TOKEN or --token)");
    }
    if (detail == null) {
      return new GantryApiException(
          status,
          "the server at "
              + url()
              + " answered "
              + status
              + " to "
              + method
              + " /api/v1"
              + path
              + " without a problem detail; is GANTRY_API_URL a Gantry server?");
    }
    if (status >= 500 || status == 429) {
      return new GantryApiException(status, detail);
    }
    return new ApiProblem(status, detail);
  }

  private static String problemDetail(HttpResponse<?> response, String body) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (!type.startsWith(Problem.CONTENT_TYPE) || body == null) {
      return null;
    }
    try {
      Problem problem = MAPPER.readValue(body, Problem.class);
      return problem.detail() == null || problem.detail().isBlank() ? null : problem.detail();
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  GantryApiException unreachable(String method, String path, IOException e) {
    String why;
    if (e instanceof HttpConnectTimeoutException) {
      why = "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s";
    } else if (e instanceof HttpTimeoutException) {
      why = method + " /api/v1" + path + " had no answer in time";
    } else if (e instanceof ConnectException || hasCause(e, ConnectException.class)) {
      why = hasCause(e, UnresolvedAddressException.class) ? "unknown host" : "connection refused";
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new GantryApiException(
        "cannot reach the Gantry server at "
            + url()
            + " ("
            + why
            + "); start it with `gantry server start` or fix GANTRY_API_URL / --api",
        e);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "ApiConnection[" + url() + "]";
  }
}
