package dev.gantry.kubernetes;

import dev.gantry.flow.environment.RunSetting;
import dev.gantry.launch.RunSettingValidator;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** Registration refuses a flow's job template that is not one Job of known fields. */
public final class JobTemplateValidator implements RunSettingValidator {

  @Override
  public void check(String name, String value) {
    if (RunSetting.JOB_TEMPLATE.key().equals(name)) {
      ManifestYaml.readOne(value, Job.class, "run setting job-template");
    }
  }
}
