package dev.gantry.storage.maven;

import dev.gantry.storage.StorageException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a Maven-stored flow lives, complete enough for the bootstrap: {@code
 * maven:GROUP:ARTIFACT:VERSION?repo=URL&factory=CLASS%23METHOD[&credentials=SECRET][&sha256=...]}.
 * A release carries the SHA-256 of every resolved artifact ({@code ARTIFACT_ID=HEX;...}, frozen at
 * registration); a snapshot carries none, as it is resolved anew at every run.
 *
 * @param frozen artifact (GROUP:ARTIFACT:EXTENSION:VERSION) to SHA-256; empty for a snapshot
 */
public record MavenLocation(
    String coordinate,
    String repository,
    String factory,
    String credentialsSecret,
    Map<String, String> frozen) {
  public static final String SCHEME = "maven";
  private static final int MAX_LENGTH = 4000; // the catalog's location column

  public MavenLocation {
    frozen = Map.copyOf(new TreeMap<>(frozen));
  }

  public boolean snapshot() {
    return coordinate.endsWith("-SNAPSHOT");
  }

  /** For messages: the coordinate and the repository, no query. */
  public String describe() {
    return SCHEME + ":" + coordinate + " in " + repository;
  }

  public String toUri() {
    StringBuilder uri = new StringBuilder(SCHEME + ":" + coordinate);
    uri.append("?repo=").append(encode(repository));
    uri.append("&factory=").append(encode(factory));
    if (credentialsSecret != null) {
      uri.append("&credentials=").append(encode(credentialsSecret));
    }
    if (!frozen.isEmpty()) {
      StringBuilder list = new StringBuilder();
      new TreeMap<>(frozen)
          .forEach(
              (artifact, sha) ->
                  list.append(list.length() == 0 ? "" : ";").append(artifact + "=" + sha));
      uri.append("&sha256=").append(encode(list.toString()));
    }
    if (uri.length() > MAX_LENGTH) {
      throw new StorageException(
          describe()
              + " resolves to "
              + frozen.size()
              + " artifacts, too many to freeze in one location; shade the flow's dependencies"
              + " into one jar");
    }
    return uri.toString();
  }

  /**
   * @throws StorageException naming the location when it is not one
   */
  public static MavenLocation parse(String location) {
    if (location == null || !location.startsWith(SCHEME + ":") || !location.contains("?")) {
      throw bad(location, "it is not maven:GROUP:ARTIFACT:VERSION?repo=...&factory=...");
    }
    int query = location.indexOf('?');
    String coordinate = location.substring(SCHEME.length() + 1, query);
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : location.substring(query + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(
            pair.substring(0, eq),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    if (!params.containsKey("repo") || !params.containsKey("factory")) {
      throw bad(location, "it names no repo or no factory");
    }
    Map<String, String> frozen = new TreeMap<>();
    String list = params.get("sha256");
    if (list != null) {
      for (String entry : list.split(";")) {
        int eq = entry.lastIndexOf('=');
        if (eq <= 0) {
          throw bad(location, "its sha256 list is malformed");
        }
        frozen.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    MavenLocation parsed =
        new MavenLocation(
            coordinate,
            params.get("repo"),
            params.get("factory"),
            params.get("credentials"),
            frozen);
    if (!parsed.snapshot() && frozen.isEmpty()) {
      throw bad(location, "a release location must carry the SHA-256 frozen at registration");
    }
    return parsed;
  }

  private static StorageException bad(String location, String why) {
    return new StorageException(
        "bundle location "
            + location
            + " is not a Maven location ("
            + why
            + "); register the flow again");
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
