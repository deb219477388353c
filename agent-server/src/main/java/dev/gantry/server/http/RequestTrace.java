package dev.gantry.server.http;

import dev.gantry.tracing.RunLogFields;
import dev.gantry.tracing.TraceParent;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.slf4j.MDC;

/**
 * Puts a request's trace into the MDC while it is handled, so every line logged for it carries
 * {@code trace_id}: the caller's trace when it sent a valid {@code traceparent} header, else a new
 * one. The request's own span goes back in the response's {@code traceparent} header.
 */
public final class RequestTrace {
  private RequestTrace() {}

  /** Install before the other handlers, so theirs log with the trace too. */
  public static void install(RoutesConfig routes) {
    routes.before(RequestTrace::begin);
    routes.after(ctx -> end());
  }

  static void begin(Context ctx) {
    TraceParent span =
        TraceParent.parse(ctx.header(TraceParent.HEADER))
            .map(TraceParent::child)
            .orElseGet(TraceParent::random);
    MDC.put(RunLogFields.TRACE_ID, span.traceId());
    MDC.put(RunLogFields.SPAN_ID, span.spanId());
    ctx.header(TraceParent.HEADER, span.header());
  }

  static void end() {
    MDC.remove(RunLogFields.TRACE_ID);
    MDC.remove(RunLogFields.SPAN_ID);
  }
}
