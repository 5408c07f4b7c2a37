package io.nudge.engine.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.store.IdentityStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ContactPointsTest {
  /** An identity store whose contents the test can read. */
  private static final class Recording implements IdentityStore {
    final Map<String, String> links = new ConcurrentHashMap<>();

    @Override
    public void link(String idKey, String customerId) {
      links.put(idKey, customerId);
    }

    @Override
    public void unlink(String idKey) {
      links.remove(idKey);
    }

    @Override
    public void forEach(BiConsumer<String, String> consumer) {
      links.forEach(consumer);
    }
  }

  private final Recording store = new Recording();
  private final IdentityRegistry registry =
      new IdentityRegistry(store, InstantSource.fixed(Instant.parse("2026-11-23T10:00:00Z")));

  @ParameterizedTest
  @CsvSource({"' Ann@Example.COM ', ann@example.com", "a@b, a@b"})
  void email_isTrimmedAndLowerCased(String raw, String normal) {
    assertThat(ContactPoints.normalEmail(raw)).contains(normal);
  }

  @ParameterizedTest
  @CsvSource({"'+44 (20) 7946-0958', +442079460958", "0044 20 7946 0958, +442079460958", "+1.415.555.0100, +14155550100"})
  void phone_becomesE164(String raw, String normal) {
    assertThat(ContactPoints.normalPhone(raw)).contains(normal);
  }

  @ParameterizedTest
  @CsvSource({"020 7946 0958", "+12", "+44 20 7946 0958 ext 2", "call me"})
  void phoneWithoutCountryCodeOrNotANumber_isNotMatched(String raw) {
    assertThat(ContactPoints.normalPhone(raw)).isEmpty();
  }

  @Test
  void contactCentreRecordByEmailOrPhone_findsTheCustomerWhoseTraitsNamedThem_storedOnlyHashed() {
    String customer = registry.resolve("laptop", "user-1");
    registry.linkContactPoints(customer, Map.of("email", "Ann@Example.com", "phone", "+44 20 7946 0958"));

    assertThat(registry.resolveContact(Map.of("email", " ann@example.COM"))).isEqualTo(customer);
    assertThat(registry.resolveContact(Map.of("phone", "0044 (20) 7946-0958"))).isEqualTo(customer);
    // the whole number: a four-digit piece of it turns up by chance in a random salt's hashes (1 run in 500)
    assertThat(store.links.toString()).doesNotContain("ann", "example", "2079460958", "7946 0958");
  }

  @Test
  void unknownEmail_makesACustomerWhoseIdIsNotTheEmail() {
    String customer = registry.resolveContact(Map.of("email", "bob@example.com"));

    assertThat(customer).startsWith("contact-").doesNotContain("bob");
    assertThat(registry.resolveContact(Map.of("email", "BOB@example.com"))).isEqualTo(customer);
  }

  @Test
  void emailAlreadyOfAnotherCustomer_staysThere_andTheConflictIsRecorded() {
    String ann = registry.resolve("a-1", "ann");
    String bea = registry.resolve("b-1", "bea");
    registry.linkContactPoints(ann, Map.of("email", "shared@example.com"));

    registry.linkContactPoints(bea, Map.of("email", "shared@example.com"));

    assertThat(registry.resolveContact(Map.of("email", "shared@example.com"))).isEqualTo(ann);
    assertThat(registry.conflictsOf(bea)).singleElement()
        .satisfies(c -> assertThat(c.userCustomer()).isEqualTo(ann));
  }

  @Test
  void salt_isKeptInTheStore_soHashesMatchAfterARestart() {
    String customer = registry.resolve("laptop", "user-1");
    registry.linkContactPoints(customer, Map.of("email", "ann@example.com"));

    IdentityRegistry restarted = new IdentityRegistry(store, InstantSource.system());

    assertThat(restarted.resolveContact(Map.of("email", "ann@example.com"))).isEqualTo(customer);
  }
}
