package dev.gantry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.storage.StorageException;
import org.junit.jupiter.api.Test;

class S3LocationTest {

  @Test
  void aPlainLocationHasNoQuery() {
    S3Location location = new S3Location("flows", "etl/abc.gantry", null, null, null);

    assertThat(location.toUri()).isEqualTo("s3://flows/etl/abc.gantry");
    assertThat(S3Location.parse(location.toUri())).isEqualTo(location);
  }

  @Test
  void regionEndpointAndCredentialsSecretTravelInTheQuery() {
    S3Location location =
        new S3Location(
            "flows",
            "team a/etl/source.gantry",
            "eu-west-1",
            "http://127.0.0.1:9000",
            "AWS_CREDENTIALS");

    String uri = location.toUri();

    assertThat(uri)
        .isEqualTo(
            "s3://flows/team%20a/etl/source.gantry?region=eu-west-1"
                + "&endpoint=http%3A%2F%2F127.0.0.1%3A9000&credentials=AWS_CREDENTIALS");
    assertThat(S3Location.parse(uri)).isEqualTo(location);
    assertThat(location.objectName()).isEqualTo("s3://flows/team a/etl/source.gantry");
  }

  @Test
  void aPlusInAKeyIsKeptApartFromASpace() {
    S3Location location = new S3Location("flows", "a+b c/x.gantry", null, null, null);

    assertThat(S3Location.parse(location.toUri()).key()).isEqualTo("a+b c/x.gantry");
  }

  @Test
  void malformedLocationsAreRefusedNamingThem() {
    assertThatThrownBy(() -> S3Location.parse("s3://flows"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("s3://flows")
        .hasMessageContaining("names no key");
    assertThatThrownBy(() -> S3Location.parse("s3://flows/k?password=x"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("unknown parameter 'password'");
    assertThatThrownBy(() -> S3Location.parse("s3:///k"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("expected s3://BUCKET/KEY");
  }
}
