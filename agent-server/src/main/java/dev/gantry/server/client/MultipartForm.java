package dev.gantry.server.client;

import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.server.json.RegistrationRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A {@code multipart/form-data} body (RFC 7578) of JSON and file parts, streamed from the files
 * rather than read into memory. The JDK's HTTP client has no such publisher of its own.
 */
final class MultipartForm {
  private final String boundary = "gantry-" + UUID.randomUUID();
  private final List<Supplier<java.io.InputStream>> pieces = new ArrayList<>();

  /**
   * The upload of {@code POST /api/v1/flows}: the registration's JSON, then its prebuilt bundle or
   * its jars (the factory's first).
   *
   * @throws RegistrationException naming a bundle or jar that is not a file, before anything is
   *     sent
   */
  static MultipartForm registration(byte[] json, Registration registration) {
    MultipartForm form = new MultipartForm().json(RegistrationRequest.PART, json);
    if (registration.bundle() != null) {
      form.file(
          RegistrationRequest.BUNDLE_PART,
          existing("bundle", registration.bundle()),
          "application/zip");
    }
    for (Path jar : registration.jars()) {
      form.file(RegistrationRequest.JAR_PART, existing("jar", jar));
    }
    return form;
  }

  private static Path existing(String what, Path file) {
    if (!Files.isRegularFile(file)) {
      throw new RegistrationException(what + " " + file + " does not exist or is not a file", null);
    }
    return file;
  }

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  MultipartForm json(String name, byte[] json) {
    text(head(name, null, "application/json"));
    pieces.add(() -> new java.io.ByteArrayInputStream(json));
    text("\r\n");
    return this;
  }

  MultipartForm file(String name, Path file) {
    return file(name, file, "application/java-archive");
  }

  /** A file part of this media type, under the file's name. */
  MultipartForm file(String name, Path file, String mediaType) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("file " + file + " does not exist or is not a file");
    }
    text(head(name, file.getFileName().toString(), mediaType));
    pieces.add(
        () -> {
          try {
            return Files.newInputStream(file);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
          }
        });
    text("\r\n");
    return this;
  }

  HttpRequest.BodyPublisher publisher() {
    List<Supplier<java.io.InputStream>> all = new ArrayList<>(pieces);
    byte[] end = ("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    all.add(() -> new java.io.ByteArrayInputStream(end));
    return HttpRequest.BodyPublishers.ofInputStream(
        () -> new java.io.SequenceInputStream(java.util.Collections.enumeration(open(all))));
  }

  private static List<java.io.InputStream> open(List<Supplier<java.io.InputStream>> all) {
    List<java.io.InputStream> lazy = new ArrayList<>();
    for (Supplier<java.io.InputStream> piece : all) {
      lazy.add(new LazyStream(piece));
    }
    return lazy;
  }

  private String head(String name, String filename, String type) {
    return "--"
        + boundary
        + "\r\nContent-Disposition: form-data; name=\""
        + quote(name)
        + "\""
        + (filename == null ? "" : "; filename=\"" + quote(filename) + "\"")
        + "\r\nContent-Type: "
        + type
        + "\r\n\r\n";
  }

  private static String quote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "").replace("\n", "");
  }

  private void text(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    pieces.add(() -> new java.io.ByteArrayInputStream(bytes));
  }

  /** Opens its file only when the body gets to it, so one file is open at a time. */
  private static final class LazyStream extends java.io.InputStream {
    private final Supplier<java.io.InputStream> source;
    private java.io.InputStream in;

    LazyStream(Supplier<java.io.InputStream> source) {
      this.source = source;
    }

    private java.io.InputStream in() {
      if (in == null) {
        in = source.get();
      }
      return in;
    }

    @Override
    public int read() throws IOException {
      return in().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in().read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }
}
