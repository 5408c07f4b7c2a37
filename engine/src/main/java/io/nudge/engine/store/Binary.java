package io.nudge.engine.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compact binary form for what the stores keep: plain values (text, numbers, yes/no, lists, maps)
 * as they come out of JSON. No JSON library, no Java serialization: the format is ours, versioned by
 * each record's first byte, and readable by a later Nudge.
 */
public final class Binary {
  private static final byte NULL = 0;
  private static final byte TEXT = 1;
  private static final byte LONG = 2;
  private static final byte DOUBLE = 3;
  private static final byte TRUE = 4;
  private static final byte FALSE = 5;
  private static final byte LIST = 6;
  private static final byte MAP = 7;

  private Binary() {}

  /** Writes with a {@link Writer} and returns the bytes. */
  public static byte[] write(WriteBody body) {
    Writer w = SPARE.get();
    if (w.busy) {
      w = new Writer(256); // a record written while writing another
    }
    w.busy = true;
    try {
      body.write(w);
      return w.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      w.reset();
    }
  }

  /**
   * Each thread's writer, used again for every record it writes: a shard writes a snapshot of every
   * changed journey, and growing a new array each time cost more than the encoding.
   */
  private static final ThreadLocal<Writer> SPARE = ThreadLocal.withInitial(() -> new Writer(1024));
  /** A writer that grew past this is not kept for the next record. */
  private static final int SPARE_LIMIT = 64 * 1024;

  /** Reads {@code bytes} with a {@link Reader}. */
  public static <T> T read(byte[] bytes, ReadBody<T> body) {
    try {
      return body.read(new Reader(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("stored record is damaged: " + e.getMessage(), e);
    }
  }

  /** Writes one record. */
  @FunctionalInterface
  public interface WriteBody {
    void write(Writer w) throws IOException;
  }

  /** Reads one record. */
  @FunctionalInterface
  public interface ReadBody<T> {
    T read(Reader r) throws IOException;
  }

  /**
   * Typed writes into a growing array, big-endian as {@link java.io.DataOutputStream} writes them (the
   * stored format), without its per-byte locking: snapshots are written for every changed journey.
   */
  public static final class Writer {
    private byte[] buf;
    private int size;
    private boolean busy;

    Writer(int capacity) {
      this.buf = new byte[capacity];
    }

    private void reset() {
      size = 0;
      busy = false;
      if (buf.length > SPARE_LIMIT) {
        buf = new byte[1024];
      }
    }

    private void room(int more) {
      if (size + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    private void writeByte(int b) {
      room(1);
      buf[size++] = (byte) b;
    }

    private void writeInt(int n) {
      room(4);
      buf[size] = (byte) (n >>> 24);
      buf[size + 1] = (byte) (n >>> 16);
      buf[size + 2] = (byte) (n >>> 8);
      buf[size + 3] = (byte) n;
      size += 4;
    }

    private void writeLong(long n) {
      writeInt((int) (n >>> 32));
      writeInt((int) n);
    }

    private void writeDouble(double d) {
      writeLong(Double.doubleToLongBits(d));
    }

    private void write(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, size);
    }

    public void text(String s) throws IOException {
      if (s == null) {
        writeInt(-1);
        return;
      }
      // ASCII, most texts, straight into the buffer; anything else through the UTF-8 encoder
      int n = s.length();
      room(4 + n);
      int at = size + 4;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          writeInt(b.length);
          write(b);
          return;
        }
        buf[at + i] = (byte) c;
      }
      writeInt(n);
      size += n;
    }

    public void number(long n) throws IOException {
      writeLong(n);
    }

    public void bytes(byte[] b) throws IOException {
      writeInt(b.length);
      write(b);
    }

    public void decimal(double d) throws IOException {
      writeDouble(d);
    }

    public void flag(boolean b) throws IOException {
      writeByte(b ? 1 : 0);
    }

    public void small(int n) throws IOException {
      writeInt(n);
    }

    public void texts(List<String> list) throws IOException {
      writeInt(list.size());
      for (String s : list) {
        text(s);
      }
    }

    /** Any plain value: null, String, Number, Boolean, List or Map of those. */
    public void value(Object v) throws IOException {
      if (v == null) {
        writeByte(NULL);
      } else if (v instanceof String s) {
        writeByte(TEXT);
        text(s);
      } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
          || v instanceof BigInteger b && b.bitLength() < 64) {
        writeByte(LONG);
        writeLong(((Number) v).longValue());
      } else if (v instanceof Number n) {
        writeByte(DOUBLE);
        writeDouble(n instanceof BigDecimal d ? d.doubleValue() : n.doubleValue());
      } else if (v instanceof Boolean b) {
        writeByte(b ? TRUE : FALSE);
      } else if (v instanceof List<?> list) {
        writeByte(LIST);
        writeInt(list.size());
        for (Object o : list) {
          value(o);
        }
      } else if (v instanceof Map<?, ?> map) {
        writeByte(MAP);
        writeInt(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
          text(String.valueOf(e.getKey()));
          value(e.getValue());
        }
      } else {
        writeByte(TEXT);
        text(v.toString());
      }
    }
  }

  /** Typed reads over a byte array, in the order they were written. */
  public static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    private void need(int n) throws IOException {
      if (n < 0 || n > buf.length - pos) {
        throw new IOException("record cut short: " + n + " bytes wanted at " + pos + " of " + buf.length);
      }
    }

    private byte readByte() throws IOException {
      need(1);
      return buf[pos++];
    }

    private int readInt() throws IOException {
      need(4);
      int n = (buf[pos] & 0xff) << 24 | (buf[pos + 1] & 0xff) << 16 | (buf[pos + 2] & 0xff) << 8 | buf[pos + 3] & 0xff;
      pos += 4;
      return n;
    }

    private long readLong() throws IOException {
      return (long) readInt() << 32 | readInt() & 0xffffffffL;
    }

    private double readDouble() throws IOException {
      return Double.longBitsToDouble(readLong());
    }

    private byte[] readNBytes(int n) throws IOException {
      need(n);
      byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    public String text() throws IOException {
      int n = readInt();
      if (n < 0) {
        return null;
      }
      need(n);
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    public long number() throws IOException {
      return readLong();
    }

    public byte[] bytes() throws IOException {
      int n = readInt();
      return readNBytes(n);
    }

    public double decimal() throws IOException {
      return readDouble();
    }

    public boolean flag() throws IOException {
      return readByte() != 0;
    }

    public int small() throws IOException {
      return readInt();
    }

    public List<String> texts() throws IOException {
      int n = readInt();
      need(n); // each text takes four bytes at least: a damaged count fails here, not in new ArrayList
      List<String> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(text());
      }
      return list;
    }

    public Object value() throws IOException {
      byte tag = readByte();
      switch (tag) {
        case NULL:
          return null;
        case TEXT:
          return text();
        case LONG:
          return readLong();
        case DOUBLE:
          return readDouble();
        case TRUE:
          return Boolean.TRUE;
        case FALSE:
          return Boolean.FALSE;
        case LIST: {
          int n = readInt();
          List<Object> list = new ArrayList<>(Math.min(n, 1024));
          for (int i = 0; i < n; i++) {
            list.add(value());
          }
          return list;
        }
        case MAP: {
          int n = readInt();
          Map<String, Object> map = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            map.put(text(), value());
          }
          return map;
        }
        default:
          throw new IOException("unknown value tag " + tag);
      }
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map() throws IOException {
      Object v = value();
      return v == null ? Map.of() : (Map<String, Object>) v;
    }
  }
}
