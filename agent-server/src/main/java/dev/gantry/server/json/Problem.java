package dev.gantry.server.json;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}). {@code detail} is the one-line
 * message the CLI prints for the same mistake.
 */
public record Problem(String type, String title, int status, String detail) {
  public static final String CONTENT_TYPE = "application/problem+json";

  public static Problem of(int status, String title, String detail) {
    return new Problem("about:blank", title, status, detail);
  }
}
