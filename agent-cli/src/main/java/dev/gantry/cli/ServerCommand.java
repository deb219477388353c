package dev.gantry.cli;

import dev.gantry.agent.AgentOptions;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.LauncherProvider;
import dev.gantry.launch.local.LocalLauncherProvider;
import dev.gantry.metrics.ProcessMeters;
import dev.gantry.process.AgentProcess;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.server.ByteSize;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.ui.OneTimeSignIn;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry server ...}: the HTTP server in front of the backend. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "The Gantry server: the REST API over the backend, with tokens and roles.",
    subcommands = {ServerCommand.Start.class})
public final class ServerCommand {

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Serve /health/live, /health/ready and the API until SIGTERM or Ctrl-C.",
        "Create a token first with `gantry token create NAME --role admin`."
      })
  static final class Start implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--bind",
        paramLabel = "ADDRESS",
        defaultValue = GantryServer.Settings.DEFAULT_BIND,
        description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String bind;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = "" + GantryServer.Settings.DEFAULT_PORT,
        description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(
        names = "--max-upload",
        paramLabel = "SIZE",
        defaultValue = "256m",
        description =
            "Largest flow upload (POST /api/v1/flows: the jars) the server accepts, e.g. 64m or"
                + " 1g (default ${DEFAULT-VALUE}). JSON bodies stay limited to 1 MiB.")
    String maxUpload;

    @Option(
        names = "--tls-cert",
        paramLabel = "PEM",
        description =
            "Serve HTTPS only, with this PEM certificate (then its intermediates); needs"
                + " --tls-key. Without both, plain HTTP: put a TLS-terminating proxy in front.")
    java.nio.file.Path tlsCert;

    @Option(
        names = "--tls-key",
        paramLabel = "PEM",
        description = "The certificate's PKCS#8 private key (RSA or EC, unencrypted) in PEM.")
    java.nio.file.Path tlsKey;

    @Option(
        names = "--with-local-agent",
        description =
            "Also run a local agent (child JVMs, 4 slots, labelled with this host's name like"
                + " the flows local storage holds) and the flow schedules in this process: one"
                + " command for a working local installation.")
    boolean withLocalAgent;

    @Option(
        names = {"-l", "--label"},
        paramLabel = "LABEL",
        description = "More labels for the local agent of --with-local-agent (repeatable).")
    List<String> labels = List.of();

    @Option(
        names = "--sign-in-link",
        negatable = true,
        defaultValue = "true",
        fallbackValue = "true",
        description =
            "On a loopback --bind, print a one-time link that signs the browser into the web UI"
                + " as an admin (a 12-hour token held in memory; default: on). Never on other"
                + " addresses.")
    boolean signInLink;

    @Option(
        names = "--external-url",
        paramLabel = "URL",
        description =
            "Where browsers reach this server when it is not at --bind and --port, e.g. behind a"
                + " reverse proxy: https://ops.example/gantry/. The printed sign-in link uses it.")
    String externalUrl;

    @Override
    public Integer call() throws java.io.IOException, InterruptedException {
      GantryServer.Settings settings;
      try {
        settings =
            new GantryServer.Settings(bind, port, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES)
                .withMaxUploadBytes(ByteSize.parse("--max-upload", maxUpload));
        if ((tlsCert == null) != (tlsKey == null)) {
          throw new UserError("give --tls-cert and --tls-key together, or neither");
        }
        if (tlsCert != null) {
          settings = settings.withTls(new GantryServer.Tls(tlsCert, tlsKey));
        }
        if (externalUrl != null) {
          externalUrl = externalBase(externalUrl);
        }
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      try (DatabaseGantryClient gantry = backend.open()) {
        GantryServer server;
        // One registry: with --with-local-agent the agent's meters are on the server's /metrics.
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProcessMeters.bind(metrics, "server");
        try {
          server = GantryServer.start(gantry, settings, metrics);
        } catch (IllegalStateException | IllegalArgumentException e) {
          throw new UserError(e.getMessage());
        }
        try (server) {
          out.printf("Gantry server on %s://%s:%d%n", settings.scheme(), bind, server.port());
          if (signInLink && isLoopback(bind)) {
            String token =
                new ApiTokens(gantry.backend().tokens(), Clock.systemUTC())
                    .create(
                        "ui-link-" + Long.toHexString(System.nanoTime()),
                        Role.ADMIN,
                        Duration.ofHours(12))
                    .value();
            String base =
                externalUrl != null
                    ? externalUrl
                    : settings.scheme() + "://" + bind + ":" + server.port() + "/";
            out.printf(
                "Web UI: %s%s (one-time sign-in link, valid %d minutes)%n",
                base, server.signInLink(token), OneTimeSignIn.VALID_FOR.toMinutes());
          }
          out.flush();
          if (withLocalAgent) {
            runLocalAgent(gantry, server, metrics);
          } else {
            awaitTermination(server);
          }
        }
      }
      return 0;
    }

    /** The agent's own signal handling stops it (then the JVM); the server stops after it. */
    private void runLocalAgent(
        DatabaseGantryClient gantry, GantryServer server, PrometheusMeterRegistry metrics)
        throws java.io.IOException {
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "gantry-server-stop"));
      try (Launcher launcher =
          LauncherProvider.find("local", LocalLauncherProvider.Settings.class)
              .create(new LocalLauncherProvider.Settings(List.of(), true))) {
        AgentProcess process =
            AgentProcess.start(
                gantry,
                launcher,
                localAgentOptions(labels),
                BackendSecretSource.of(gantry.backend(), gantry.home().dir()),
                new AgentProcess.Settings(true, null, -1, true).withMetrics(metrics));
        process.awaitStopped();
      }
    }

    /** Without an agent, SIGTERM/SIGINT start the JVM's shutdown, which stops the server. */
    private static void awaitTermination(GantryServer server) throws InterruptedException {
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close();
                    stopped.countDown();
                  },
                  "gantry-server-stop"));
      stopped.await();
    }

    /**
     * The local agent of `gantry agent start local`'s defaults, labelled with the host name: local
     * storage gives every flow it holds that label, so the flows this machine registers run here.
     */
    private static AgentOptions localAgentOptions(List<String> extra) {
      Set<String> labels = new java.util.TreeSet<>(extra);
      labels.add(Local.hostName());
      return AgentOptions.defaults("local@" + Local.hostName(), Set.copyOf(labels));
    }

    /**
     * The {@code --external-url} as the base of the UI's links: an absolute http(s) URL with a
     * host, no query or fragment, ending in a slash.
     *
     * @throws IllegalArgumentException naming the option and the value when it is not one
     */
    static String externalBase(String value) {
      java.net.URI uri;
      try {
        uri = new java.net.URI(value.trim());
      } catch (java.net.URISyntaxException e) {
        uri = null;
      }
      if (uri == null
          || !("http".equalsIgnoreCase(uri.getScheme())
              || "https".equalsIgnoreCase(uri.getScheme()))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "--external-url must be an absolute http or https URL without query, fragment or"
                + " credentials, like https://ops.example/gantry/");
      }
      String text = uri.toString();
      return text.endsWith("/") ? text : text + "/";
    }

    private static boolean isLoopback(String bind) {
      try {
        return java.net.InetAddress.getByName(bind).isLoopbackAddress();
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
  }
}
