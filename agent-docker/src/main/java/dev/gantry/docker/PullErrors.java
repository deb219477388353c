package dev.gantry.docker;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.UnauthorizedException;
import java.util.List;
import java.util.Locale;

/**
 * Tells a definite refusal of an image (it does not exist, or the registry will not give it to this
 * agent) from a failure to get it (registry or network down, timeouts, resets). Only a refusal
 * fails a run at once; anything else is the infrastructure's failure, which a later attempt may not
 * meet. What is not recognised counts as a failure: the infrastructure-retry budget bounds it.
 */
enum PullErrors {
  /** The image, its tag or its repository is not there, or its name is malformed. */
  NOT_FOUND,
  /** The registry refuses this agent: no or wrong credentials, or no access. */
  DENIED,
  /** The image could not be fetched this time: registry unreachable, timeout, reset, 5xx. */
  TRANSIENT;

  // The engine's and the registry's words (docker/distribution error codes included).
  private static final List<String> DENIAL =
      List.of(
          "unauthorized",
          "denied",
          "no basic auth credentials",
          "authentication required",
          "forbidden");
  private static final List<String> ABSENCE =
      List.of(
          "manifest unknown",
          "name unknown",
          "not found",
          "no such image",
          "repository does not exist",
          "invalid reference format",
          "name invalid",
          "tag invalid");

  /** Classifies a failed pull by the engine's status and words. */
  static PullErrors of(Throwable error) {
    String words = EngineErrors.message(error).toLowerCase(Locale.ROOT);
    if (error instanceof UnauthorizedException || DENIAL.stream().anyMatch(words::contains)) {
      return DENIED;
    }
    if (error instanceof NotFoundException
        || error instanceof BadRequestException
        || ABSENCE.stream().anyMatch(words::contains)) {
      return NOT_FOUND;
    }
    return TRANSIENT;
  }
}
