package io.nudge.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Byte-level helpers: mutations in the style of AFL's havoc stage, gzip, invalid UTF-8. */
final class Bytes {
  private static final byte[] INTERESTING = {
      0, (byte) 0xff, (byte) 0x80, (byte) 0xc0, (byte) 0xfe, 0x7f, '"', '{', '}', '[', ']', ',', ':', '\\',
      '0', '-', 'e', '.', ' ', '\n', 'n', 't'};
  private static final List<String> SPLICES = List.of(
      "null", "1e999", "-0", "\"\\ud800\"", "[]", "{}", "\\u0000", "\"", ",", ":", "}", "]", "[[[[", "{\"a\":",
      "\"batch\":", "\"type\":", "true", "\\", "\"\"\"", "/*x*/", "NaN", "Infinity", "\ufeff");

  /**
   * Invalid UTF-8 sequences Jackson refuses: bare continuation bytes, bytes never used in UTF-8, a
   * sequence cut short, an encoded surrogate. (Overlong forms and code points over U+10FFFF are in
   * {@link #ACCEPTED_INVALID_UTF8}.)
   */
  static final List<byte[]> INVALID_UTF8 = List.of(
      bytes(0x80), bytes(0xbf), bytes(0xff), bytes(0xfe), bytes(0xf8, 0x88, 0x80, 0x80, 0x80),
      bytes(0xc3), bytes(0xe2, 0x82), bytes(0xf0, 0x9f, 0x99), bytes(0xed, 0xa0, 0x80), bytes(0xc3, 0x28),
      bytes(0xe2, 0x28, 0xa1));

  /** Invalid UTF-8 that the server accepts today (see EndpointFuzzTest's disabled reproducer). */
  static final List<byte[]> ACCEPTED_INVALID_UTF8 = List.of(
      bytes(0xc0, 0xaf), bytes(0xe0, 0x80, 0xaf), bytes(0xf0, 0x80, 0x80, 0xaf), bytes(0xf4, 0x90, 0x80, 0x80),
      bytes(0xc1, 0xbf));

  private Bytes() {}

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code count} zero bytes, gzipped without holding them all in memory at once. */
  static byte[] gzipZeros(int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[65_536];
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      for (int left = count; left > 0; left -= chunk.length) {
        gz.write(chunk, 0, Math.min(left, chunk.length));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] random(Random r, int length) {
    byte[] b = new byte[length];
    r.nextBytes(b);
    return b;
  }

  /** The first occurrence of {@code marker} replaced by {@code replacement}. */
  static byte[] replace(byte[] data, byte[] marker, byte[] replacement) {
    int at = indexOf(data, marker);
    if (at < 0) {
      throw new IllegalArgumentException("marker not found");
    }
    byte[] out = new byte[data.length - marker.length + replacement.length];
    System.arraycopy(data, 0, out, 0, at);
    System.arraycopy(replacement, 0, out, at, replacement.length);
    System.arraycopy(data, at + marker.length, out, at + replacement.length, data.length - at - marker.length);
    return out;
  }

  static int indexOf(byte[] data, byte[] marker) {
    outer:
    for (int i = 0; i + marker.length <= data.length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (data[i + j] != marker[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** One to four havoc mutations: flips, interesting bytes, inserts, deletes, copies, splices. */
  static byte[] havoc(Random r, byte[] input) {
    byte[] b = input;
    int rounds = 1 + r.nextInt(4);
    for (int k = 0; k < rounds; k++) {
      b = mutateOnce(r, b);
    }
    return b;
  }

  private static byte[] mutateOnce(Random r, byte[] b) {
    if (b.length == 0) {
      return random(r, 1 + r.nextInt(8));
    }
    int at = r.nextInt(b.length);
    switch (r.nextInt(8)) {
      case 0 -> {
        byte[] c = b.clone();
        c[at] ^= (byte) (1 << r.nextInt(8));
        return c;
      }
      case 1 -> {
        byte[] c = b.clone();
        c[at] = INTERESTING[r.nextInt(INTERESTING.length)];
        return c;
      }
      case 2 -> {
        return insert(b, at, random(r, 1 + r.nextInt(4)));
      }
      case 3 -> {
        int len = 1 + r.nextInt(Math.min(16, b.length - at));
        return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, b.length));
      }
      case 4 -> {
        int len = 1 + r.nextInt(Math.min(32, b.length - at));
        return insert(b, r.nextInt(b.length + 1), Arrays.copyOfRange(b, at, at + len));
      }
      case 5 -> {
        return insert(b, at, utf8(SPLICES.get(r.nextInt(SPLICES.size()))));
      }
      case 6 -> {
        return Arrays.copyOf(b, at);
      }
      default -> {
        byte[] c = b.clone();
        int other = r.nextInt(b.length);
        byte t = c[at];
        c[at] = c[other];
        c[other] = t;
        return c;
      }
    }
  }

  private static byte[] insert(byte[] b, int at, byte[] what) {
    return concat(Arrays.copyOfRange(b, 0, at), what, Arrays.copyOfRange(b, at, b.length));
  }
}
