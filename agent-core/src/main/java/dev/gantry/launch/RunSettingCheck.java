package dev.gantry.launch;

import dev.gantry.catalog.RunConfig;
import dev.gantry.catalog.RunSettingValue;
import dev.gantry.domain.RunState;
import dev.gantry.flow.environment.RunSetting;
import java.util.Set;

/**
 * Refuses a launch whose flow asks for a setting the launcher cannot apply, so no setting is ever
 * silently dropped.
 */
public final class RunSettingCheck {
  private RunSettingCheck() {}

  /**
   * @param kind the launcher's kind, for the message
   * @param applied the settings this launcher applies
   * @throws LaunchException (Failed) naming the first setting it cannot apply
   */
  public static void applicable(
      LaunchRequest request, RunConfig config, String kind, Set<RunSetting> applied)
      throws LaunchException {
    for (RunSettingValue s : config.settings()) {
      if (!applied.contains(RunSetting.named(s.name()))) {
        throw new LaunchException(
            "run "
                + request.runId()
                + " of flow '"
                + request.flow().name()
                + "': the "
                + kind
                + " launcher cannot apply run setting "
                + s.name()
                + " ("
                + s.source()
                + "); run the flow on an agent that can, or register it without that setting",
            RunState.Failed,
            "RunSettingUnsupported",
            null);
      }
    }
  }
}
