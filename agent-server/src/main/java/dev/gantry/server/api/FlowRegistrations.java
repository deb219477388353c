package dev.gantry.server.api;

import static dev.gantry.server.http.ApiRoutes.API;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.GantryClient;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.server.http.ApiRoute.Method;
import dev.gantry.server.http.Bodies;
import dev.gantry.server.http.RequestBody;
import dev.gantry.server.json.RegistrationRequest;
import dev.gantry.server.json.RunDtos;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code POST /api/v1/flows}: registers a flow from a multipart/form-data upload, a {@code
 * registration} part (the JSON of {@link RegistrationRequest}) and either one {@code jar} part per
 * jar, the factory's first, or one {@code bundle} part, a prebuilt bundle registered unchanged. The
 * uploads are written to a directory only this process's user can read, deleted when the request
 * ends; the server registers with its own backend and storage credentials.
 */
public final class FlowRegistrations {
  /** Where Jetty finds the multipart settings of a request (Jetty's servlet attribute). */
  private static final String MULTIPART_CONFIG = "org.eclipse.jetty.multipartConfig";

  /** Parts up to this size stay in memory; larger ones are spooled to the upload directory. */
  private static final int IN_MEMORY_PART = 64 * 1024;

  private final GantryClient gantry;
  private final long maxUploadBytes;
  private final long maxJsonBytes;

  /**
   * @param maxUploadBytes the largest whole upload (413 above it)
   * @param maxJsonBytes the largest registration part, as any JSON body
   */
  public FlowRegistrations(GantryClient gantry, long maxUploadBytes, long maxJsonBytes) {
    this.gantry = gantry;
    this.maxUploadBytes = maxUploadBytes;
    this.maxJsonBytes = maxJsonBytes;
  }

  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.change(
                Method.POST,
                API + "/flows",
                Role.DEPLOYER,
                "flow.register",
                "Register a flow from uploaded jars or a prebuilt bundle (multipart: a"
                    + " registration part and jar parts, or one bundle part)",
                this::register)
            .withBody(body()));
  }

  private static RequestBody body() {
    com.fasterxml.jackson.databind.node.ObjectNode jars =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    jars.put("type", "array")
        .put("description", "the flow's jars, the factory's first")
        .putObject("items")
        .put("type", "string")
        .put("contentMediaType", "application/java-archive");
    java.util.Map<String, com.fasterxml.jackson.databind.node.ObjectNode> parts =
        new java.util.LinkedHashMap<>();
    parts.put(RegistrationRequest.PART, RequestBody.json(RegistrationRequest.class).schema());
    parts.put(RegistrationRequest.JAR_PART, jars);
    parts.put(
        RegistrationRequest.BUNDLE_PART,
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
            .objectNode()
            .put("type", "string")
            .put(
                "description",
                "a prebuilt bundle (gantry flow bundle), instead of jar parts; the registration"
                    + " then has no factory and no format")
            .put("contentMediaType", "application/zip"));
    RequestBody body = RequestBody.multipart(parts, RegistrationRequest.PART);
    // Exactly one of the two: jar parts or one bundle part.
    var oneOf = body.schema().putArray("oneOf");
    oneOf.addObject().putArray("required").add(RegistrationRequest.JAR_PART);
    oneOf.addObject().putArray("required").add(RegistrationRequest.BUNDLE_PART);
    return body;
  }

  private void register(Context ctx) {
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new ApiException(
          415,
          "Unsupported Media Type",
          "POST /api/v1/flows takes multipart/form-data with a '"
              + RegistrationRequest.PART
              + "' part (JSON) and one '"
              + RegistrationRequest.JAR_PART
              + "' part per jar, or one '"
              + RegistrationRequest.BUNDLE_PART
              + "' part");
    }
    if (ctx.req().getContentLengthLong() > maxUploadBytes) {
      throw tooLarge();
    }
    Path dir = ownerOnlyDirectory();
    try {
      ctx.req()
          .setAttribute(
              MULTIPART_CONFIG,
              new MultipartConfigElement(
                  dir.toString(), maxUploadBytes, maxUploadBytes, IN_MEMORY_PART));
      Upload upload = receive(ctx, dir);
      Registration registration =
          upload.bundle() != null
              ? upload.request().toBundleRegistration(upload.bundle())
              : upload.request().toRegistration(upload.jars());
      RegisteredFlow flow;
      try {
        flow = gantry.register(registration);
      } catch (RegistrationException e) {
        // The message may name an uploaded jar by its path here; the caller knows it by its name.
        throw ApiException.badRequest(e.getMessage().replace(dir + java.io.File.separator, ""));
      }
      ctx.status(201).json(RunDtos.FlowView.of(flow));
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * What the parts held: the registration and the jars, or the bundle, written to the upload
   * directory.
   */
  private record Upload(RegistrationRequest request, List<Path> jars, Path bundle) {}

  private Upload receive(Context ctx, Path dir) {
    RegistrationRequest request = null;
    List<Path> jars = new ArrayList<>();
    Path bundle = null;
    for (Part part : parts(ctx)) {
      String name = part.getName();
      if (RegistrationRequest.PART.equals(name)) {
        if (request != null) {
          throw ApiException.badRequest(
              "the upload has more than one '" + RegistrationRequest.PART + "' part");
        }
        request = Bodies.parse(jsonOf(part), RegistrationRequest.class);
      } else if (RegistrationRequest.JAR_PART.equals(name)) {
        jars.add(save(part, dir, jars.size()));
      } else if (RegistrationRequest.BUNDLE_PART.equals(name)) {
        if (bundle != null) {
          throw ApiException.badRequest(
              "the upload has more than one '"
                  + RegistrationRequest.BUNDLE_PART
                  + "' part; register one bundle at a time");
        }
        bundle = saveBundle(part, dir);
      } else {
        throw ApiException.badRequest(
            "the upload has a part '"
                + name
                + "'; only '"
                + RegistrationRequest.PART
                + "', '"
                + RegistrationRequest.JAR_PART
                + "' and '"
                + RegistrationRequest.BUNDLE_PART
                + "' are known");
      }
    }
    if (request == null) {
      throw ApiException.badRequest(
          "the upload has no '"
              + RegistrationRequest.PART
              + "' part; send the registration as JSON in it");
    }
    if (bundle != null && !jars.isEmpty()) {
      throw ApiException.badRequest(
          "the upload has both '"
              + RegistrationRequest.JAR_PART
              + "' and '"
              + RegistrationRequest.BUNDLE_PART
              + "' parts; send one: the flow's jars, or a prebuilt bundle");
    }
    if (bundle == null && jars.isEmpty()) {
      throw ApiException.badRequest(
          "the upload has no '"
              + RegistrationRequest.JAR_PART
              + "' part; send the flow's jar, the factory's first (or one '"
              + RegistrationRequest.BUNDLE_PART
              + "' part)");
    }
    return new Upload(request, List.copyOf(jars), bundle);
  }

  private java.util.Collection<Part> parts(Context ctx) {
    try {
      return ctx.req().getParts();
    } catch (IllegalStateException e) {
      throw tooLarge(); // the servlet API's way to say a part or the request is over the limit
    } catch (jakarta.servlet.ServletException | IOException e) {
      if (causes(e).anyMatch(IllegalStateException.class::isInstance)) {
        throw tooLarge();
      }
      throw ApiException.badRequest(
          "the upload is not a readable multipart/form-data body; send a '"
              + RegistrationRequest.PART
              + "' part and '"
              + RegistrationRequest.JAR_PART
              + "' parts");
    }
  }

  private static Stream<Throwable> causes(Throwable e) {
    return Stream.iterate(e, t -> t != null, Throwable::getCause);
  }

  private byte[] jsonOf(Part part) {
    if (part.getSize() > maxJsonBytes) {
      throw new ApiException(
          413,
          "Content Too Large",
          "the '"
              + RegistrationRequest.PART
              + "' part is larger than the "
              + maxJsonBytes
              + " bytes a JSON body may have");
    }
    try (InputStream in = part.getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the registration part", e);
    }
  }

  /** Writes one jar part under a name of its own: its position and a cleaned-up file name. */
  private static Path save(Part part, Path dir, int index) {
    String clean = cleanName(part, "upload.jar");
    if (!clean.endsWith(".jar")) {
      clean = clean + ".jar";
    }
    return write(part, dir.resolve(index + "-" + clean), "jar " + clean);
  }

  /**
   * Writes the bundle part under its cleaned-up file name alone, so messages name it as the caller
   * does (the registrar names a bundle by its file name).
   */
  private static Path saveBundle(Part part, Path dir) {
    String clean = cleanName(part, "upload.gantry");
    return write(part, dir.resolve(clean), "bundle " + clean);
  }

  private static String cleanName(Part part, String fallback) {
    String submitted = part.getSubmittedFileName();
    String base = submitted == null ? "" : Path.of(submitted.replace('\\', '/')).getFileName() + "";
    String clean = base.replaceAll("[^A-Za-z0-9._-]", "_");
    if (clean.isEmpty()) {
      return fallback;
    }
    return clean.startsWith(".") ? "upload" + clean : clean;
  }

  private static Path write(Part part, Path target, String what) {
    try (InputStream in = part.getInputStream()) {
      Files.copy(in, target);
    } catch (IOException e) {
      throw new UncheckedIOException("writing uploaded " + what, e);
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
            "gantry-upload-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      return Files.createTempDirectory("gantry-upload-");
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
