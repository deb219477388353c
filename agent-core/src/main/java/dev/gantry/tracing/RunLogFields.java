package dev.gantry.tracing;

import dev.gantry.domain.FlowRun;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The MDC fields of log lines about one run attempt ({@code run_id}, {@code flow}, {@code
 * flow_version}, {@code attempt}, {@code agent}, {@code agent_kind}, {@code trace_id}), set for a
 * scope on the current thread. Closing restores what the thread had before, so scopes nest.
 */
public final class RunLogFields implements AutoCloseable {
  public static final String RUN_ID = "run_id";
  public static final String FLOW = "flow";
  public static final String FLOW_VERSION = "flow_version";
  public static final String ATTEMPT = "attempt";
  public static final String AGENT = "agent";
  public static final String AGENT_KIND = "agent_kind";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";

  private final Map<String, String> previous = new HashMap<>();

  private RunLogFields(Map<String, String> fields) {
    fields.forEach(
        (name, value) -> {
          previous.put(name, MDC.get(name));
          if (value == null) {
            MDC.remove(name);
          } else {
            MDC.put(name, value);
          }
        });
  }

  /** The fields of a run attempt this agent works on. */
  public static Map<String, String> of(FlowRun run, String agentKind) {
    TraceParent trace = TraceParent.forAttempt(run.id(), run.attempt());
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(RUN_ID, run.id());
    fields.put(FLOW, run.flowName());
    fields.put(FLOW_VERSION, Integer.toString(run.flowVersion()));
    fields.put(ATTEMPT, Integer.toString(run.attempt()));
    fields.put(AGENT, run.agentId());
    fields.put(AGENT_KIND, agentKind);
    fields.put(TRACE_ID, trace.traceId());
    fields.put(SPAN_ID, trace.spanId());
    return fields;
  }

  /** Sets {@code fields} (a null value removes one) until closed. */
  public static RunLogFields open(Map<String, String> fields) {
    return new RunLogFields(fields == null ? Map.of() : fields);
  }

  /** The current thread's fields, to {@link #open} them on the thread that continues the work. */
  public static Map<String, String> capture() {
    Map<String, String> copy = MDC.getCopyOfContextMap();
    return copy == null ? Map.of() : copy;
  }

  @Override
  public void close() {
    previous.forEach(
        (name, value) -> {
          if (value == null) {
            MDC.remove(name);
          } else {
            MDC.put(name, value);
          }
        });
  }
}
