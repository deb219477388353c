package dev.gantry.flow.storage;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Bundles kept on a plain HTTP server (Prefect's Webhook storage): registration PUTs the bundle to
 * a URL, the run GETs it, each with headers whose values may come from secrets. Works with
 * Artifactory generic repositories and any server that accepts PUT. Its default label is {@value
 * #DEFAULT_LABEL}.
 *
 * <pre>{@code flow.storage(Http.url("https://repo.acme/flows/{key}")
 *     .header("Authorization", "secret:ARTIFACTORY_TOKEN"));}</pre>
 *
 * @param urlTemplate the bundle's URL; {@code {flow}}, {@code {digest}} and {@code {key}} ({@code
 *     FLOW/DIGEST.gantry}, or {@code FLOW/source.gantry} for source bundles) are replaced; a
 *     template with none of them gets {@code /{key}} appended
 * @param headers header name to value; a value {@code secret:NAME} is the secret's value
 */
public record Http(
    String urlTemplate,
    Map<String, String> headers,
    Format format,
    boolean defaultLabelsEnabled,
    Set<String> secrets)
    implements Storage {

  public static final String DEFAULT_LABEL = "http-flow-storage";

  /** The prefix of a header value that names a secret. */
  public static final String SECRET_PREFIX = "secret:";

  public Http {
    Objects.requireNonNull(urlTemplate, "urlTemplate");
    Objects.requireNonNull(format, "format");
    if (!urlTemplate.startsWith("http://") && !urlTemplate.startsWith("https://")) {
      throw new IllegalArgumentException(
          "HTTP storage URL '" + urlTemplate + "' is not an http:// or https:// URL");
    }
    if (urlTemplate.contains("#")) {
      throw new IllegalArgumentException("HTTP storage URL '" + urlTemplate + "' has a fragment");
    }
    if (format == Format.MODULE) {
      throw new IllegalArgumentException("HTTP storage stores bundles; use Module for MODULE");
    }
    headers = Map.copyOf(headers);
    Set<String> all = new LinkedHashSet<>(secrets);
    headers.values().stream()
        .filter(v -> v.startsWith(SECRET_PREFIX))
        .forEach(v -> all.add(v.substring(SECRET_PREFIX.length())));
    secrets = Set.copyOf(all);
  }

  public static Http url(String urlTemplate) {
    return new Http(urlTemplate, Map.of(), Format.SERIALIZED, true, Set.of());
  }

  /** A header sent with every request; {@code secret:NAME} sends the secret's value. */
  public Http header(String name, String value) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new Http(urlTemplate, all, format, defaultLabelsEnabled, secrets);
  }

  public Http storedAsSource() {
    return new Http(urlTemplate, headers, Format.SOURCE, defaultLabelsEnabled, secrets);
  }

  public Http withoutDefaultLabels() {
    return new Http(urlTemplate, headers, format, false, secrets);
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of(DEFAULT_LABEL);
  }
}
