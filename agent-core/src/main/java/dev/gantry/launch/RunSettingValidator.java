package dev.gantry.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A launcher kind's check of run settings that only it understands (a Kubernetes job template), so
 * registration refuses a malformed one instead of every launch. Found with {@link ServiceLoader};
 * the setting's general form is already checked by {@code RunSetting}.
 */
public interface RunSettingValidator {

  /**
   * @param name the setting's name, such as {@code job-template}
   * @throws IllegalArgumentException one line naming the setting and what is wrong
   */
  void check(String name, String value);

  /** The validators on the class path. */
  static List<RunSettingValidator> installed() {
    List<RunSettingValidator> out = new ArrayList<>();
    ServiceLoader.load(RunSettingValidator.class).forEach(out::add);
    return out;
  }
}
