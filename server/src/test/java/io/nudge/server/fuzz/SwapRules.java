package io.nudge.server.fuzz;

import io.nudge.engine.Event.EventType;
import io.nudge.server.fuzz.Json.Obj;
import java.util.List;

/** What docs/api.md says about a call whose field is set to a value of the wrong type or an edge value. */
final class SwapRules {
  private SwapRules() {}

  /**
   * Whether the API documents a 400 for this field set to this JSON token on a call of this type. Only
   * the clear cases; everything else may go either way and must merely not be a 5xx.
   */
  static boolean swapMustBeRejected(EventType type, boolean batch, Obj call, String field, String token) {
    char kind = kind(token);
    boolean container = kind == '[' || kind == '{';
    boolean notObject = kind != '{' && kind != 'n';
    boolean absent = kind == 'n' || token.equals("\"\"") || token.equals("\" \"");
    switch (field) {
      case "type":
        return kind == 'n' ? batch : kind != '"' || !isTypeName(token) || !batch && !token.equalsIgnoreCase(
            "\"" + type.id() + "\"");
      case "anonymousId":
        return container || kind == 'b' || absent && call.get("userId") == null;
      case "userId":
        return container || kind == 'b' || absent && (call.get("anonymousId") == null || type == EventType.ALIAS);
      case "messageId":
        return container || kind == 'b';
      case "previousId":
        return type == EventType.ALIAS && (container || kind == 'b' || absent);
      case "groupId":
        return type == EventType.GROUP && (container || kind == 'b' || absent);
      case "timestamp", "originalTimestamp", "sentAt":
        // a string that cannot start an ISO-8601 date-time; the others may or may not be dates
        return kind != 'n' && (kind != '"' || token.length() < 3 || "0123456789+-".indexOf(token.charAt(1)) < 0);
      case "event":
        return type == EventType.TRACK && (container || absent);
      case "name":
        return (type == EventType.PAGE || type == EventType.SCREEN) && container;
      case "properties":
        return (type == EventType.TRACK || type == EventType.PAGE || type == EventType.SCREEN) && notObject;
      case "traits":
        return (type == EventType.IDENTIFY || type == EventType.GROUP) && notObject;
      case "context", "context.page", "context.campaign", "context.consent", "context.consent.categoryPreferences":
        return notObject;
      case "context.page.path":
        // a page call's own properties.path wins, and then context.page.path is not read
        return container && !(type == EventType.PAGE && call.get("properties") instanceof Obj p
            && p.get("path") instanceof String);
      case "context.userAgent":
        return container;
      case "context.consent.categoryPreferences.proactive_chat":
        return kind != 'b';
      default:
        return false;
    }
  }

  /** n null, b boolean, 0 number, " string, [ array, { object. */
  static char kind(String token) {
    char c = token.charAt(0);
    return c == 'n' ? 'n' : c == 't' || c == 'f' ? 'b' : c == '"' || c == '[' || c == '{' ? c : '0';
  }

  private static boolean isTypeName(String token) {
    String s = token.substring(1, token.length() - 1);
    return EventType.segmentCalls().stream().anyMatch(t -> t.id().equalsIgnoreCase(s));
  }

  /** Sets a dotted path, making the objects on the way (and replacing what is not one). */
  static void set(Obj root, String dotted, Object value) {
    String[] parts = dotted.split("\\.");
    Obj o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = o.get(parts[i]);
      if (!(next instanceof Obj)) {
        next = new Obj();
        o.put(parts[i], next);
      }
      o = (Obj) next;
    }
    o.put(parts[parts.length - 1], value);
  }

  static void collectObjects(Object v, List<Obj> into) {
    if (v instanceof Obj o) {
      if (o.size() > 0) {
        into.add(o);
      }
      o.values.forEach(x -> collectObjects(x, into));
    } else if (v instanceof List<?> list) {
      list.forEach(x -> collectObjects(x, into));
    }
  }
}
