package io.nudge.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

final class TimestampsTest {
  private static final long FIRST = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
  private static final long LAST = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  @Test
  void fast_randomTimesInEveryShape_giveTheGeneralParsersInstant() {
    Random random = new Random(20250301);
    SoftAssertions soft = new SoftAssertions();
    for (int i = 0; i < 20_000; i++) {
      String text = randomTimestamp(random);

      Instant fast = Timestamps.fast(text);

      soft.assertThat(fast).as(text).isNotNull().isEqualTo(Timestamps.general(text));
    }
    soft.assertAll();
  }

  @Test
  void fast_edgesOfTheCalendar_giveTheGeneralParsersInstant() {
    List<String> texts = List.of("0001-01-01T00:00:00Z", "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999999Z",
        "0000-01-01T00:00:00Z", "2000-02-29T12:00:00Z", "2024-02-29T23:59:59.5-18:00", "1900-02-28T00:00:00+18:00",
        "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999-00:00", "2025-12-31T23:59:59+00:30",
        "2025-03-01T11:00:00.1Z", "2025-03-01T11:00:00.123456789+05:45");

    for (String text : texts) {
      assertThat(Timestamps.fast(text)).as(text).isNotNull().isEqualTo(Timestamps.general(text));
    }
  }

  @Test
  void parse_otherShapesTheGeneralParserTakes_goToItAndGiveItsInstant() {
    List<String> texts = List.of(" 2025-03-01T11:00:00Z", "2025-03-01T11:00:00Z\n", "\t2025-03-01T11:00:00 ",
        "2025-03-01t11:00:00z", "2025-03-01T11:00Z", "2025-03-01T11:00", "2025-03-01T11:00:00.Z",
        "2025-03-01T11:00:00+01:00:30", "2025-03-01T11:00:00+01:00[Europe/Paris]", "2025-03-01T11:00:00Z[UTC]",
        "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z");

    for (String text : texts) {
      assertThat(Timestamps.fast(text)).as(text).isNull();
      assertThat(Timestamps.parse(text)).as(text).isEqualTo(Timestamps.general(text));
    }
    assertThat(Timestamps.parse(" 2025-03-01T11:00:00Z")).isEqualTo(Instant.parse("2025-03-01T11:00:00Z"));
  }

  @Test
  void parse_malformedText_isRefusedAsTheGeneralParserRefusesIt() {
    List<String> texts = List.of("2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-01-32T00:00:00Z",
        "2025-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z", "2025-01-01T23:59:60Z", "2025-01-01", "2025-01-01T",
        "2025-01-01T10", "2025-01-01 10:00:00Z", "2025-01-01T10:00:00ZZ", "2025-01-01T10:00:00Z junk",
        "2025-01-01T10:00:00.1234567891Z", "2025-01-01T10:00:00+0100", "2025-01-01T10:00:00+01",
        "2025-01-01T10:00:00+18:01", "2025-01-01T10:00:00+19:00", "2025-01-01T10:00:00+01:60",
        "2025-01-01T10:00:00+1:00", "+2025-01-01T10:00:00Z", "25-01-01T10:00:00Z",
        "2025-1-01T10:00:00Z", "2025-01-01T10:00:00.Z1", "2025-01-01T10:00:00,5Z", "２０２５-01-01T10:00:00Z",
        "", " ", "yesterday");

    for (String text : texts) {
      assertThat(Timestamps.fast(text)).as(text).isNull();
      Throwable general = catchThrowable(() -> Timestamps.general(text));
      assertThat(general).as(text).isInstanceOf(DateTimeParseException.class);
      assertThatThrownBy(() -> Timestamps.parse(text)).as(text)
          .isInstanceOf(DateTimeParseException.class)
          .hasMessage(general.getMessage());
    }
  }

  /** Any second of years 1 to 9999, with 0 to 9 fraction digits and any of the offset forms. */
  private static String randomTimestamp(Random random) {
    long second = FIRST + Math.floorMod(random.nextLong(), LAST - FIRST + 1);
    int digits = random.nextInt(10);
    int nanos = random.nextInt(1_000_000_000);
    int offsetMinutes = random.nextInt(2 * 18 * 60 + 1) - 18 * 60;
    LocalDateTime local = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
    StringBuilder text = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d", local.getYear(),
        local.getMonthValue(), local.getDayOfMonth(), local.getHour(), local.getMinute(), local.getSecond()));
    if (digits > 0) {
      text.append('.').append(String.format("%09d", nanos), 0, digits);
    }
    switch (random.nextInt(4)) {
      case 0 -> text.append('Z');
      case 1 -> text.append(offsetMinutes < 0 ? '-' : '+')
          .append(String.format("%02d:%02d", Math.abs(offsetMinutes) / 60, Math.abs(offsetMinutes) % 60));
      case 2 -> text.append(String.format("+%02d:%02d", random.nextInt(18), random.nextInt(60)));
      default -> { } // no offset: UTC
    }
    return text.toString();
  }
}
