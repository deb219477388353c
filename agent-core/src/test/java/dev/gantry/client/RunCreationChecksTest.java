package dev.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.ParameterException;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A run's extra labels and parameter values are checked before anything is stored. */
class RunCreationChecksTest {
  @TempDir Path dir;
  private LocalGantry gantry;

  @BeforeEach
  void register() {
    gantry = new LocalGantry(dir);
    gantry.registerExample("dev.gantry.examples.Etl#etl");
  }

  @AfterEach
  void close() {
    gantry.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-leading-dash", "has space", "é"})
  void aMalformedExtraLabelIsRefusedAndNoRunIsCreated(String label) {
    assertThatThrownBy(() -> gantry.client.createRun("etl", Map.of(), Set.of(label)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid label name '" + label + "'");
    assertThatThrownBy(() -> gantry.client.createRuns("etl", null, Map.of(), Set.of(label), 3))
        .hasMessageStartingWith("invalid label name '" + label + "'");
    assertThat(gantry.client.runs(null, Set.of(), 10)).isEmpty();
  }

  @Test
  void aNullOrOverlongLabelIsRefused() {
    Set<String> withNull = new HashSet<>(Arrays.asList("ok", null));
    assertThatThrownBy(() -> gantry.client.createRun("etl", Map.of(), withNull))
        .hasMessageStartingWith("invalid label name 'null'");
    assertThatThrownBy(() -> gantry.client.createRun("etl", Map.of(), Set.of("a".repeat(256))))
        .hasMessageContaining("use 1 to 128 letters");
    assertThat(gantry.client.runs(null, Set.of(), 10)).isEmpty();
  }

  @Test
  void aParameterWithoutAValueIsRefusedNotTakenAsAbsent() {
    Map<String, String> rows = new HashMap<>();
    rows.put("rows", null);
    assertThatThrownBy(() -> gantry.client.createRuns("etl", null, rows, Set.of(), 1))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "parameter 'rows' of flow 'etl' has no value; give it as text, or leave it out for its"
                + " default");
    assertThat(gantry.client.runs(null, Set.of(), 10)).isEmpty();
  }

  @Test
  void aValidExtraLabelIsAddedToTheFlows() {
    assertThat(gantry.client.createRun("etl", Map.of(), Set.of("gpu_1.x")).labels())
        .contains("gpu_1.x");
  }
}
