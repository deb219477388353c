package dev.gantry.server;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A multipart/form-data body as a browser or curl sends it, for tests that upload over real HTTP
 * (the JDK's HTTP client has no multipart writer).
 */
final class MultipartBody {
  private final String boundary = "gantry-test-" + UUID.randomUUID();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  /** A part without a file name (a form field), e.g. the registration's JSON. */
  MultipartBody field(String name, String contentType, String value) {
    return part(name, null, contentType, value.getBytes(StandardCharsets.UTF_8));
  }

  MultipartBody file(String name, String fileName, byte[] content) {
    return part(name, fileName, "application/java-archive", content);
  }

  private MultipartBody part(String name, String fileName, String contentType, byte[] content) {
    StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n");
    head.append("Content-Disposition: form-data; name=\"").append(name).append('"');
    if (fileName != null) {
      head.append("; filename=\"").append(fileName).append('"');
    }
    head.append("\r\nContent-Type: ").append(contentType).append("\r\n\r\n");
    bytes.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(content);
    bytes.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    return this;
  }

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  HttpRequest.BodyPublisher publisher() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(bytes.toByteArray());
    all.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return HttpRequest.BodyPublishers.ofByteArray(all.toByteArray());
  }
}
