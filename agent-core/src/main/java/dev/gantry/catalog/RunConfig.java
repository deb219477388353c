package dev.gantry.catalog;

import dev.gantry.flow.environment.RunSetting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run settings of a flow version ({@link RunSetting}), each with its source: the flow's own,
 * overridden by registration options; at launch the agent's defaults fill in what neither set.
 * Sorted by name, one value per name.
 */
public record RunConfig(List<RunSettingValue> settings) {

  public static final RunConfig EMPTY = new RunConfig(List.of());

  public RunConfig {
    Map<String, RunSettingValue> byName = new LinkedHashMap<>();
    settings.forEach(s -> byName.put(s.name(), s));
    List<RunSettingValue> sorted = new ArrayList<>(byName.values());
    sorted.sort(Comparator.comparing(RunSettingValue::name));
    settings = List.copyOf(sorted);
  }

  /**
   * The flow's settings overridden by the registration's; every value checked.
   *
   * @throws IllegalArgumentException one line naming the first malformed setting
   */
  public static RunConfig of(Map<String, String> flow, Map<String, String> registration) {
    Map<String, RunSettingValue> out = new LinkedHashMap<>();
    flow.forEach(
        (n, v) ->
            out.put(n, new RunSettingValue(n, RunSetting.check(n, v), RunSettingSource.flow)));
    registration.forEach(
        (n, v) ->
            out.put(
                n, new RunSettingValue(n, RunSetting.check(n, v), RunSettingSource.registration)));
    return new RunConfig(new ArrayList<>(out.values()));
  }

  /** These settings, with the agent's defaults where they set nothing. */
  public RunConfig withAgentDefaults(Map<String, String> defaults) {
    Map<String, RunSettingValue> out = new LinkedHashMap<>();
    defaults.forEach((n, v) -> out.put(n, new RunSettingValue(n, v, RunSettingSource.agent)));
    settings.forEach(s -> out.put(s.name(), s));
    return new RunConfig(new ArrayList<>(out.values()));
  }

  public boolean isEmpty() {
    return settings.isEmpty();
  }

  public Optional<String> value(RunSetting setting) {
    return find(setting.key()).map(RunSettingValue::value);
  }

  public Optional<RunSettingValue> find(String name) {
    return settings.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The run's environment variables ({@code env.NAME} settings). */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    String prefix = RunSetting.ENV.key();
    settings.stream()
        .filter(s -> s.name().startsWith(prefix))
        .forEach(s -> env.put(s.name().substring(prefix.length()), s.value()));
    return env;
  }

  public Optional<Duration> runTimeout() {
    return value(RunSetting.RUN_TIMEOUT).map(RunSetting::parseDuration);
  }

  /** One line per setting: {@code memory=2g (flow)}. */
  public List<String> describe() {
    return settings.stream().map(RunSettingValue::describe).toList();
  }
}
