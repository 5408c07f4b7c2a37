package io.nudge.server.ingest;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;

/**
 * ISO-8601 date-times as Segment calls carry them, with an offset or zone; without one, UTC.
 *
 * <p>{@code DateTimeFormatter.parseBest} was a fifth of the event loop's time under load, so the
 * shape nearly every SDK sends, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±hh:mm)} or the same without
 * an offset, is read by hand. Anything else, however unusual, goes to the general parser, so what is
 * accepted and what is refused stays exactly as it was. (The general parser refuses {@code ±hhmm},
 * so the fast path does too.)
 */
final class Timestamps {
  private static final int DAYS_0000_TO_1970 = 719_528;
  private static final int MAX_OFFSET_SECONDS = 18 * 3600;

  private Timestamps() {}

  /**
   * The instant {@code text} names, read as the general parser reads it once trimmed.
   *
   * @throws DateTimeParseException when it is not an ISO-8601 date-time
   */
  static Instant parse(String text) {
    Instant fast = fast(text);
    return fast != null ? fast : general(text);
  }

  /** What ingestion has always done: ISO_DATE_TIME, zoned when it can be, else local in UTC. */
  static Instant general(String text) {
    TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text.trim(),
        ZonedDateTime::from, LocalDateTime::from);
    return parsed instanceof ZonedDateTime z ? z.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
  }

  /** The common shapes read by hand, or null when {@code text} is not one of them or not a valid time. */
  static Instant fast(String text) {
    int length = text.length();
    if (length < 19 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
        || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int at = 19;
    int nanos = 0;
    if (at < length && text.charAt(at) == '.') {
      int start = ++at;
      while (at < length && at - start < 10 && isDigit(text.charAt(at))) {
        nanos = nanos * 10 + (text.charAt(at) - '0');
        at++;
      }
      int count = at - start;
      if (count < 1 || count > 9) {
        return null;
      }
      for (int i = count; i < 9; i++) {
        nanos *= 10;
      }
    }
    int offset = offsetSeconds(text, at);
    if (offset == Integer.MIN_VALUE) {
      return null;
    }
    long epochDay = epochDay(year, month, day);
    long seconds = epochDay * 86_400 + hour * 3600 + minute * 60 + second - offset;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** The offset that ends the text at {@code at}: none (UTC), Z or ±hh:mm; MIN_VALUE for anything else. */
  private static int offsetSeconds(String text, int at) {
    int rest = text.length() - at;
    if (rest == 0) {
      return 0;
    }
    if (rest == 1 && text.charAt(at) == 'Z') {
      return 0;
    }
    char sign = text.charAt(at);
    if (rest != 6 || sign != '+' && sign != '-' || text.charAt(at + 3) != ':') {
      return Integer.MIN_VALUE;
    }
    int hours = digits(text, at + 1, 2);
    int minutes = digits(text, at + 4, 2);
    if (hours < 0 || minutes < 0 || minutes > 59) {
      return Integer.MIN_VALUE;
    }
    int seconds = hours * 3600 + minutes * 60;
    if (seconds > MAX_OFFSET_SECONDS) {
      return Integer.MIN_VALUE;
    }
    return sign == '-' ? -seconds : seconds;
  }

  /** The decimal number in {@code count} ASCII digits from {@code from}, or -1 if any is not a digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> isLeap(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static boolean isLeap(int year) {
    return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  /** Days from 1970-01-01 in the proleptic Gregorian calendar, as {@code LocalDate.toEpochDay}. */
  private static long epochDay(int year, int month, int day) {
    long y = year;
    long total = 365 * y;
    total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
    total += (367 * month - 362) / 12;
    total += day - 1;
    if (month > 2) {
      total--;
      if (!isLeap(year)) {
        total--;
      }
    }
    return total - DAYS_0000_TO_1970;
  }
}
