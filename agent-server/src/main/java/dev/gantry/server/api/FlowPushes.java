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
import jakarta.servlet.http.Part;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/flows/{name}/push}: replaces the source bundle of a flow's newest version in
 * place from a multipart/form-data upload, one {@code jar} part per jar (the factory's first) and
 * an optional {@code push} part, the JSON of {@link RunDtos.PushSettings}. The push is recorded as
 * made by the caller's token. {@code GET /api/v1/flows/{name}/pushes} lists the pushes.
 */
public final class FlowPushes {
  public static final String SETTINGS_PART = "push";
  public static final String JAR_PART = "jar";

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
    try (MultipartUpload upload =
        MultipartUpload.start(
            ctx,
            maxUploadBytes,
            "POST /api/v1/flows/{name}/push takes multipart/form-data with one '"
                + JAR_PART
                + "' part per jar and an optional '"
                + SETTINGS_PART
                + "' part (JSON)")) {
      RunDtos.PushSettings settings = null;
      List<Path> jars = new ArrayList<>();
      for (Part part : upload.parts("send '" + JAR_PART + "' parts")) {
        if (SETTINGS_PART.equals(part.getName()) && settings == null) {
          settings =
              Bodies.parse(
                  MultipartUpload.json(part, SETTINGS_PART, maxJsonBytes),
                  RunDtos.PushSettings.class);
        } else if (JAR_PART.equals(part.getName())) {
          jars.add(upload.saveJar(part, jars.size()));
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
      // Only now, with the body read: a 404 sent while the client is still writing the jars ends
      // the connection under it, and the client sees "no bytes" instead of the answer.
      gantry.flow(name);
      String who = BearerAuth.principal(ctx).tokenName();
      BundlePush push;
      try {
        push =
            gantry.push(
                new BundlePushRequest(
                    name, jars, settings == null ? null : settings.factory(), who));
      } catch (RegistrationException e) {
        throw ApiException.badRequest(upload.withoutDirectory(e.getMessage()));
      }
      ctx.status(201).json(RunDtos.PushView.of(push));
    }
  }
}
