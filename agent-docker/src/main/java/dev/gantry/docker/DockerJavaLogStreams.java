package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.IOException;
import java.time.Instant;

/**
 * Follows logs through docker-java, for engines the agent cannot reach with its own connections
 * (TLS, named pipes). docker-java reads each followed stream on a thread of its own.
 */
final class DockerJavaLogStreams implements LogStreams {
  private final DockerClient docker;

  DockerJavaLogStreams(DockerClient docker) {
    this.docker = docker;
  }

  @Override
  public Stream read(String containerId, Instant since, boolean follow, Listener listener) {
    LogContainerCmd command =
        docker
            .logContainerCmd(containerId)
            .withFollowStream(follow)
            .withStdOut(true)
            .withStdErr(true)
            .withTimestamps(true);
    if (since != null) {
      command.withSince((int) since.getEpochSecond());
    }
    LogLineDecoder lines = new LogLineDecoder(listener::line);
    ResultCallback.Adapter<Frame> callback =
        new ResultCallback.Adapter<>() {
          private volatile boolean closedByUs;

          @Override
          public void onNext(Frame frame) {
            int stream = frame.getStreamType() == StreamType.STDERR ? 2 : 1;
            lines.message(stream, frame.getPayload());
          }

          @Override
          public void onError(Throwable error) {
            if (!closedByUs) {
              lines.finish();
              listener.ended(
                  new IOException(
                      "following the logs of container " + containerId + " failed: " + error,
                      error));
            }
            // Not super.onError: it logs every error at ERROR, an ended stream included.
            try {
              super.close();
            } catch (IOException e) {
              // the stream is gone either way
            }
          }

          @Override
          public void onComplete() {
            if (!closedByUs) {
              lines.finish();
              listener.ended(null);
            }
            super.onComplete();
          }

          @Override
          public void close() throws IOException {
            closedByUs = true;
            super.close();
          }
        };
    command.exec(callback);
    return () -> {
      try {
        callback.close();
      } catch (IOException e) {
        // the stream is gone either way
      }
    };
  }

  @Override
  public void close() {
    // each stream's thread ends with its stream; docker-java's client is closed by the launcher
  }
}
