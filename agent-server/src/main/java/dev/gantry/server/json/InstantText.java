package dev.gantry.server.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Writes an {@link Instant} as {@link DateTimeFormatter#ISO_INSTANT} does ({@code
 * 2026-12-03T12:22:02.123Z}: UTC, seconds always, the fraction in groups of three digits as
 * needed), without the formatter's general machinery: a page of 1,000 log lines or 50 runs holds
 * 1,000 or 250 of them, and {@code DateTimeFormatter} was half of the API's JSON time (JFR, {@code
 * gantry bench api}). Years outside 0000–9999 go through the formatter.
 */
final class InstantText extends StdSerializer<Instant> {
  private static final long serialVersionUID = 1L;

  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
  private static final long MIN_FAST = -62_167_219_200L;

  private static final long MAX_FAST = 253_402_300_799L;
  private static final int SECONDS_PER_DAY = 86_400;

  InstantText() {
    super(Instant.class);
  }

  @Override
  public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
      throws IOException {
    char[] text = new char[30];
    int length = format(value, text);
    if (length < 0) {
      gen.writeString(DateTimeFormatter.ISO_INSTANT.format(value));
    } else {
      gen.writeString(text, 0, length);
    }
  }

  /** Writes {@code value} into {@code out} (30 chars at least); -1 when outside the fast range. */
  static int format(Instant value, char[] out) {
    long seconds = value.getEpochSecond();
    if (seconds < MIN_FAST || seconds > MAX_FAST) {
      return -1;
    }
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, SECONDS_PER_DAY));
    int ofDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    int i = digits(out, 0, date.getYear(), 4);
    out[i++] = '-';
    i = digits(out, i, date.getMonthValue(), 2);
    out[i++] = '-';
    i = digits(out, i, date.getDayOfMonth(), 2);
    out[i++] = 'T';
    i = digits(out, i, ofDay / 3600, 2);
    out[i++] = ':';
    i = digits(out, i, ofDay / 60 % 60, 2);
    out[i++] = ':';
    i = digits(out, i, ofDay % 60, 2);
    int nanos = value.getNano();
    if (nanos > 0) {
      out[i++] = '.';
      if (nanos % 1_000_000 == 0) {
        i = digits(out, i, nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        i = digits(out, i, nanos / 1000, 6);
      } else {
        i = digits(out, i, nanos, 9);
      }
    }
    out[i++] = 'Z';
    return i;
  }

  /** {@code value} as exactly {@code width} decimal digits, zero-padded, at {@code at}. */
  private static int digits(char[] out, int at, int value, int width) {
    for (int p = at + width - 1; p >= at; p--) {
      out[p] = (char) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }
}
