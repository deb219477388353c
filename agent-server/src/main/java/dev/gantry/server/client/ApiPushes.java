package dev.gantry.server.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.client.GantryClient.UnknownFlowException;
import dev.gantry.registration.BundlePushRequest;
import dev.gantry.registration.RegistrationException;
import dev.gantry.server.api.FlowPushes;
import dev.gantry.server.json.RunDtos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code gantry flow push} and {@code flow pushes} over the API: the jars uploaded to {@code POST
 * /api/v1/flows/{name}/push}; the server records the push as made by the caller's token.
 */
final class ApiPushes {
  private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);
  private static final TypeReference<RunDtos.PushView> PUSH = new TypeReference<>() {};
  private static final TypeReference<List<RunDtos.PushView>> PUSHES = new TypeReference<>() {};

  private final ApiConnection connection;

  ApiPushes(ApiConnection connection) {
    this.connection = connection;
  }

  BundlePush push(BundlePushRequest request) {
    MultipartForm form = new MultipartForm();
    if (request.factory() != null) {
      try {
        form.json(
            FlowPushes.SETTINGS_PART,
            ApiConnection.mapper().writeValueAsBytes(new RunDtos.PushSettings(request.factory())));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("cannot write the push: " + e.getMessage(), e);
      }
    }
    for (Path jar : request.jars()) {
      if (!Files.isRegularFile(jar)) {
        throw new RegistrationException("jar " + jar + " does not exist or is not a file", null);
      }
      form.file(FlowPushes.JAR_PART, jar);
    }
    String path = ApiConnection.path("flows", request.flowName(), "push");
    try {
      return Views.push(
          connection.send(
              "POST", path, form.publisher(), form.contentType(), UPLOAD_TIMEOUT, PUSH));
    } catch (ApiProblem p) {
      throw refusal(request.flowName(), p);
    }
  }

  List<BundlePush> pushes(String flowName) {
    try {
      return connection.get(ApiConnection.path("flows", flowName, "pushes"), PUSHES).stream()
          .map(Views::push)
          .toList();
    } catch (ApiProblem p) {
      throw refusal(flowName, p);
    }
  }

  /** The database mode's exceptions for the server's refusals, with its one line. */
  private static RuntimeException refusal(String flowName, ApiProblem p) {
    UnknownFlowException unknown = new UnknownFlowException(flowName);
    if (p.status() == 404 && unknown.getMessage().equals(p.detail())) {
      return unknown;
    }
    return p.status() == 400
        ? new RegistrationException(p.detail(), null)
        : new IllegalArgumentException(p.detail());
  }
}
