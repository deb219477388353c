package dev.gantry.catalog;

import java.util.Objects;

/** One run setting of a flow version, its value and where it came from. */
public record RunSettingValue(String name, String value, RunSettingSource source) {

  public RunSettingValue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(source, "source");
  }

  /** {@code memory=2g (flow)}; a job template shows as its size, not its text. */
  public String describe() {
    String shown =
        name.equals("job-template") ? "(" + value.length() + " characters of YAML)" : value;
    return name + "=" + shown + " (" + source + ")";
  }
}
