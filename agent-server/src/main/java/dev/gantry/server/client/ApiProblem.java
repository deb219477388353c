package dev.gantry.server.client;

/**
 * A 4xx answer the server gave as a problem detail: the request itself was refused. {@code detail}
 * is the one-line message the same mistake gives against the database; {@link ApiGantryClient}
 * turns it back into the exception the database mode throws.
 */
final class ApiProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiProblem(int status, String detail) {
    super(detail);
    this.status = status;
  }

  int status() {
    return status;
  }

  String detail() {
    return getMessage();
  }
}
