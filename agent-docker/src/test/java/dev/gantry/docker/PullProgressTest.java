package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.model.PullResponseItem;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pull's progress stream as the engine sends it (JSON items), without an engine. */
class PullProgressTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static PullResponseItem item(String json) throws Exception {
    return JSON.readValue(json, PullResponseItem.class);
  }

  @Test
  void aPullThatEndsWithTheEnginesSuccessStatusSucceeds() throws Exception {
    PullProgress progress = new PullProgress();
    progress.onNext(item("{\"status\":\"Pulling from gantry-test/etl\",\"id\":\"1\"}"));
    progress.onNext(
        item("{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5000/etl:1\"}"));
    progress.onComplete();

    assertThat(progress.await(1, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anErrorItemInTheStreamEndsThePullWithTheRegistrysWords() throws Exception {
    PullProgress progress = new PullProgress();
    progress.onNext(
        item(
            "{\"errorDetail\":{\"message\":\"manifest unknown: manifest unknown\"},"
                + "\"error\":\"manifest unknown: manifest unknown\"}"));
    progress.onComplete();

    assertThatThrownBy(() -> progress.await(1, TimeUnit.SECONDS))
        .hasMessage("manifest unknown: manifest unknown");
  }

  @Test
  void anEngineErrorIsThrownToTheCallerNotLogged() {
    PullProgress progress = new PullProgress();
    InternalServerErrorException refused = new InternalServerErrorException("connection refused");
    progress.onError(refused);

    assertThatThrownBy(() -> progress.await(1, TimeUnit.SECONDS)).isSameAs(refused);
  }

  @Test
  void aPullThatDoesNotEndInTimeSaysSo() throws Exception {
    PullProgress progress = new PullProgress();
    progress.onNext(item("{\"status\":\"Waiting\",\"id\":\"1\"}"));

    assertThat(progress.await(50, TimeUnit.MILLISECONDS)).isFalse();
  }
}
