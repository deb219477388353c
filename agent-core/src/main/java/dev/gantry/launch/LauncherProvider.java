package dev.gantry.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A kind of launcher, found through {@link java.util.ServiceLoader}: it names its kind and makes a
 * {@link Launcher} from the kind's typed settings. The CLI's {@code gantry agent start KIND} maps
 * its options to those settings; the agent only ever sees the {@link Launcher}.
 *
 * @param <S> the kind's settings, e.g. {@code DockerSettings}
 */
public interface LauncherProvider<S> {

  /** The kind, as in {@code gantry agent start KIND}. */
  String kind();

  /** The type of the settings {@link #create} takes. */
  Class<S> settingsType();

  /** A new launcher with these settings; the caller closes it. */
  Launcher create(S settings);

  /** The providers on the class path, in class-path order. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static List<LauncherProvider<?>> installed() {
    List<LauncherProvider<?>> providers = new ArrayList<>();
    for (LauncherProvider provider : ServiceLoader.load(LauncherProvider.class)) {
      providers.add(provider);
    }
    return providers;
  }

  /**
   * The installed provider of a kind whose settings are of the given type.
   *
   * @throws IllegalStateException when no such provider is on the class path
   */
  @SuppressWarnings("unchecked")
  static <S> LauncherProvider<S> find(String kind, Class<S> settingsType) {
    for (LauncherProvider<?> provider : installed()) {
      if (provider.kind().equals(kind) && provider.settingsType().equals(settingsType)) {
        return (LauncherProvider<S>) provider;
      }
    }
    throw new IllegalStateException("no launcher of kind '" + kind + "' is installed");
  }
}
