package dev.gantry.server.http;

import dev.gantry.server.json.Json;
import dev.gantry.server.json.Problem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's errors, the ones it answers before Javalin sees the request (a URI with {@code %00} or a
 * bad escape, a malformed request line), as problem details instead of Jetty's HTML page.
 */
public final class ProblemErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    byte[] body = problem(code, message);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE));
    return ByteBuffer.wrap(problem(status, reason));
  }

  private static byte[] problem(int status, String message) {
    String reason =
        message == null || message.isBlank() ? "" : " (" + message.replaceAll("\\s+", " ") + ")";
    String detail =
        status == 400
            ? "the request is malformed"
                + reason
                + "; check the URI's %-escapes (no %00) and the request line"
            : "the server refused the request" + reason;
    try {
      return Json.mapper().writeValueAsBytes(Problem.of(status, Problems.title(status), detail));
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      return detail.getBytes(StandardCharsets.UTF_8);
    }
  }
}
