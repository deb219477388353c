package dev.gantry.server.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.catalog.WhenLimited;
import dev.gantry.flow.storage.Http;
import dev.gantry.flow.storage.S3;
import dev.gantry.flow.storage.Storage.Format;
import dev.gantry.registration.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistrationRequestTest {

  @Test
  void aRegistrationSurvivesTheTripThroughJsonExceptItsJars() throws Exception {
    Registration sent =
        new Registration(
            List.of(Path.of("client/etl.jar")),
            "com.acme.Flows#etl",
            BundleFormat.source,
            new S3(
                "bucket",
                "flows/",
                "eu-west-1",
                "http://127.0.0.1:9000",
                Format.SOURCE,
                true,
                Set.of("AWS_CREDENTIALS"),
                "AWS_CREDENTIALS"),
            Set.of("gpu"),
            false,
            new RunPolicy(2, 3, WhenLimited.cancel),
            new FlowSchedule(null, Duration.ofMinutes(15)));
    String json = Json.mapper().writeValueAsString(RegistrationRequest.of(sent));
    assertThat(json).contains("\"kind\":\"s3\"");

    RegistrationRequest read = Json.mapper().readValue(json, RegistrationRequest.class);
    Registration received = read.toRegistration(List.of(Path.of("server/upload-0.jar")));

    assertThat(received.withLabels(sent.labels()))
        .isEqualTo(
            new Registration(
                List.of(Path.of("server/upload-0.jar")),
                sent.factory(),
                sent.format(),
                sent.storage(),
                sent.labels(),
                sent.defaultLabels(),
                sent.policy(),
                sent.schedule()));
  }

  @Test
  void omittedSettingsTakeTheDefaultsOfTheCli() throws Exception {
    Registration received =
        Json.mapper()
            .readValue("{\"factory\":\"com.acme.Flows#etl\"}", RegistrationRequest.class)
            .toRegistration(List.of(Path.of("a.jar")));
    assertThat(received.storage()).isNull();
    assertThat(received.defaultLabels()).isTrue();
    assertThat(received.policy()).isEqualTo(RunPolicy.DEFAULT);
    assertThat(received.labels()).isEmpty();
  }

  @Test
  void anHttpStorageKeepsItsSecretHeaderReferences() throws Exception {
    Http http =
        new Http(
            "http://127.0.0.1:8081/{flow}/{digest}",
            Map.of("Authorization", "secret:WEB_TOKEN"),
            Format.SERIALIZED,
            true,
            Set.of("WEB_TOKEN"));
    String json =
        Json.mapper()
            .writeValueAsString(
                RegistrationRequest.of(
                    Registration.of(Path.of("a.jar"), "a.B#c").withStorage(http)));
    assertThat(
            Json.mapper()
                .readValue(json, RegistrationRequest.class)
                .toRegistration(List.of(Path.of("a.jar")))
                .storage())
        .isEqualTo(http);
  }

  @Test
  void anUnknownStorageKindOrAMissingFactoryIsRefused() {
    assertThatThrownBy(
            () ->
                Json.mapper()
                    .readValue(
                        "{\"factory\":\"a.B#c\",\"storage\":{\"kind\":\"ftp\"}}",
                        RegistrationRequest.class))
        .isInstanceOf(InvalidTypeIdException.class)
        .hasMessageContaining("ftp");
    assertThatThrownBy(
            () ->
                Json.mapper()
                    .readValue("{\"labels\":[]}", RegistrationRequest.class)
                    .toRegistration(List.of(Path.of("a.jar"))))
        .hasMessageContaining("no factory");
  }
}
