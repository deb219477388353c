package dev.gantry.cli;

import dev.gantry.bootstrap.Bootstrap;
import dev.gantry.flow.GantryVersion;
import dev.gantry.launch.LauncherProvider;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;

/** The {@code gantry} command's entry point. */
public final class Gantry {
  private Gantry() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("execute")) {
      // Inside a run, log events must become protocol lines; set before any logger exists.
      System.setProperty("logback.configurationFile", Bootstrap.LOGBACK_CONFIG);
    } else {
      try {
        // Text keeps Logback's own lookup (logback.xml, or a file the operator names).
        if (LogFormat.select(args, System.getenv()) == LogFormat.json) {
          System.setProperty("logback.configurationFile", LogFormat.json.configuration());
        }
      } catch (IllegalArgumentException e) {
        System.err.println("error: " + e.getMessage());
        System.exit(2);
      }
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * The command tree, with one {@code agent start KIND} (and {@code agent install KIND} where
   * offered) per launcher found on the class path.
   */
  public static CommandLine commandLine() {
    CommandLine root = new CommandLine(new GantryCommand());
    CommandLine agent = root.getSubcommands().get("agent");
    CommandLine start = agent.getSubcommands().get("start");
    CommandLine install = agent.getSubcommands().get("install");
    for (LauncherProvider<?> provider : LauncherProvider.installed()) {
      AgentStartCommand<?> starter = startCommand(provider.kind());
      if (starter != null) {
        start.addSubcommand(provider.kind(), starter);
      }
      Object installer = installCommand(provider.kind());
      if (installer != null) {
        install.addSubcommand(provider.kind(), installer);
      }
    }
    offerVersionEverywhere(root);
    root.setExecutionExceptionHandler(Gantry::reportError);
    return root;
  }

  /** {@code -V/--version} on every command prints Gantry's version, not nothing. */
  private static void offerVersionEverywhere(CommandLine command) {
    command.getCommandSpec().versionProvider(new Version());
    command.getSubcommands().values().forEach(Gantry::offerVersionEverywhere);
  }

  /** The CLI's options for a launcher kind, or null for a kind this CLI has no command for. */
  static AgentStartCommand<?> startCommand(String kind) {
    return switch (kind) {
      case "local" -> new LocalAgentStartCommand();
      case "docker" -> new DockerAgentStartCommand();
      case "kubernetes" -> new KubernetesAgentStartCommand();
      default -> null;
    };
  }

  /** {@code gantry agent install KIND} for the kinds that can be deployed, else null. */
  static Object installCommand(String kind) {
    return kind.equals("kubernetes") ? new KubernetesInstallCommand() : null;
  }

  /** Errors print as one line that says what is wrong; details only at debug level. */
  private static int reportError(
      Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
    PrintWriter err = command.getErr();
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    Throwable kubernetes = e;
    while (kubernetes != null && !(kubernetes instanceof KubernetesClientException)) {
      kubernetes = kubernetes.getCause();
    }
    if (kubernetes != null) {
      err.println("error: " + KubernetesCluster.describe((KubernetesClientException) kubernetes));
      err.flush();
      LoggerFactory.getLogger(Gantry.class).debug("command failed", e);
      return 1;
    }
    boolean expected =
        e instanceof IllegalArgumentException
            || e instanceof UserError
            || e instanceof IllegalStateException
            || e.getClass().getPackageName().startsWith("dev.gantry");
    err.println("error: " + (expected ? message : e.getClass().getSimpleName() + ": " + message));
    err.flush();
    LoggerFactory.getLogger(Gantry.class).debug("command failed", e);
    return 1;
  }

  /** {@code gantry --version}. */
  public static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "gantry " + GantryVersion.current() + " (Java " + System.getProperty("java.version") + ")"
      };
    }
  }
}
