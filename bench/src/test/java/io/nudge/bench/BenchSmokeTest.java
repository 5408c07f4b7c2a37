package io.nudge.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's smoke mode, as CI runs it: every part (bare ingest, the real server in its own
 * process at full speed and paced at each rate, bytes allocated per event, a rule reload under load,
 * restart, the engine's heap per idle journey, the engine without HTTP and the naive engine) runs for
 * seconds on a small population and produces its figures. How fast is not asserted: this machine is
 * shared.
 */
final class BenchSmokeTest {

  @Test
  void smoke_everyPartRuns_andProducesFiguresWithoutErrors() throws Exception {
    Path out = Files.createTempDirectory("nudge-bench-test").resolve("results.md");
    Settings settings = Settings.parse(new String[] {"smoke", "--out", out.toString()});

    Report report = Bench.run(settings);

    assertThat(report.bare.eventsAccepted()).isPositive();
    assertThat(report.bare.errors()).isZero();
    assertThat(report.scenarios).extracting(s -> s.name)
        .containsExactly("8 rules, 1000 customers", "20 rules, 1000 customers");
    for (Report.Scenario s : report.scenarios) {
      assertThat(s.max.eventsAccepted()).as(s.name).isPositive();
      assertThat(s.max.errors()).as(s.name + ": " + s.max.errorSamples()).isZero();
      assertThat(s.max.processedPerSecond()).as(s.name).isPositive();
      assertThat(s.max.cpu()).as(s.name).isPositive();
      assertThat(s.max.heapMaxBytes()).as(s.name).isPositive();
      assertThat(s.max.latencyMillis()).as(s.name + ": latencies at full speed").hasSize(4);
      assertThat(s.max.allocatedBytesPerEvent()).as(s.name + ": bytes per event at full speed").isPositive();
      assertThat(s.paced).extracting(Report.Paced::rate).as(s.name).containsExactly(1000, 2000);
      for (Report.Paced p : s.paced) {
        String run = s.name + " at " + p.rate() + " events/s";
        assertThat(p.result().errors()).as(run + ": " + p.result().errorSamples()).isZero();
        assertThat(p.result().engagements()).as(run + ": engagements").isPositive();
        assertThat(p.result().latencyMillis()).as(run + ": latencies").hasSize(4);
        assertThat(p.result().allocatedBytesPerEvent()).as(run + ": bytes per event").isPositive();
      }
      assertThat(s.reloadStatus).as(s.name + ": rule upload under load").isEqualTo(200);
      assertThat(s.reloading.errors()).as(s.name + ": " + s.reloading.errorSamples()).isZero();
      assertThat(s.startMillis).isPositive();
      assertThat(s.restartMillis).isPositive();
      assertThat(s.caughtUpMillis).as("the shards catch up after the server takes events").isGreaterThanOrEqualTo(s.restartMillis);
    }
    assertThat(report.idle).extracting(Report.Idle::rules, Report.Idle::customers)
        .containsExactly(tuple(8, 1000), tuple(20, 1000));
    assertThat(report.idle).allSatisfy(i -> {
      assertThat(i.result().bytesPerJourney()).as(i.rules() + " rules: heap per idle journey").isPositive();
      assertThat(i.result().journeys()).as(i.rules() + " rules: journeys restored").isPositive();
      assertThat(i.result().restartMillis()).as(i.rules() + " rules: restart").isNotNegative();
    });
    assertThat(report.engines).hasSize(2).allSatisfy(e -> {
      assertThat(e.engineEventsPerSecond()).isPositive();
      assertThat(e.naiveEventsPerSecond()).isPositive();
    });
    assertThat(report.markdown()).contains("| bare ingest baseline | ", "| 20 rules, 1000 customers | ",
        "| 20 rules, 1000 customers | 1,000 | ", "| 20 rules, 1000 customers | 2,000 | ",
        "## A rule reload under load, at 1,000 events/s", "## Heap per idle journey, the engine alone",
        "| 20 | 1000 | ", "## Engine without HTTP against the naive engine");
  }
}
