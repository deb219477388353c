package dev.gantry.docker;

import dev.gantry.docker.testing.TestDocker;

/** docker-java's log streams, the fallback for engines behind TLS or a named pipe. */
class DockerJavaLogStreamsTest extends LogStreamsContractTest {

  @Override
  LogStreams open() {
    return new DockerJavaLogStreams(TestDocker.client());
  }
}
