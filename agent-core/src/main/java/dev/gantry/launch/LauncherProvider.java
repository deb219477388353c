package dev.gantry.launch;

/**
 * Registers a kind of launcher with the CLI through {@link java.util.ServiceLoader}: {@code gantry
 * agent start KIND} runs the command object it provides.
 */
public interface LauncherProvider {

  String kind();

  /**
   * A new picocli command object for {@code gantry agent start KIND}; typically a subclass of
   * {@code dev.gantry.cli.AgentStartCommand} with the kind's own options.
   */
  Object startCommand();

  /**
   * A new picocli command object for {@code gantry agent install KIND} (printing what deploys an
   * agent of this kind), or null when the kind has none.
   */
  default Object installCommand() {
    return null;
  }
}
