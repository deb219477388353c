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
import jakarta.servlet.http.Part;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/v1/flows}: registers a flow from a multipart/form-data upload, a {@code
 * registration} part (the JSON of {@link RegistrationRequest}) and either one {@code jar} part per
 * jar, the factory's first, or one {@code bundle} part, a prebuilt bundle registered unchanged. The
 * uploads are written to a directory only this process's user can read, deleted when the request
 * ends; the server registers with its own backend and storage credentials.
 */
public final class FlowRegistrations {
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
    try (MultipartUpload upload =
        MultipartUpload.start(
            ctx,
            maxUploadBytes,
            "POST /api/v1/flows takes multipart/form-data with a '"
                + RegistrationRequest.PART
                + "' part (JSON) and one '"
                + RegistrationRequest.JAR_PART
                + "' part per jar, or one '"
                + RegistrationRequest.BUNDLE_PART
                + "' part")) {
      Upload received = receive(upload);
      Registration registration =
          received.bundle() != null
              ? received.request().toBundleRegistration(received.bundle())
              : received.request().toRegistration(received.jars());
      RegisteredFlow flow;
      try {
        flow = gantry.register(registration);
      } catch (RegistrationException e) {
        throw ApiException.badRequest(upload.withoutDirectory(e.getMessage()));
      }
      ctx.status(201).json(RunDtos.FlowView.of(flow));
    }
  }

  /**
   * What the parts held: the registration and the jars, or the bundle, written to the upload
   * directory.
   */
  private record Upload(RegistrationRequest request, List<Path> jars, Path bundle) {}

  private Upload receive(MultipartUpload upload) {
    RegistrationRequest request = null;
    List<Path> jars = new ArrayList<>();
    Path bundle = null;
    for (Part part :
        upload.parts(
            "send a '"
                + RegistrationRequest.PART
                + "' part and '"
                + RegistrationRequest.JAR_PART
                + "' parts")) {
      String name = part.getName();
      if (RegistrationRequest.PART.equals(name)) {
        if (request != null) {
          throw ApiException.badRequest(
              "the upload has more than one '" + RegistrationRequest.PART + "' part");
        }
        request =
            Bodies.parse(
                MultipartUpload.json(part, RegistrationRequest.PART, maxJsonBytes),
                RegistrationRequest.class);
      } else if (RegistrationRequest.JAR_PART.equals(name)) {
        jars.add(upload.saveJar(part, jars.size()));
      } else if (RegistrationRequest.BUNDLE_PART.equals(name)) {
        if (bundle != null) {
          throw ApiException.badRequest(
              "the upload has more than one '"
                  + RegistrationRequest.BUNDLE_PART
                  + "' part; register one bundle at a time");
        }
        // Under its own file name, so messages name it as the caller does.
        bundle = upload.save(part, "upload.gantry", "bundle");
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
}
