package dev.gantry.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Date;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParameterTest {
  enum Color {
    RED,
    GREEN
  }

  static Stream<Arguments> wellFormedValues() {
    return Stream.of(
        Arguments.of(String.class, " text with spaces ", "text with spaces"),
        Arguments.of(Integer.class, "-42", -42),
        Arguments.of(Integer.class, " 7 ", 7),
        Arguments.of(Long.class, "9000000000", 9_000_000_000L),
        Arguments.of(Double.class, "2.5", 2.5),
        Arguments.of(Boolean.class, "true", true),
        Arguments.of(Boolean.class, "FALSE", false),
        Arguments.of(BigDecimal.class, "12.50", new BigDecimal("12.50")),
        Arguments.of(Duration.class, "PT1M30S", Duration.ofSeconds(90)),
        Arguments.of(LocalDate.class, "2024-02-29", LocalDate.of(2024, 2, 29)),
        Arguments.of(Color.class, "GREEN", Color.GREEN));
  }

  @ParameterizedTest(name = "{0} parses ''{1}''")
  @MethodSource("wellFormedValues")
  <T> void parsesTextIntoEverySupportedType(Class<T> type, String text, T expected) {
    Parameter<T> parameter = new Flow("types").parameter("p", type);

    assertThat(parameter.parse(text)).isEqualTo(expected);
  }

  static Stream<Arguments> malformedValues() {
    return Stream.of(
        Arguments.of(Integer.class, "abc", "Integer"),
        Arguments.of(Integer.class, "99999999999", "Integer"),
        Arguments.of(Long.class, "1.5", "Long"),
        Arguments.of(Double.class, "two", "Double"),
        Arguments.of(Boolean.class, "yes", "Boolean"),
        Arguments.of(BigDecimal.class, "1,5", "BigDecimal"),
        Arguments.of(Duration.class, "5 minutes", "Duration"),
        Arguments.of(LocalDate.class, "2024-13-01", "LocalDate"),
        Arguments.of(Color.class, "PURPLE", "Color"));
  }

  @ParameterizedTest(name = "{0} rejects ''{1}''")
  @MethodSource("malformedValues")
  void rejectsMalformedTextNamingTheParameterAndItsType(
      Class<?> type, String text, String typeName) {
    Parameter<?> parameter = new Flow("types").parameter("p", type);

    assertThatThrownBy(() -> parameter.parse(text))
        .isInstanceOf(ParameterException.class)
        .hasMessage("parameter 'p' expects " + typeName + " but got '" + text + "'");
  }

  @Test
  void refusesAnUnsupportedTypeWhenTheParameterIsDeclared() {
    Flow flow = new Flow("types");

    assertThatThrownBy(() -> flow.parameter("when", Date.class, new Date()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter 'when' has unsupported type java.util.Date");
  }

  @Test
  void knowsWhetherItIsRequiredAndItsDefault() {
    Flow flow = new Flow("types");
    Parameter<Integer> rows = flow.parameter("rows", Integer.class, 100);
    Parameter<String> name = flow.parameter("name", String.class);

    assertThat(rows.required()).isFalse();
    assertThat(rows.defaultValue()).isEqualTo(100);
    assertThat(name.required()).isTrue();
    assertThat(name.defaultValue()).isNull();
    assertThat(flow.parameters()).containsExactly(rows, name);
  }
}
