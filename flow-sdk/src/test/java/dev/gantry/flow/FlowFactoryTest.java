package dev.gantry.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class FlowFactoryTest {
  private static final String FIXTURES = FlowFactoryFixtures.class.getName();

  @Test
  void parsesClassAndMethodOfAReference() {
    FlowFactory factory = FlowFactory.parse("com.acme.Flows#etl");

    assertThat(factory.className()).isEqualTo("com.acme.Flows");
    assertThat(factory.methodName()).isEqualTo("etl");
    assertThat(factory).hasToString("com.acme.Flows#etl");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "com.acme.Flows", "#etl", "com.acme.Flows#", "a#b#c"})
  void rejectsAMalformedReferenceSayingWhatIsExpected(String reference) {
    assertThatThrownBy(() -> FlowFactory.parse(reference))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "factory reference '"
                + reference
                + "' is malformed; expected CLASS#METHOD such as com.acme.Flows#etl");
  }

  @ParameterizedTest
  @NullSource
  void rejectsAMissingReference(String reference) {
    assertThatThrownBy(() -> FlowFactory.parse(reference))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("factory reference is missing; expected CLASS#METHOD");
  }

  @Test
  void buildsTheFlowByCallingTheFactoryMethod() {
    Flow flow = build("good");

    assertThat(flow.name()).isEqualTo("fixture");
  }

  @Test
  void namesAClassThatIsNotFound() {
    assertThatThrownBy(() -> FlowFactory.parse("com.acme.Missing#etl").build(loader()))
        .isInstanceOf(FlowLoadException.class)
        .hasMessageStartingWith("factory class com.acme.Missing not found");
  }

  @Test
  void namesAMethodThatIsNotFound() {
    assertThatThrownBy(() -> build("absent"))
        .isInstanceOf(FlowLoadException.class)
        .hasMessageStartingWith("factory method " + FIXTURES + "#absent not found");
  }

  @Test
  void refusesAMethodThatIsNotStaticOrReturnsNoFlow() {
    assertThatThrownBy(() -> build("notStatic"))
        .isInstanceOf(FlowLoadException.class)
        .hasMessageContaining("must be public static and return dev.gantry.flow.Flow");
    assertThatThrownBy(() -> build("notAFlow"))
        .isInstanceOf(FlowLoadException.class)
        .hasMessageContaining("must be public static and return dev.gantry.flow.Flow");
  }

  @Test
  void reportsAFactoryThatThrowsOrReturnsNull() {
    assertThatThrownBy(() -> build("throwing"))
        .isInstanceOf(FlowLoadException.class)
        .hasMessage(
            "factory method "
                + FIXTURES
                + "#throwing threw java.lang.IllegalStateException: no flow today")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> build("returningNull"))
        .isInstanceOf(FlowLoadException.class)
        .hasMessage("factory method " + FIXTURES + "#returningNull returned null");
  }

  private static Flow build(String method) {
    return FlowFactory.parse(FIXTURES + "#" + method).build(loader());
  }

  private static ClassLoader loader() {
    return FlowFactoryTest.class.getClassLoader();
  }
}
