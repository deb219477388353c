package dev.gantry.bootstrap;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;

/**
 * The bootstrap's Logback appender: every log event of the flow (and of Gantry in the bootstrap)
 * becomes a {@code log} protocol line, attributed to the task named in the MDC.
 */
public final class ProtocolLogAppender extends AppenderBase<ILoggingEvent> {

  @Override
  protected void append(ILoggingEvent event) {
    ProtocolOutput output = ProtocolOutput.current();
    String message = event.getFormattedMessage();
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      message = message + " (" + thrown.getClassName() + ": " + thrown.getMessage() + ")";
    }
    if (output == null) {
      System.err.println(event.getLevel() + " " + event.getLoggerName() + " - " + message);
      return;
    }
    output.log(
        Instant.ofEpochMilli(event.getTimeStamp()),
        event.getLevel().toString(),
        event.getLoggerName(),
        event.getMDCPropertyMap().get("task"),
        message);
  }
}
