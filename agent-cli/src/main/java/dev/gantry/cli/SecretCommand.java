package dev.gantry.cli;

import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.secrets.MasterKey;
import dev.gantry.secrets.SecretVault;
import dev.gantry.server.client.ApiGantryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry secret ...}: the named secrets runs receive, encrypted in the backend. */
@Command(
    name = "secret",
    description = {
      "Set, list and delete the named secrets runs receive (such as AWS_CREDENTIALS).",
      "Values are encrypted with AES-GCM before they reach the backend, with the key in"
          + " GANTRY_SECRET_KEY (base64, 256 bits) or else the key file secret.key in the Gantry"
          + " home, created on first use readable by its owner only. Every agent that runs flows"
          + " needing secrets must have the same key."
    },
    mixinStandardHelpOptions = true,
    subcommands = {
      SecretCommand.Set.class,
      SecretCommand.ListSecrets.class,
      SecretCommand.Delete.class
    })
public final class SecretCommand {

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Create or replace a secret. Prefer --from-file or --from-env: a --value stays in the"
            + " shell's history.",
        "AWS_CREDENTIALS holds JSON: {\"ACCESS_KEY\": \"...\", \"SECRET_ACCESS_KEY\": \"...\"}"
            + " with an optional \"SESSION_TOKEN\"."
      })
  static final class Set implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name.")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(names = "--value", paramLabel = "VALUE", description = "The value itself.")
      String value;

      @Option(
          names = "--from-file",
          paramLabel = "FILE",
          description = "Read the value from a UTF-8 file; one final line break is dropped.")
      Path file;

      @Option(
          names = "--from-env",
          paramLabel = "VARIABLE",
          description = "Read the value from an environment variable of this process.")
      String variable;
    }

    @Override
    public Integer call() {
      String value = value();
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient client = backend.client()) {
        if (client instanceof ApiGantryClient server) {
          server.setSecret(name, value); // encrypted by the server, with its key
          out.printf("Secret %s set (encrypted by the server at %s)%n", name, server.url());
          out.flush();
          return 0;
        }
        DatabaseGantryClient gantry = (DatabaseGantryClient) client;
        MasterKey key;
        try {
          key = gantry.storeSecret(name, value);
        } catch (IllegalArgumentException e) {
          throw new UserError(e.getMessage());
        }
        if (key.created()) {
          out.printf(
              "Created the secret key file %s (readable by you only): keep a copy; secrets"
                  + " cannot be read without it, and agents need the same key%n",
              MasterKey.defaultFile(gantry.home().dir()));
        }
        out.printf("Secret %s set (encrypted with the key from %s)%n", name, key.source());
        out.flush();
      }
      return 0;
    }

    private String value() {
      if (source.value != null) {
        return source.value;
      }
      if (source.variable != null) {
        String value = System.getenv(source.variable);
        if (value == null) {
          throw new UserError("environment variable " + source.variable + " is not set");
        }
        return value;
      }
      try {
        // Checked before reading, so a wrong path to a large file fails fast; +2 for a final CRLF.
        if (Files.size(source.file) > SecretVault.MAX_VALUE_BYTES + 2) {
          throw new UserError(
              source.file
                  + " is larger than a secret may be ("
                  + SecretVault.MAX_VALUE_BYTES
                  + " bytes)");
        }
        byte[] bytes = Files.readAllBytes(source.file);
        String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        return dropFinalLineBreak(text);
      } catch (NoSuchFileException e) {
        throw new UserError("file " + source.file + " does not exist");
      } catch (CharacterCodingException e) {
        throw new UserError("file " + source.file + " is not UTF-8 text");
      } catch (IOException e) {
        throw new UserError("cannot read " + source.file + ": " + e.getMessage());
      }
    }

    /** Editors end files with a line break that is not part of the secret. */
    static String dropFinalLineBreak(String text) {
      if (text.endsWith("\r\n")) {
        return text.substring(0, text.length() - 2);
      }
      if (text.endsWith("\n")) {
        return text.substring(0, text.length() - 1);
      }
      return text;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List secrets: names and when they were set, never values.")
  static final class ListSecrets implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        Table table = new Table("NAME", "UPDATED");
        for (SecretSummary secret : gantry.secrets()) {
          table.row(secret.name(), Render.time(secret.updatedAt()));
        }
        if (table.isEmpty()) {
          out.println("No secrets. Set one with `gantry secret set NAME --from-env VARIABLE`.");
        } else {
          table.print(out);
        }
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a secret.")
  static final class Delete implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name.")
    String name;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        gantry.deleteSecret(name);
        out.printf(
            "Secret %s deleted; runs of flows that need it now fail at launch until it is set"
                + " again%n",
            name);
        out.flush();
      }
      return 0;
    }
  }
}
