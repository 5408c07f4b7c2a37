package io.nudge.engine.identity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class IdentityRegistryTest {
  private static final int THREADS = 8;

  private final IdentityRegistry registry = new IdentityRegistry();
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void resolve_firstEventWithOnlyAnonymousId_makesItTheCanonicalId() {
    assertThat(registry.resolve("anon-1", null)).isEqualTo("anon-1");

    assertThat(registry.customerOf("anon-1")).contains("anon-1");
    assertThat(registry.anonymousIdsOf("anon-1")).containsExactly("anon-1");
  }

  @Test
  void anIdThatIsTheCustomerId_isHeldOnce() {
    String customer = registry.resolve(new String("anon-1"), null);
    registry.resolve("anon-2", "user-2");

    assertThat(registry.anonymousIdsOf("anon-1")).singleElement().isSameAs(customer);
    assertThat(registry.userIdsOf("user-2")).singleElement().isSameAs(registry.customerOf("user-2").orElseThrow());
  }

  @Test
  void resolve_firstEventWithBothIds_makesTheUserIdCanonical() {
    assertThat(registry.resolve("anon-1", "user-1")).isEqualTo("user-1");

    assertThat(registry.customerOf("anon-1")).contains("user-1");
    assertThat(registry.customerOf("user-1")).contains("user-1");
    assertThat(registry.anonymousIdsOf("user-1")).containsExactly("anon-1");
  }

  @Test
  void resolve_knownAnonymousIdWithNewUserId_linksTheUserIdToThatCustomer() {
    registry.resolve("anon-1", null);

    assertThat(registry.resolve("anon-1", "user-1")).isEqualTo("anon-1");
    assertThat(registry.resolve(null, "user-1")).isEqualTo("anon-1");
    assertThat(registry.customerOf("user-1")).contains("anon-1");
  }

  @Test
  void resolve_knownUserIdWithNewAnonymousId_linksTheAnonymousIdToThatCustomer() {
    registry.resolve(null, "user-1");

    assertThat(registry.resolve("phone-2", "user-1")).isEqualTo("user-1");
    assertThat(registry.resolve("phone-2", null)).isEqualTo("user-1");
    assertThat(registry.customerOf("phone-2")).contains("user-1");
    assertThat(registry.anonymousIdsOf("user-1")).containsExactly("phone-2");
  }

  @Test
  void resolve_secondDeviceOfAKnownUser_addsADevice() {
    registry.resolve("laptop", "user-1");

    registry.resolve("phone", "user-1");

    assertThat(registry.anonymousIdsOf("user-1")).containsExactlyInAnyOrder("laptop", "phone");
  }

  @Test
  void resolve_bothIdsKnownAsDifferentCustomers_goesToTheUsersCustomerAndMergesNothing() {
    registry.resolve("anon-1", null);
    registry.resolve("anon-2", "user-2");

    assertThat(registry.resolve("anon-1", "user-2")).isEqualTo("user-2");

    assertThat(registry.customerOf("anon-1")).contains("anon-1");
    assertThat(registry.customerOf("user-2")).contains("user-2");
    assertThat(registry.anonymousIdsOf("user-2")).containsExactly("anon-2");
    assertThat(registry.anonymousIdsOf("anon-1")).containsExactly("anon-1");
  }

  @Test
  void alias_knownPreviousId_linksTheUserIdToItsCustomer() {
    registry.resolve("anon-1", null);

    assertThat(registry.alias("anon-1", "user-1")).isEqualTo("anon-1");

    assertThat(registry.customerOf("user-1")).contains("anon-1");
  }

  @Test
  void alias_previousIdIsAUserId_linksTheNewUserIdToTheSameCustomer() {
    registry.resolve("anon-1", "old-login");

    assertThat(registry.alias("old-login", "new-login")).isEqualTo("old-login");

    assertThat(registry.customerOf("new-login")).contains("old-login");
  }

  @Test
  void alias_unknownPreviousId_startsACustomerForTheUserId() {
    assertThat(registry.alias("never-seen", "user-1")).isEqualTo("user-1");

    assertThat(registry.customerOf("user-1")).contains("user-1");
    assertThat(registry.customerOf("never-seen")).isEmpty();
  }

  @Test
  void alias_userIdAlreadyAnotherCustomer_keepsItsCustomer() {
    registry.resolve("anon-1", null);
    registry.resolve(null, "user-2");

    assertThat(registry.alias("anon-1", "user-2")).isEqualTo("user-2");
    assertThat(registry.customerOf("anon-1")).contains("anon-1");
  }

  @Test
  void customerOf_unknownOrNullId_isEmpty() {
    assertThat(registry.customerOf("nobody")).isEmpty();
    assertThat(registry.customerOf(null)).isEmpty();
    assertThat(registry.anonymousIdsOf("nobody")).isEmpty();
  }

  @Test
  void resolve_sameNewAnonymousIdFromEightThreads_yieldsOneCustomer() throws Exception {
    for (int round = 0; round < 200; round++) {
      String anonymousId = "anon-" + round;

      List<String> customers = raceOnce(i -> () -> registry.resolve(anonymousId, null));

      assertThat(new HashSet<>(customers)).as("round %d", round).containsExactly(anonymousId);
      assertThat(registry.anonymousIdsOf(anonymousId)).containsExactly(anonymousId);
    }
  }

  @Test
  void resolve_sameNewIdPairFromEightThreads_yieldsOneCustomer() throws Exception {
    for (int round = 0; round < 200; round++) {
      String anonymousId = "anon-" + round;
      String userId = "user-" + round;

      List<String> customers = raceOnce(i -> () -> registry.resolve(anonymousId, userId));

      assertThat(new HashSet<>(customers)).as("round %d", round).containsExactly(userId);
      assertThat(registry.customerOf(anonymousId)).contains(userId);
    }
  }

  @Test
  void resolve_newVisitorsPageRacingTheirIdentify_yieldsOneCustomer() throws Exception {
    // The race is a few instructions wide, so the identify is paused right after it found the anonymousId
    // unknown, and the page runs in that gap: the interleaving a busy server hits now and then.
    PausingMap ids = new PausingMap("a:anon-1");
    Field field = IdentityRegistry.class.getDeclaredField("customerById");
    field.setAccessible(true);
    field.set(registry, ids);
    Future<String> identify = pool.submit(() -> {
      ids.pauseOn(Thread.currentThread());
      return registry.resolve("anon-1", "user-1");
    });
    assertThat(ids.paused.await(5, SECONDS)).isTrue();

    String page = registry.resolve("anon-1", null);
    ids.resume.countDown();

    assertThat(identify.get(5, SECONDS)).isEqualTo(page);
    assertThat(registry.customerOf("user-1")).isEqualTo(registry.customerOf("anon-1"));
  }

  /** Runs one task per thread, all released at once; returns their results. */
  private List<String> raceOnce(IntFunction<Callable<String>> task) throws Exception {
    CountDownLatch ready = new CountDownLatch(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> futures = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      Callable<String> call = task.apply(i);
      futures.add(pool.submit(() -> {
        ready.countDown();
        go.await();
        return call.call();
      }));
    }
    ready.await(5, SECONDS);
    go.countDown();
    List<String> results = new ArrayList<>();
    for (Future<String> f : futures) {
      results.add(f.get(5, SECONDS));
    }
    return results;
  }

  /** Holds one thread inside {@code get(key)}, after the read, until {@link #resume} opens. */
  private static final class PausingMap extends ConcurrentHashMap<String, String> {
    private final String key;
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);
    private volatile Thread thread;

    PausingMap(String key) {
      this.key = key;
    }

    void pauseOn(Thread t) {
      thread = t;
    }

    @Override
    public String get(Object k) {
      String value = super.get(k);
      if (Thread.currentThread() == thread && key.equals(k)) {
        paused.countDown();
        try {
          resume.await(5, SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return value;
    }
  }

  @Test
  void learn_appliesAnotherNodesLinks_andAMovedDeviceLeavesItsOldCustomer() {
    IdentityRegistry other = new IdentityRegistry();
    List<String[]> written = new ArrayList<>();
    IdentityRegistry writer = new IdentityRegistry(new io.nudge.engine.store.IdentityStore() {
      @Override
      public void link(String idKey, String customerId) {
        written.add(new String[] {idKey, customerId});
      }

      @Override
      public void unlink(String idKey) {
        written.add(new String[] {idKey, null});
      }

      @Override
      public void forEach(java.util.function.BiConsumer<String, String> consumer) {}
    });
    writer.resolve("dev-1", null);
    writer.resolve(null, "user-1");
    writer.resolveEvent("dev-1", "user-1"); // merges dev-1's customer into user-1's

    for (String[] w : written) {
      other.learn(w[0], w[1]);
    }

    assertThat(other.customerOf("dev-1")).contains("user-1");
    assertThat(other.anonymousIdsOf("user-1")).containsExactly("dev-1");
    assertThat(other.anonymousIdsOf("dev-1")).isEmpty();
    assertThat(other.mergedInto("user-1")).containsExactly("dev-1");

    other.learn("a:dev-1", null); // unlinked on the writing node (an erasure)
    assertThat(other.customerOf("dev-1")).isEmpty();
    assertThat(other.anonymousIdsOf("user-1")).isEmpty();
  }
}
