package dev.gantry.storage.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DockerDaemonImage;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Builds a flow's image with Jib (no Docker daemon is needed to build or push): the flow's jars as
 * one layer under {@value #FLOW_DIR} on top of the Gantry image, with the image's {@code gantry}
 * command replaced by one that puts them on the class path after the Gantry jar, pushed to the
 * storage's reference. The result is the image by digest, which the flow version records, so a
 * re-pushed tag never changes a registered flow.
 */
public final class FlowImageBuilder {
  /** Where the flow's jars are in the image. */
  public static final String FLOW_DIR = "/opt/gantry/flow";

  /** The Gantry image's command, which Docker's entrypoint and Kubernetes' command both run. */
  static final String COMMAND = "/usr/local/bin/gantry";

  /**
   * The command again, with the flow's jars on the class path after the Gantry jar ({@code java
   * -jar} would ignore them); GANTRY_JAVA_OPTS keeps working as in the Gantry image.
   */
  static final String SCRIPT =
      "#!/bin/sh\n"
          + "exec java ${GANTRY_JAVA_OPTS:-} -cp '/opt/gantry/gantry.jar:"
          + FLOW_DIR
          + "/*' dev.gantry.cli.Gantry \"$@\"\n";

  private final SecretLookup secrets;

  public FlowImageBuilder(SecretLookup secrets) {
    this.secrets = secrets;
  }

  /**
   * Builds and pushes the flow's image.
   *
   * @return the pushed image by digest: {@code REGISTRY/REPO@sha256:…}
   * @throws StorageException one line naming the image and what to do, when it cannot be built or
   *     pushed
   */
  public String build(OciImage storage, String flowName, List<Path> jars) {
    ImageReference target = parse(storage.reference(), "image storage");
    List<Path> scripts = new ArrayList<>();
    try {
      JibContainerBuilder builder = base(storage.effectiveBaseImage());
      FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("flow " + flowName);
      int index = 0;
      for (Path jar : jars) {
        // numbered so two dependencies with the same file name never overwrite each other
        layer.addEntry(
            jar, AbsoluteUnixPath.get(FLOW_DIR + "/" + index++ + "-" + jar.getFileName()));
      }
      Path script = Files.createTempFile("gantry-command-", ".sh");
      scripts.add(script);
      Files.writeString(script, SCRIPT);
      layer.addEntry(script, AbsoluteUnixPath.get(COMMAND), FilePermissions.fromOctalString("755"));
      builder.addFileEntriesLayer(layer.build());
      RegistryImage to = RegistryImage.named(target);
      credentials(storage, target, to);
      boolean loopback = isLoopback(target.getRegistry());
      if (loopback) {
        // A registry on this machine's loopback talks plain HTTP, as Docker allows it; Jib sends
        // credentials over HTTP only with this switch.
        System.setProperty("sendCredentialsOverHttp", "true");
      }
      JibContainer pushed =
          builder.containerize(
              Containerizer.to(to)
                  .setAllowInsecureRegistries(loopback)
                  .setToolName("gantry")
                  .setAlwaysCacheBaseImage(false));
      return target.getRegistry() + "/" + target.getRepository() + "@" + pushed.getDigest();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("building image " + storage.reference() + " was interrupted", e);
    } catch (ExecutionException e) {
      throw ImageFailure.of(storage, e.getCause() == null ? e : e.getCause());
    } catch (RegistryException | IOException | CacheDirectoryCreationException e) {
      throw ImageFailure.of(storage, e);
    } finally {
      scripts.forEach(FlowImageBuilder::deleteQuietly);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file; the system's temp cleaning takes it
    }
  }

  private static JibContainerBuilder base(String baseImage) {
    if (baseImage.startsWith(OciImage.DOCKER_PREFIX)) {
      String name = baseImage.substring(OciImage.DOCKER_PREFIX.length());
      return Jib.from(DockerDaemonImage.named(parse(name, "base image")));
    }
    return Jib.from(RegistryImage.named(parse(baseImage, "base image")));
  }

  /** The secret's login, else the registry's entry in {@code ~/.docker/config.json}. */
  private void credentials(OciImage storage, ImageReference target, RegistryImage to) {
    String secret = storage.credentialsSecret();
    if (secret == null) {
      to.addCredentialRetriever(
          CredentialRetrieverFactory.forImage(target, event -> {}).dockerConfig());
      return;
    }
    String value =
        secrets
            .find(secret)
            .orElseThrow(
                () ->
                    new StorageException(
                        "image storage "
                            + storage.reference()
                            + " pushes with secret "
                            + secret
                            + ", which is not set; set it with `gantry secret set "
                            + secret
                            + "` to {\"username\":\"…\",\"password\":\"…\"}"));
    RegistryCredentials login = RegistryCredentials.parse(secret, value);
    to.addCredential(login.username(), login.password());
  }

  static boolean isLoopback(String registry) {
    String host =
        registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1) : registry;
    int colon = host.startsWith("[") ? -1 : host.lastIndexOf(':');
    if (colon >= 0) {
      host = host.substring(0, colon);
    }
    return Set.of("127.0.0.1", "localhost", "[::1]").contains(host);
  }

  private static ImageReference parse(String reference, String what) {
    try {
      return ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      throw new StorageException(
          what + " '" + reference + "' is not an image reference; give REGISTRY/REPO:TAG", e);
    }
  }
}
