package dev.gantry.launch.local;

import dev.gantry.launch.Launcher;
import dev.gantry.launch.LauncherProvider;
import java.util.List;

/** The {@code local} kind: each run in a child JVM on this machine. */
public final class LocalLauncherProvider
    implements LauncherProvider<LocalLauncherProvider.Settings> {

  /**
   * The local launcher's settings.
   *
   * @param javaOptions the runs' JVM options; empty for {@link LocalLauncher#DEFAULT_JVM_OPTIONS}
   * @param warmStart keep one JVM started and warmed up ahead of the next run
   */
  public record Settings(List<String> javaOptions, boolean warmStart) {
    public Settings {
      javaOptions = List.copyOf(javaOptions);
    }
  }

  @Override
  public String kind() {
    return "local";
  }

  @Override
  public Class<Settings> settingsType() {
    return Settings.class;
  }

  @Override
  public Launcher create(Settings settings) {
    return new LocalLauncher(
        settings.javaOptions().isEmpty()
            ? LocalLauncher.DEFAULT_JVM_OPTIONS
            : settings.javaOptions(),
        settings.warmStart());
  }
}
