package io.nudge.engine.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      body.write(new Writer(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads {@code bytes} with a {@link Reader}. */
  public static <T> T read(byte[] bytes, ReadBody<T> body) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return body.read(new Reader(in));
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

  /** Typed writes over a data stream. */
  public static final class Writer {
    private final DataOutputStream out;

    Writer(DataOutputStream out) {
      this.out = out;
    }

    public void text(String s) throws IOException {
      if (s == null) {
        out.writeInt(-1);
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    }

    public void number(long n) throws IOException {
      out.writeLong(n);
    }

    public void bytes(byte[] b) throws IOException {
      out.writeInt(b.length);
      out.write(b);
    }

    public void decimal(double d) throws IOException {
      out.writeDouble(d);
    }

    public void flag(boolean b) throws IOException {
      out.writeBoolean(b);
    }

    public void small(int n) throws IOException {
      out.writeInt(n);
    }

    public void texts(List<String> list) throws IOException {
      out.writeInt(list.size());
      for (String s : list) {
        text(s);
      }
    }

    /** Any plain value: null, String, Number, Boolean, List or Map of those. */
    public void value(Object v) throws IOException {
      if (v == null) {
        out.writeByte(NULL);
      } else if (v instanceof String s) {
        out.writeByte(TEXT);
        text(s);
      } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
          || v instanceof BigInteger b && b.bitLength() < 64) {
        out.writeByte(LONG);
        out.writeLong(((Number) v).longValue());
      } else if (v instanceof Number n) {
        out.writeByte(DOUBLE);
        out.writeDouble(n instanceof BigDecimal d ? d.doubleValue() : n.doubleValue());
      } else if (v instanceof Boolean b) {
        out.writeByte(b ? TRUE : FALSE);
      } else if (v instanceof List<?> list) {
        out.writeByte(LIST);
        out.writeInt(list.size());
        for (Object o : list) {
          value(o);
        }
      } else if (v instanceof Map<?, ?> map) {
        out.writeByte(MAP);
        out.writeInt(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
          text(String.valueOf(e.getKey()));
          value(e.getValue());
        }
      } else {
        out.writeByte(TEXT);
        text(v.toString());
      }
    }
  }

  /** Typed reads over a data stream, in the order they were written. */
  public static final class Reader {
    private final DataInputStream in;

    Reader(DataInputStream in) {
      this.in = in;
    }

    public String text() throws IOException {
      int n = in.readInt();
      if (n < 0) {
        return null;
      }
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new IOException("text cut short");
      }
      return new String(b, StandardCharsets.UTF_8);
    }

    public long number() throws IOException {
      return in.readLong();
    }

    public byte[] bytes() throws IOException {
      int n = in.readInt();
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new IOException("bytes cut short");
      }
      return b;
    }

    public double decimal() throws IOException {
      return in.readDouble();
    }

    public boolean flag() throws IOException {
      return in.readBoolean();
    }

    public int small() throws IOException {
      return in.readInt();
    }

    public List<String> texts() throws IOException {
      int n = in.readInt();
      List<String> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(text());
      }
      return list;
    }

    public Object value() throws IOException {
      byte tag = in.readByte();
      switch (tag) {
        case NULL:
          return null;
        case TEXT:
          return text();
        case LONG:
          return in.readLong();
        case DOUBLE:
          return in.readDouble();
        case TRUE:
          return Boolean.TRUE;
        case FALSE:
          return Boolean.FALSE;
        case LIST: {
          int n = in.readInt();
          List<Object> list = new ArrayList<>(Math.min(n, 1024));
          for (int i = 0; i < n; i++) {
            list.add(value());
          }
          return list;
        }
        case MAP: {
          int n = in.readInt();
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
