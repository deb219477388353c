package dev.gantry.server.api;

import dev.gantry.server.http.ApiException;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One multipart/form-data upload of a request ({@code POST /flows}, {@code POST
 * /flows/{name}/push}): its parts are received into a directory only this process's user can read,
 * within the server's upload limit, and the directory is deleted when the upload is closed.
 */
final class MultipartUpload implements AutoCloseable {
  /** Where Jetty finds the multipart settings of a request (Jetty's servlet attribute). */
  private static final String MULTIPART_CONFIG = "org.eclipse.jetty.multipartConfig";

  /** Parts up to this size stay in memory; larger ones are spooled to the upload directory. */
  private static final int IN_MEMORY_PART = 64 * 1024;

  private final Context ctx;
  private final long maxUploadBytes;
  private final Path dir;

  private MultipartUpload(Context ctx, long maxUploadBytes, Path dir) {
    this.ctx = ctx;
    this.maxUploadBytes = maxUploadBytes;
    this.dir = dir;
  }

  /**
   * Starts receiving the request's upload: 415 unless it is multipart/form-data (with {@code
   * expected} saying what to send), 413 when its declared length is over the limit.
   */
  static MultipartUpload start(Context ctx, long maxUploadBytes, String expected) {
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new ApiException(415, "Unsupported Media Type", expected);
    }
    if (ctx.req().getContentLengthLong() > maxUploadBytes) {
      throw tooLarge(maxUploadBytes);
    }
    Path dir = ownerOnlyDirectory();
    ctx.req()
        .setAttribute(
            MULTIPART_CONFIG,
            new MultipartConfigElement(
                dir.toString(), maxUploadBytes, maxUploadBytes, IN_MEMORY_PART));
    return new MultipartUpload(ctx, maxUploadBytes, dir);
  }

  /** The request's parts; 413 over the limit, 400 (with {@code expected}) when unreadable. */
  Collection<Part> parts(String expected) {
    try {
      return ctx.req().getParts();
    } catch (IllegalStateException e) {
      throw tooLarge(maxUploadBytes); // the servlet API's way to say a part is over the limit
    } catch (ServletException | IOException e) {
      if (Stream.iterate((Throwable) e, t -> t != null, Throwable::getCause)
          .anyMatch(IllegalStateException.class::isInstance)) {
        throw tooLarge(maxUploadBytes);
      }
      throw ApiException.badRequest(
          "the upload is not a readable multipart/form-data body; " + expected);
    }
  }

  /** The bytes of a JSON part named {@code name}, at most {@code maxJsonBytes} of them. */
  static byte[] json(Part part, String name, long maxJsonBytes) {
    if (part.getSize() > maxJsonBytes) {
      throw new ApiException(
          413,
          "Content Too Large",
          "the '"
              + name
              + "' part is larger than the "
              + maxJsonBytes
              + " bytes a JSON body may have");
    }
    try (InputStream in = part.getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the " + name + " part", e);
    }
  }

  /** Writes one jar part under a name of its own: its position and a cleaned-up file name. */
  Path saveJar(Part part, int index) {
    String clean = cleanName(part, "upload.jar");
    if (!clean.endsWith(".jar")) {
      clean = clean + ".jar";
    }
    return write(part, dir.resolve(index + "-" + clean), "jar " + clean);
  }

  /** Writes a part under its cleaned-up file name alone, so messages name it as the caller does. */
  Path save(Part part, String fallback, String what) {
    String clean = cleanName(part, fallback);
    return write(part, dir.resolve(clean), what + " " + clean);
  }

  /** A message without this upload's directory: the caller knows its files by their names. */
  String withoutDirectory(String message) {
    return message.replace(dir + File.separator, "");
  }

  static ApiException tooLarge(long maxUploadBytes) {
    return new ApiException(
        413,
        "Content Too Large",
        "the upload is larger than the server's limit of "
            + maxUploadBytes
            + " bytes; ask the operator to raise gantry server start --max-upload");
  }

  @Override
  public void close() {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the directory is the process user's alone and under the temp directory.
    }
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
}
