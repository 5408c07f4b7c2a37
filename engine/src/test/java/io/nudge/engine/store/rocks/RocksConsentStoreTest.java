package io.nudge.engine.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import io.nudge.engine.consent.ConsentStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Current choices are read from memory once read; every write and erasure is seen by the next read. */
final class RocksConsentStoreTest {
  private static final Instant T = Instant.parse("2026-11-23T10:00:00Z");
  @TempDir
  Path dir;
  private RocksStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void current_readAgainAfterEachChoiceAndErasure_isWhatWasLastWritten() {
    store = RocksStore.open(dir, InstantSource.fixed(T));
    ConsentStore consent = store.consent();
    assertThat(consent.current("ann")).isEmpty();

    consent.record("ann", new ConsentRecord(Purpose.ANALYTICS, true, "event", T));
    assertThat(consent.current("ann").get(Purpose.ANALYTICS).granted()).isTrue();

    consent.record("ann", new ConsentRecord(Purpose.ANALYTICS, false, "api", T.plusSeconds(1)));
    assertThat(consent.current("ann").get(Purpose.ANALYTICS).granted()).isFalse();

    consent.erase("ann");
    assertThat(consent.current("ann")).isEmpty();
  }

  @Test
  void current_afterARestart_isReadFromDisk() {
    store = RocksStore.open(dir, InstantSource.fixed(T));
    store.consent().record("ann", new ConsentRecord(Purpose.CALLBACK, true, "event", T));
    store.close();

    store = RocksStore.open(dir, InstantSource.fixed(T));

    assertThat(store.consent().current("ann").get(Purpose.CALLBACK).granted()).isTrue();
  }
}
