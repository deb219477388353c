package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.UnauthorizedException;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a failed pull ends its run, from the engine's own answers (recorded from a Docker 20.10
 * engine against a registry v2 on 127.0.0.1 and ports that refuse, reset or hang); no engine.
 */
class PullErrorsTest {
  private static final LaunchRequest REQUEST =
      LaunchRequests.request("run-1", 1, "etl", "acme/etl:1.5", Map.of());

  private static String engineJson(String message) {
    return "{\"message\":\"" + message.replace("\"", "\\\"") + "\"}";
  }

  @Test
  void aManifestTheRegistryDoesNotKnowIsNotFound() {
    var error =
        new NotFoundException(
            "{\"message\":\"manifest for 127.0.0.1:45123/gantry-test/absent:1 not"
                + " found: manifest unknown: manifest unknown\"}");

    assertThat(PullErrors.of(error)).isEqualTo(PullErrors.NOT_FOUND);
    LaunchException failure = LaunchFailures.pullFailed(REQUEST, "acme/etl:1.5", error);
    assertThat(failure.outcome()).isEqualTo(RunState.Failed);
    assertThat(failure.reasonCode()).isEqualTo("ImageNotFound");
    assertThat(failure.getMessage())
        .startsWith("run run-1: pulling image 'acme/etl:1.5' failed: manifest for")
        .contains("manifest unknown")
        .contains("check the image name and tag")
        .doesNotContain("\n")
        .doesNotContain("Status 404");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Head \"http://127.0.0.1:45124/v2/gantry-test/absent/manifests/1\": no basic auth"
            + " credentials",
        "unauthorized: authentication required",
        "pull access denied for acme/etl, repository does not exist or may require 'docker"
            + " login': denied: requested access to the resource is denied"
      })
  void aRegistryThatRefusesTheAgentDeniesThePull(String words) {
    var error = new InternalServerErrorException(engineJson(words));

    assertThat(PullErrors.of(error)).isEqualTo(PullErrors.DENIED);
    LaunchException failure = LaunchFailures.pullFailed(REQUEST, "acme/etl:1.5", error);
    assertThat(failure.outcome()).isEqualTo(RunState.Failed);
    assertThat(failure.reasonCode()).isEqualTo("ImagePullDenied");
    assertThat(failure.getMessage()).contains(words).contains("docker login");
  }

  @Test
  void theEnginesOwnStatusForRefusalsCountsEvenWithoutKnownWords() {
    assertThat(PullErrors.of(new UnauthorizedException("nope"))).isEqualTo(PullErrors.DENIED);
    assertThat(PullErrors.of(new BadRequestException("bad"))).isEqualTo(PullErrors.NOT_FOUND);
    assertThat(PullErrors.of(new NotFoundException("gone"))).isEqualTo(PullErrors.NOT_FOUND);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused",
        "Get \"http://127.0.0.1:45125/v2/\": read tcp 127.0.0.1:51844->127.0.0.1:45125: read:"
            + " connection reset by peer",
        "Get \"http://127.0.0.1:45126/v2/\": context deadline exceeded",
        "Get \"https://registry.invalid/v2/\": dial tcp: lookup registry.invalid on"
            + " 10.0.0.53:53: no such host",
        "received unexpected HTTP status: 502 Bad Gateway",
        "toomanyrequests: You have reached your pull rate limit",
        "net/http: TLS handshake timeout"
      })
  void aRegistryOrNetworkThatFailsCrashesTheRunToBeRetried(String words) {
    var error = new InternalServerErrorException(engineJson(words));

    assertThat(PullErrors.of(error)).isEqualTo(PullErrors.TRANSIENT);
    LaunchException failure = LaunchFailures.pullFailed(REQUEST, "acme/etl:1.5", error);
    assertThat(failure.outcome()).isEqualTo(RunState.Crashed);
    assertThat(failure.reasonCode()).isEqualTo("ImagePullFailed");
    assertThat(failure.getMessage())
        .contains(words)
        .contains("could not be reached")
        .contains("--infrastructure-retries");
  }

  @Test
  void anErrorInThePullsProgressStreamIsClassifiedByItsWords() {
    assertThat(PullErrors.of(new DockerClientException("unexpected EOF")))
        .isEqualTo(PullErrors.TRANSIENT);
    assertThat(PullErrors.of(new DockerClientException("manifest unknown: manifest unknown")))
        .isEqualTo(PullErrors.NOT_FOUND);
  }

  @Test
  void aPullThatTakesLongerThanTheTimeoutCrashesTheRun() {
    LaunchException failure =
        LaunchFailures.pullTimedOut(REQUEST, "acme/etl:1.5", Duration.ofSeconds(3));

    assertThat(failure.outcome()).isEqualTo(RunState.Crashed);
    assertThat(failure.reasonCode()).isEqualTo("ImagePullTimeout");
    assertThat(failure.getMessage())
        .isEqualTo(
            "run run-1: pulling image 'acme/etl:1.5' took longer than 3 s (--pull-timeout);"
                + " check the registry and the engine's network to it (retried within the"
                + " flow's --infrastructure-retries)");
  }
}
