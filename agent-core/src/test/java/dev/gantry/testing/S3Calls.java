package dev.gantry.testing;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Records the S3 operations this JVM calls, so tests can see how an upload went (one PUT or parts).
 * The SDK installs it in every client from the test class path's {@code
 * software/amazon/awssdk/global/handlers/execution.interceptors}.
 */
public final class S3Calls implements ExecutionInterceptor {
  private static final ConcurrentLinkedQueue<String> CALLS = new ConcurrentLinkedQueue<>();

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    CALLS.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
  }

  /** The operations called since the last {@link #clear()}, in order. */
  public static List<String> operations() {
    return List.copyOf(CALLS);
  }

  public static void clear() {
    CALLS.clear();
  }
}
