package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineEventTest {

  @Test
  void aDieEventCarriesItsExitCode() {
    Event die =
        new Event()
            .withId("abc")
            .withAction("die")
            .withEventActor(new EventActor().withAttributes(Map.of("exitCode", "137")));

    assertThat(EngineEvent.of(die)).contains(new EngineEvent("abc", "die", 137));
  }

  @Test
  void olderEnginesNameTheActionInTheStatus() {
    assertThat(EngineEvent.of(new Event().withId("abc").withStatus("destroy")))
        .contains(new EngineEvent("abc", "destroy", null));
  }

  @Test
  void anUnreadableExitCodeIsUnknown() {
    Event die =
        new Event()
            .withId("abc")
            .withAction("die")
            .withEventActor(new EventActor().withAttributes(Map.of("exitCode", "x")));

    assertThat(EngineEvent.of(die)).contains(new EngineEvent("abc", "die", null));
  }

  @Test
  void eventsWithoutAContainerOrAnActionAreLeftOut() {
    assertThat(EngineEvent.of(new Event().withAction("die"))).isEmpty();
    assertThat(EngineEvent.of(new Event().withId("abc"))).isEmpty();
  }
}
