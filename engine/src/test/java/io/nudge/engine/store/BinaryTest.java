package io.nudge.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinaryTest {

  @Test
  void everyKindOfValueReadsBackAsWritten() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("name", "Zoë");
    nested.put("count", 3L);
    nested.put("price", 9.5);
    nested.put("ok", true);
    nested.put("none", null);
    nested.put("list", List.of("a", 1L, false));
    byte[] bytes = Binary.write(w -> {
      w.text("héllo");
      w.text(null);
      w.number(Long.MIN_VALUE);
      w.decimal(-0.25);
      w.flag(true);
      w.flag(false);
      w.small(-7);
      w.texts(List.of("x", "", "€"));
      w.bytes(new byte[] {1, 2, 3});
      w.value(nested);
    });

    Binary.read(bytes, r -> {
      assertThat(r.text()).isEqualTo("héllo");
      assertThat(r.text()).isNull();
      assertThat(r.number()).isEqualTo(Long.MIN_VALUE);
      assertThat(r.decimal()).isEqualTo(-0.25);
      assertThat(r.flag()).isTrue();
      assertThat(r.flag()).isFalse();
      assertThat(r.small()).isEqualTo(-7);
      assertThat(r.texts()).containsExactly("x", "", "€");
      assertThat(r.bytes()).containsExactly(1, 2, 3);
      assertThat(r.map()).isEqualTo(nested);
      return null;
    });
  }

  @Test
  void theBytesAreThoseDataOutputStreamWrites_soRecordsStoredByEarlierVersionsStillRead() throws IOException {
    byte[] ours = Binary.write(w -> {
      w.text("päge");
      w.number(1_234_567_890_123L);
      w.decimal(19.99);
      w.flag(true);
      w.small(42);
      w.value(List.of(7L, "x"));
    });

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(expected)) {
      byte[] text = "päge".getBytes(StandardCharsets.UTF_8);
      out.writeInt(text.length);
      out.write(text);
      out.writeLong(1_234_567_890_123L);
      out.writeDouble(19.99);
      out.writeBoolean(true);
      out.writeInt(42);
      out.writeByte(6); // a list
      out.writeInt(2);
      out.writeByte(2); // a long
      out.writeLong(7L);
      out.writeByte(1); // a text
      out.writeInt(1);
      out.write('x');
    }
    assertThat(ours).isEqualTo(expected.toByteArray());
  }

  @Test
  void aRecordCutShortIsReportedAsDamaged_notReadAsGarbage() {
    byte[] whole = Binary.write(w -> {
      w.text("a longer text");
      w.number(5);
    });
    byte[] cut = Arrays.copyOf(whole, whole.length - 3);

    assertThatThrownBy(() -> Binary.read(cut, r -> {
      r.text();
      return r.number();
    })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("stored record is damaged")
        .hasMessageContaining("cut short");
  }

  @Test
  void aDamagedCountFailsClearly_insteadOfAllocatingForIt() {
    byte[] bytes = Binary.write(w -> w.small(Integer.MAX_VALUE));

    assertThatThrownBy(() -> Binary.read(bytes, Binary.Reader::texts))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cut short");
    assertThatThrownBy(() -> Binary.read(Binary.write(w -> w.small(-2)), Binary.Reader::texts))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cut short");
  }

  @Test
  void aRecordWrittenWhileWritingAnother_leavesBothWhole() {
    byte[][] inner = new byte[1][];
    byte[] outer = Binary.write(w -> {
      w.text("outer-before");
      inner[0] = Binary.write(v -> v.text("inner"));
      w.text("outer-after");
    });

    Binary.read(outer, r -> {
      assertThat(r.text()).isEqualTo("outer-before");
      assertThat(r.text()).isEqualTo("outer-after");
      return null;
    });
    Binary.read(inner[0], r -> assertThat(r.text()).isEqualTo("inner"));
  }

  @Test
  void theThreadsWriterUsedAgain_startsEmpty_afterABigRecordAndAfterAFailedOne() {
    String big = "x".repeat(100_000);
    assertThat(Binary.write(w -> w.text(big))).hasSize(4 + 100_000);
    assertThatThrownBy(() -> Binary.write(w -> {
      w.text("half");
      throw new IOException("disk on fire");
    })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk on fire");

    byte[] next = Binary.write(w -> w.text("ab"));

    assertThat(next).containsExactly(0, 0, 0, 2, 'a', 'b');
  }
}
