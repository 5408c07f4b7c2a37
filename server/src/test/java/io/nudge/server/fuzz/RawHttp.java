package io.nudge.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests {@code java.net.http} refuses to send. One connection per
 * request ({@code Connection: close}); reads one response, sized by Content-Length or chunked.
 */
final class RawHttp {
  private final int port;
  private final int timeoutMillis;

  RawHttp(int port, int timeoutMillis) {
    this.port = port;
    this.timeoutMillis = timeoutMillis;
  }

  /** Sends the case as is: its path and header values as ISO-8859-1 bytes, its Content-Length if it has one. */
  Answer send(FuzzCase c) throws IOException {
    StringBuilder head = new StringBuilder();
    head.append(c.method()).append(' ').append(c.path()).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    for (FuzzCase.Header h : c.headers()) {
      head.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    if (c.header("Content-Length") == null) {
      head.append("Content-Length: ").append(c.body().length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(c.body());
      out.flush();
      return read(socket.getInputStream());
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int headerEnd = -1;
    while (headerEnd < 0) {
      int n = in.read(chunk);
      if (n < 0) {
        throw new IOException("connection closed after " + buffer.size() + " bytes, before a whole response head");
      }
      buffer.write(chunk, 0, n);
      headerEnd = Bytes.indexOf(buffer.toByteArray(), Bytes.utf8("\r\n\r\n"));
    }
    byte[] all = buffer.toByteArray();
    String[] lines = new String(all, 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = Integer.parseInt(statusLine[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).trim());
    }
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    rest.write(all, headerEnd + 4, all.length - headerEnd - 4);
    List<String> length = headers.get("content-length");
    List<String> encoding = headers.get("transfer-encoding");
    byte[] body;
    if (length != null) {
      int n = Integer.parseInt(length.get(0));
      readAtLeast(in, rest, n);
      body = Arrays.copyOf(rest.toByteArray(), n);
    } else if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
      body = dechunk(in, rest);
    } else {
      in.transferTo(rest);
      body = rest.toByteArray();
    }
    return new Answer(status, headers, body);
  }

  private static void readAtLeast(InputStream in, ByteArrayOutputStream into, int n) throws IOException {
    byte[] chunk = new byte[8192];
    while (into.size() < n) {
      int read = in.read(chunk);
      if (read < 0) {
        throw new IOException("body cut short: " + into.size() + " of " + n + " bytes");
      }
      into.write(chunk, 0, read);
    }
  }

  private static byte[] dechunk(InputStream in, ByteArrayOutputStream rest) throws IOException {
    in.transferTo(rest);
    byte[] raw = rest.toByteArray();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int eol = Bytes.indexOf(Arrays.copyOfRange(raw, at, raw.length), Bytes.utf8("\r\n"));
      if (eol < 0) {
        throw new IOException("chunked body cut short");
      }
      String size = new String(raw, at, eol, StandardCharsets.ISO_8859_1).split(";")[0].trim();
      int n = Integer.parseInt(size, 16);
      at += eol + 2;
      if (n == 0) {
        return body.toByteArray();
      }
      body.write(raw, at, n);
      at += n + 2;
    }
  }
}
