package io.nudge.server;

import io.nudge.engine.Event;
import io.nudge.engine.NudgeException;
import io.nudge.engine.RuleCompilationException;
import io.nudge.engine.RulePack;
import io.nudge.engine.RuleProblem;
import io.nudge.engine.simulate.ShadowReplay;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.server.http.ApiError;
import io.nudge.server.ingest.ConsentCategories;
import io.nudge.server.ingest.IngestLimits;
import io.nudge.server.ingest.SegmentParser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar nudge-server.jar simulate --candidate <dir> --events <file>}: replays an exported event
 * file ({@code GET /v1/events}: one Segment call per line) through the current rules and a candidate
 * folder, sends nothing, and prints per rule the engagements that would be added or removed. Exit code 0
 * with the difference, 2 for a wrong command line, an unreadable or malformed file, or rules that do not
 * compile.
 */
final class SimulateCommand {
  static final String NAME = "simulate";
  /** The most events replayed, as through the admin API. */
  static final int MAX_EVENTS = 200_000;
  private static final String USAGE = "usage: java -jar nudge-server.jar simulate --candidate <rules folder> "
      + "--events <event file> [--current <rules folder, default ./rules>] [--session-timeout 30m] [--json]";
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(s|m|h)");

  private SimulateCommand() {}

  /** @param args the arguments after {@code simulate} */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    Path candidate = null;
    Path events = null;
    Path current = Path.of("rules");
    Duration sessionTimeout = Duration.ofMinutes(30);
    boolean json = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--json")) {
        json = true;
        continue;
      }
      if (i + 1 >= args.size() || !List.of("--candidate", "--events", "--current", "--session-timeout").contains(a)) {
        err.println("nudge: " + (a.startsWith("--") && i + 1 >= args.size() ? a + " needs a value"
            : "unknown argument " + a));
        err.println(USAGE);
        return 2;
      }
      String value = args.get(++i);
      switch (a) {
        case "--candidate" -> candidate = Path.of(value);
        case "--events" -> events = Path.of(value);
        case "--current" -> current = Path.of(value);
        default -> {
          Matcher m = DURATION.matcher(value);
          if (!m.matches()) {
            err.println("nudge: --session-timeout is \"" + value + "\", must be seconds, minutes or hours such as 30m");
            return 2;
          }
          long n = Long.parseLong(m.group(1));
          sessionTimeout = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
        }
      }
    }
    if (candidate == null || events == null) {
      err.println("nudge: " + (candidate == null ? "--candidate" : "--events") + " is required");
      err.println(USAGE);
      return 2;
    }
    try {
      List<LoggedEvent> replayed = read(events);
      RulePack now = load(current, "current");
      RulePack next = load(candidate, "candidate");
      ShadowReplay.Result result = ShadowReplay.compare(now, next, replayed, sessionTimeout);
      out.println(json ? toJson(result).encodePrettily() : report(result, events, current, candidate));
      return 0;
    } catch (BadInput e) {
      err.println("nudge: " + e.getMessage());
      return 2;
    }
  }

  /** The file's events in time order, keyed by user id, else anonymous id (no identity links offline). */
  static List<LoggedEvent> read(Path file) {
    SegmentParser parser = new SegmentParser(IngestLimits.defaults(), ConsentCategories.defaults(), true);
    List<LoggedEvent> events = new ArrayList<>();
    Instant now = Instant.now();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        if (events.size() >= MAX_EVENTS) {
          throw new BadInput(file + " has more than " + MAX_EVENTS + " events: export a shorter range");
        }
        List<Event> parsed;
        try {
          parsed = parser.parseBatch(("{\"batch\":[" + line + "]}").getBytes(StandardCharsets.UTF_8), now, "file");
        } catch (ApiError e) {
          throw new BadInput(file + " line " + number + ": " + e.getMessage().replace("batch[0].", "")
              .replace("batch[0]", "the call"));
        }
        for (Event e : parsed) {
          String customer = e.userId() != null ? e.userId() : e.anonymousId();
          events.add(new LoggedEvent(number, e.timestamp().toEpochMilli(), customer, e));
        }
      }
    } catch (IOException e) {
      throw new BadInput("cannot read the event file " + file + ": " + e.getMessage());
    }
    events.sort(Comparator.comparingLong(LoggedEvent::receivedAt)); // stable: the file's order within a time
    return events;
  }

  private static RulePack load(Path dir, String which) {
    if (!Files.isDirectory(dir)) {
      throw new BadInput("the " + which + " rules folder " + dir + " is not a readable folder");
    }
    try {
      return RulePack.load(dir);
    } catch (RuleCompilationException e) {
      StringBuilder b = new StringBuilder("the " + which + " rules in " + dir + " do not compile:");
      for (RuleProblem p : e.problems()) {
        b.append("\n  ").append(p.file()).append(':').append(p.line()).append(':').append(p.column()).append(' ')
            .append(p.message());
      }
      throw new BadInput(b.toString());
    } catch (NudgeException e) {
      throw new BadInput("the " + which + " rules in " + dir + " cannot be loaded: " + e.getMessage());
    }
  }

  static JsonObject toJson(ShadowReplay.Result r) {
    JsonArray rules = new JsonArray();
    for (ShadowReplay.RuleChange c : r.rules()) {
      rules.add(new JsonObject().put("rule", c.rule()).put("added", c.added()).put("removed", c.removed())
          .put("sampleCustomers", new JsonArray(List.copyOf(c.sampleCustomers()))));
    }
    return new JsonObject().put("events", r.events()).put("current", r.currentEngagements())
        .put("candidate", r.candidateEngagements()).put("changes", rules);
  }

  private static String report(ShadowReplay.Result r, Path events, Path current, Path candidate) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("Replayed %d events from %s; nothing was sent.%n", r.events(), events));
    b.append(String.format("Engagements: %d with %s (current), %d with %s (candidate).%n", r.currentEngagements(),
        current, r.candidateEngagements(), candidate));
    if (r.rules().isEmpty()) {
      b.append("No rule would engage differently.");
      return b.toString();
    }
    b.append(String.format("%-32s %7s %7s  %s%n", "rule", "added", "removed", "sample customers"));
    for (ShadowReplay.RuleChange c : r.rules()) {
      b.append(String.format("%-32s %7d %7d  %s%n", c.rule(), c.added(), c.removed(),
          String.join(", ", c.sampleCustomers())));
    }
    return b.toString().stripTrailing();
  }

  /** Input the command cannot use: exit code 2 with this message. */
  private static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }
}
