package dev.gantry.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * What a storage that resolves anew at every run (a Maven snapshot) resolved for this fetch: the
 * build and the SHA-256 of its main artifact. The fetch writes it beside the bundle file it builds,
 * and the bootstrap reports it as the run's bundle instead of the digest of that generated file
 * (which differs at every build of it).
 *
 * @param build such as {@code com.acme:etl:jar:1.0-20261203.101500-3}
 * @param sha256 the SHA-256 of the build's main artifact
 */
public record ResolvedBuild(String build, String sha256) {
  private static final String SUFFIX = ".resolved";

  public ResolvedBuild {
    Objects.requireNonNull(build, "build");
    Objects.requireNonNull(sha256, "sha256");
  }

  /** Writes this beside the bundle file a fetch wrote. */
  public void writeBeside(Path bundle) throws IOException {
    Properties p = new Properties();
    p.setProperty("build", build);
    p.setProperty("sha256", sha256);
    try (OutputStream out = Files.newOutputStream(sidecar(bundle))) {
      p.store(out, "resolved by the fetch of " + bundle.getFileName());
    }
  }

  /** What the fetch of this bundle file resolved, if its storage resolves builds. */
  public static Optional<ResolvedBuild> besides(Path bundle) throws IOException {
    Path file = sidecar(bundle);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    String build = p.getProperty("build");
    String sha256 = p.getProperty("sha256");
    return build == null || sha256 == null
        ? Optional.empty()
        : Optional.of(new ResolvedBuild(build, sha256));
  }

  private static Path sidecar(Path bundle) {
    return bundle.resolveSibling(bundle.getFileName() + SUFFIX);
  }
}
