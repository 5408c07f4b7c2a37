package io.nudge.bench;

import io.nudge.engine.RulePack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes a larger rule pack from the default one: its files copied, plus one generated {@code .dslr}
 * file of rules written the way an analyst writes them, in the pack's own DSL: search and page intents
 * offering a callback, section tips, form-error tips, cart-size chats, and idle-on-product timers with
 * a chat or a tip. Each kind varies its words, paths, amounts and delays, so the rules do not share
 * one condition (which would flatter the rule network).
 */
public final class RulePackGenerator {
  private static final List<String> RULE_FILES = List.of(".drl", ".dslr", ".dsl", ".csv", ".yaml", ".yml");
  private static final String[] WORDS = {"refund", "complaint", "broken", "late", "warranty", "invoice", "damaged",
      "password", "discount", "voucher", "size guide", "exchange"};
  private static final String[] CATEGORIES = {"shoes", "coats", "bags", "watches", "tv", "sofas", "lamps", "toys"};
  private static final String[] FORMS = {"register", "newsletter", "checkout-address", "contact", "review"};

  /** A pack on disk, how many rules it holds, and the delay of each timer rule. */
  public record Pack(Path dir, int rules, Map<String, Duration> timerRules) {}

  private RulePackGenerator() {}

  /** The default pack as it is: its timer rule is checkout-hesitation (idle 30 s). */
  public static Pack defaults(Path rulesDir) {
    return new Pack(rulesDir, RulePack.load(rulesDir).ruleNames().size(),
        Map.of("checkout-hesitation", Duration.ofSeconds(30)));
  }

  /** Copies the default pack to {@code into} and adds rules until it holds {@code total}. */
  public static Pack generate(Path rulesDir, int total, Path into) {
    Pack base = defaults(rulesDir);
    if (total < base.rules()) {
      throw new IllegalArgumentException("rules is " + total + ", fewer than the " + base.rules()
          + " of the default pack in " + rulesDir);
    }
    Map<String, Duration> timers = new LinkedHashMap<>(base.timerRules());
    try {
      Files.createDirectories(into);
      try (Stream<Path> files = Files.list(rulesDir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          String name = f.getFileName().toString();
          if (Files.isRegularFile(f) && RULE_FILES.stream().anyMatch(name::endsWith)) {
            Files.copy(f, into.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      StringBuilder dslr = new StringBuilder("package nudge.rules;\n\nimport io.nudge.engine.facts.*;\n"
          + "global io.nudge.engine.facts.Actions nudge;\n\nexpander nudge.dsl;\n");
      for (int i = 0; i < total - base.rules(); i++) {
        dslr.append('\n').append(rule(i, timers));
      }
      if (total > base.rules()) {
        Files.writeString(into.resolve("generated.dslr"), dslr);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the generated rule pack to " + into + ": " + e.getMessage(), e);
    }
    int made = RulePack.load(into).ruleNames().size();
    if (made != total) {
      throw new IllegalStateException("the generated pack in " + into + " holds " + made + " rules, not " + total);
    }
    return new Pack(into, made, timers);
  }

  private static String rule(int i, Map<String, Duration> timers) {
    String word = WORDS[i % WORDS.length];
    String category = CATEGORIES[i % CATEGORIES.length];
    String name;
    String when;
    String then;
    switch (i % 5) {
      case 0 -> {
        name = "gen-search-" + i;
        when = "  The customer searches for something containing \"" + word + "\" or views a page whose path "
            + "contains \"/" + word.replace(' ', '-') + "-" + i + "\"\n";
        then = "  offer a callback from queue care saying \"Questions about " + word + "? We can call you back.\"";
      }
      case 1 -> {
        name = "gen-section-tip-" + i;
        when = "  The customer views a page under \"/c/" + category + "/" + i + "\"\n";
        then = "  show a tip \"About " + category + "\" saying \"Free delivery on " + category + " this week.\"";
      }
      case 2 -> {
        name = "gen-form-tip-" + i;
        when = "  The customer sends the event \"Form Error\"\n  - its property \"form\" is \""
            + FORMS[i % FORMS.length] + "\"\n  - its property \"field\" is \"field-" + i + "\"\n";
        then = "  show a tip \"Check this field\" saying \"Field " + i + " takes letters and digits only.\"";
      }
      case 3 -> {
        name = "gen-cart-chat-" + i;
        when = "  A customer is browsing\n  - the cart holds at least " + (2 + i % 7) + " units\n"
            + "  - the customer is on a page under \"/c/" + category + "\"\n"
            + "  - the customer has not ordered in this visit\n";
        then = "  offer a proactive chat in queue sales saying \"Shopping for several " + category
            + "? An adviser can help.\"";
      }
      default -> {
        name = "gen-idle-product-" + i;
        int seconds = 20 + (i % 4) * 10;
        timers.put(name, Duration.ofSeconds(seconds));
        when = "  A customer is browsing\n  - the customer is on a page under \"/p/" + category + "\"\n"
            + "  - the cart value is at least " + (50 + (i % 10) * 25) + "\n"
            + "  The customer has been idle for " + seconds + " seconds\n";
        then = "  offer a proactive chat in queue sales saying \"Still deciding? Ask an adviser about " + category
            + ".\", or else show a tip \"Still deciding?\" saying \"Our buying guides compare every " + category
            + ".\"";
      }
    }
    return "rule \"" + name + "\"\n  @reason(\"Generated rule " + i + " matched your visit\")\n"
        + "  @dataUsed(\"the pages you viewed in this visit, your cart\")\n"
        + "  @priority(" + (1 + i % 20) + ")\nwhen\n" + when
        + "  The customer has not been offered \"" + name + "\" in this visit\nthen\n" + then + "\nend\n";
  }
}
