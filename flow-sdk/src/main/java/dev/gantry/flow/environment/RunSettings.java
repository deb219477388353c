package dev.gantry.flow.environment;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The copy-on-write steps the run configurations share: a checked setting added, labels added. */
final class RunSettings {
  private RunSettings() {}

  /** A sorted, unmodifiable copy, every value checked. */
  static Map<String, String> copyOf(Map<String, String> settings) {
    Map<String, String> out = new TreeMap<>();
    settings.forEach((name, value) -> out.put(name, RunSetting.check(name, value)));
    return Collections.unmodifiableMap(out);
  }

  /** {@code settings} with {@code name} set to {@code value}, checked. */
  static Map<String, String> with(Map<String, String> settings, String name, String value) {
    Map<String, String> out = new TreeMap<>(settings);
    out.put(name, RunSetting.check(name, value));
    return Collections.unmodifiableMap(out);
  }

  static Set<String> plus(Set<String> set, String... more) {
    Set<String> all = new LinkedHashSet<>(set);
    all.addAll(Set.of(more));
    return all;
  }
}
