package dev.gantry.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.model.PullResponseItem;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows one pull's progress stream. Unlike docker-java's own callbacks it logs nothing: a failed
 * pull is reported once, in one line, by the launcher (docker-java's callback template prints the
 * whole stack trace of every error).
 */
final class PullProgress implements ResultCallback<PullResponseItem> {
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile Closeable stream;
  private volatile PullResponseItem last;

  @Override
  public void onStart(Closeable stream) {
    this.stream = stream;
  }

  @Override
  public void onNext(PullResponseItem item) {
    last = item;
    if (item.getErrorDetail() != null || item.getError() != null) {
      String error =
          item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
              ? item.getErrorDetail().getMessage()
              : item.getError();
      done.completeExceptionally(new DockerClientException(error));
    }
  }

  @Override
  public void onError(Throwable error) {
    done.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    PullResponseItem item = last;
    if (item != null && !item.isPullSuccessIndicated()) {
      done.completeExceptionally(
          new DockerClientException(
              "the pull ended without success: "
                  + (item.getStatus() == null ? "no status" : item.getStatus())));
    }
    done.complete(null);
  }

  /**
   * Waits for the pull's end.
   *
   * @return false when it did not end within the time
   * @throws RuntimeException the engine's or the registry's error
   */
  boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      done.get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re ? re : new DockerClientException(cause.toString());
    }
  }

  @Override
  public void close() throws IOException {
    done.complete(null);
    Closeable open = stream;
    if (open != null) {
      open.close();
    }
  }
}
