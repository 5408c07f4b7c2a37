package io.nudge.server.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who sent a request, as a rate-limit key: the peer's address, or, when the peer is a trusted proxy, the
 * nearest untrusted address in {@code X-Forwarded-For}. IPv6 clients are keyed by their /64, the block a
 * single home or phone is given, so that one client cannot step round its limit by changing address.
 */
final class ClientAddresses {
  static final String SETTING = "NUDGE_TRUSTED_PROXIES";
  /** The key of a peer without an IP address (a Unix socket). */
  static final String UNKNOWN = "unknown";

  private static final Pattern IPV4 = Pattern.compile(
      "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private final List<Range> trusted;

  private ClientAddresses(List<Range> trusted) {
    this.trusted = trusted;
  }

  /**
   * @param proxies addresses ({@code 10.0.0.7}) or ranges ({@code 10.0.0.0/8}, {@code fd00::/8})
   * @throws IllegalArgumentException naming {@value #SETTING} and the entry that is neither
   */
  static ClientAddresses trusting(Collection<String> proxies) {
    List<Range> ranges = new ArrayList<>();
    for (String p : proxies) {
      ranges.add(Range.parse(p.trim()));
    }
    return new ClientAddresses(List.copyOf(ranges));
  }

  String keyOf(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    InetAddress client = literal(remote == null ? null : remote.hostAddress());
    if (client == null) {
      return UNKNOWN;
    }
    if (isTrusted(client)) {
      client = forwardedClient(client, request.headers().getAll("X-Forwarded-For"));
    }
    return key(client);
  }

  /**
   * Walks {@code X-Forwarded-For} from the right, past trusted proxies: the entries further left were
   * written by the client and prove nothing. An entry that is no address stops the walk at the proxy
   * that passed it on.
   */
  private InetAddress forwardedClient(InetAddress peer, List<String> headers) {
    List<String> hops = new ArrayList<>();
    for (String header : headers) {
      hops.addAll(Arrays.asList(header.split(",")));
    }
    InetAddress current = peer;
    for (int i = hops.size() - 1; i >= 0 && isTrusted(current); i--) {
      InetAddress hop = literal(withoutPort(hops.get(i).trim()));
      if (hop == null) {
        return current;
      }
      current = hop;
    }
    return current;
  }

  private boolean isTrusted(InetAddress address) {
    for (Range r : trusted) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static String key(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      Arrays.fill(b, 8, 16, (byte) 0);
      try {
        return InetAddress.getByAddress(b).getHostAddress() + "/64";
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e); // 16 bytes are always an address
      }
    }
    return address.getHostAddress();
  }

  /** {@code [2001:db8::1]:443} and {@code 203.0.113.7:5678}, as some proxies write them, without the port. */
  private static String withoutPort(String hop) {
    if (hop.startsWith("[")) {
      int end = hop.indexOf(']');
      return end < 0 ? hop : hop.substring(1, end);
    }
    int colon = hop.indexOf(':');
    return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
  }

  /** The address written in {@code text}, or null; never asks DNS, whatever a client wrote. */
  static InetAddress literal(String text) {
    if (text == null) {
      return null;
    }
    try {
      if (IPV4.matcher(text).matches()) {
        byte[] b = new byte[4];
        String[] parts = text.split("\\.");
        for (int i = 0; i < 4; i++) {
          b[i] = (byte) Integer.parseInt(parts[i]);
        }
        return InetAddress.getByAddress(b);
      }
      int zone = text.indexOf('%');
      String v6 = zone < 0 ? text : text.substring(0, zone);
      // in brackets the JDK parses an IPv6 literal or fails; it never falls back to a name lookup
      return v6.indexOf(':') >= 0 && IPV6.matcher(v6).matches() ? InetAddress.getByName("[" + v6 + "]") : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** An address and how many leading bits of it a request's address must share. */
  private record Range(byte[] network, int bits) {
    static Range parse(String text) {
      int slash = text.indexOf('/');
      InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
      if (address != null) {
        int max = address.getAddress().length * 8;
        int bits = slash < 0 ? max : prefix(text.substring(slash + 1));
        if (bits >= 0 && bits <= max) {
          return new Range(address.getAddress(), bits);
        }
      }
      throw new IllegalArgumentException(SETTING + " has \"" + text
          + "\", not an IP address or a range such as 10.0.0.0/8 or fd00::/8");
    }

    private static int prefix(String digits) {
      return digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : -1;
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      int mask = (0xff << (8 - rest)) & 0xff;
      return rest == 0 || (a[whole] & mask) == (network[whole] & mask);
    }
  }
}
