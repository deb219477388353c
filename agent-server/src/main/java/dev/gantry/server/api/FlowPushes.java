package dev.gantry.server.api;

import static dev.gantry.server.http.ApiRoutes.API;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.client.GantryClient;
import dev.gantry.registration.BundlePushRequest;
import dev.gantry.registration.RegistrationException;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.server.http.ApiRoute.Method;
import dev.gantry.server.http.BearerAuth;
import dev.gantry.server.http.Bodies;
import dev.gantry.server.http.RequestBody;
import dev.gantry.server.json.RunDtos;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code POST /api/v1/flows/{name}/push}: replaces the source bundle of a flow's newest version in
 * place from a multipart/form-data upload, one {@code jar} part per jar (the factory's first) and
 * an optional {@code push} part, the JSON of {@link RunDtos.PushSettings}. The push is recorded as
 * made by the caller's token. {@code GET /api/v1/flows/{name}/pushes} lists the pushes.
 */
public final class FlowPushes {
  public static final String SETTINGS_PART = "push";
  public static final String JAR_PART = "jar";

  /** Where Jetty finds the multipart settings of a request (Jetty's servlet attribute). */
  private static final String MULTIPART_CONFIG = "org.eclipse.jetty.multipartConfig";

  private static final int IN_MEMORY_PART = 64 * 1024;

  private final GantryClient gantry;
  private final long maxUploadBytes;
  private final long maxJsonBytes;

  public FlowPushes(GantryClient gantry, long maxUploadBytes, long maxJsonBytes) {
    this.gantry = gantry;
    this.maxUploadBytes = maxUploadBytes;
    this.maxJsonBytes = maxJsonBytes;
  }

  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.change(
                Method.POST,
                API + "/flows/{name}/push",
                Role.DEPLOYER,
                "flow.push",
                "Replace the source bundle of a flow's newest version in place (multipart: jar"
                    + " parts, an optional push part), with no new version",
                this::push)
            .withBody(body()),
        ApiRoute.read(
            API + "/flows/{name}/pushes",
            Role.VIEWER,
            "The pushes to every version of a flow, newest first",
            this::pushes));
  }

  private static RequestBody body() {
    ObjectNode jars = JsonNodeFactory.instance.objectNode();
    jars.put("type", "array")
        .put("description", "the flow's jars, the factory's first")
        .putObject("items")
        .put("type", "string")
        .put("contentMediaType", "application/java-archive");
    Map<String, ObjectNode> parts = new LinkedHashMap<>();
    parts.put(SETTINGS_PART, RequestBody.json(RunDtos.PushSettings.class).schema());
    parts.put(JAR_PART, jars);
    return RequestBody.multipart(parts, JAR_PART);
  }

  private void pushes(Context ctx) {
    ctx.json(gantry.pushes(ctx.pathParam("name")).stream().map(RunDtos.PushView::of).toList());
  }

  private void push(Context ctx) {
    String name = ctx.pathParam("name");
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new ApiException(
          415,
          "Unsupported Media Type",
          "POST /api/v1/flows/{name}/push takes multipart/form-data with one '"
              + JAR_PART
              + "' part per jar and an optional '"
              + SETTINGS_PART
              + "' part (JSON)");
    }
    if (ctx.req().getContentLengthLong() > maxUploadBytes) {
      throw tooLarge();
    }
    gantry.flow(name); // an unknown flow is a 404 before anything is received
    Path dir = ownerOnlyDirectory();
    try {
      ctx.req()
          .setAttribute(
              MULTIPART_CONFIG,
              new MultipartConfigElement(
                  dir.toString(), maxUploadBytes, maxUploadBytes, IN_MEMORY_PART));
      RunDtos.PushSettings settings = null;
      List<Path> jars = new ArrayList<>();
      for (Part part : parts(ctx)) {
        if (SETTINGS_PART.equals(part.getName()) && settings == null) {
          settings = Bodies.parse(jsonOf(part), RunDtos.PushSettings.class);
        } else if (JAR_PART.equals(part.getName())) {
          jars.add(save(part, dir, jars.size()));
        } else {
          throw ApiException.badRequest(
              "the upload has a part '"
                  + part.getName()
                  + "' (or two '"
                  + SETTINGS_PART
                  + "' parts); only one '"
                  + SETTINGS_PART
                  + "' and '"
                  + JAR_PART
                  + "' parts are known");
        }
      }
      if (jars.isEmpty()) {
        throw ApiException.badRequest(
            "the upload has no '" + JAR_PART + "' part; send the flow's jar, the factory's first");
      }
      String who = BearerAuth.principal(ctx).tokenName();
      BundlePush push;
      try {
        push =
            gantry.push(
                new BundlePushRequest(
                    name, jars, settings == null ? null : settings.factory(), who));
      } catch (RegistrationException e) {
        // The message may name an uploaded jar by its path here; the caller knows it by its name.
        throw ApiException.badRequest(e.getMessage().replace(dir + java.io.File.separator, ""));
      }
      ctx.status(201).json(RunDtos.PushView.of(push));
    } finally {
      deleteTree(dir);
    }
  }

  private Collection<Part> parts(Context ctx) {
    try {
      return ctx.req().getParts();
    } catch (IllegalStateException e) {
      throw tooLarge();
    } catch (ServletException | IOException e) {
      if (Stream.iterate((Throwable) e, t -> t != null, Throwable::getCause)
          .anyMatch(IllegalStateException.class::isInstance)) {
        throw tooLarge();
      }
      throw ApiException.badRequest(
          "the upload is not a readable multipart/form-data body; send '" + JAR_PART + "' parts");
    }
  }

  private byte[] jsonOf(Part part) {
    if (part.getSize() > maxJsonBytes) {
      throw new ApiException(
          413,
          "Content Too Large",
          "the '" + SETTINGS_PART + "' part is larger than the " + maxJsonBytes + " bytes allowed");
    }
    try (InputStream in = part.getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the push part", e);
    }
  }

  /** Writes one jar part under a name of its own: its position and a cleaned-up file name. */
  private static Path save(Part part, Path dir, int index) {
    String submitted = part.getSubmittedFileName();
    String base = submitted == null ? "" : Path.of(submitted.replace('\\', '/')).getFileName() + "";
    String clean = base.replaceAll("[^A-Za-z0-9._-]", "_");
    if (clean.isEmpty() || clean.startsWith(".")) {
      clean = "upload" + clean;
    }
    if (!clean.endsWith(".jar")) {
      clean = clean + ".jar";
    }
    Path target = dir.resolve(index + "-" + clean);
    try (InputStream in = part.getInputStream()) {
      Files.copy(in, target);
    } catch (IOException e) {
      throw new UncheckedIOException("writing uploaded jar " + clean, e);
    }
    return target;
  }

  private ApiException tooLarge() {
    return new ApiException(
        413,
        "Content Too Large",
        "the upload is larger than the server's limit of "
            + maxUploadBytes
            + " bytes; ask the operator to raise gantry server start --max-upload");
  }

  private static Path ownerOnlyDirectory() {
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        return Files.createTempDirectory(
            "gantry-push-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      return Files.createTempDirectory("gantry-push-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the upload", e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the directory is the process user's alone and under the temp directory.
    }
  }
}
