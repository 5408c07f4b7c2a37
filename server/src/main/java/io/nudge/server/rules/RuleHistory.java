package io.nudge.server.rules;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployed rule versions on disk ({@code <NUDGE_DATA_DIR>/rules-history.json}), so the history and
 * a rollback survive a restart. The file is replaced whole through a temporary file and an atomic move:
 * a crash leaves the old history or the new one, never half of one. The last {@link #KEPT} versions are
 * kept.
 */
final class RuleHistory {
  /** How many deployed versions are kept, oldest dropped first. */
  static final int KEPT = 50;

  private final Path file;

  RuleHistory(Path file) {
    this.file = file;
  }

  /** The versions saved before, oldest first; none when there is no file yet. */
  List<RuleDeployment.Version> load() {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      JsonArray versions = new JsonObject(Files.readString(file, StandardCharsets.UTF_8)).getJsonArray("versions");
      List<RuleDeployment.Version> out = new ArrayList<>();
      for (Object o : versions) {
        JsonObject v = (JsonObject) o;
        Map<String, String> files = new LinkedHashMap<>();
        v.getJsonObject("files").forEach(e -> files.put(e.getKey(), (String) e.getValue()));
        out.add(new RuleDeployment.Version(v.getString("version"), Instant.parse(v.getString("deployedAt")),
            Map.copyOf(files), v.getString("how")));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the rule history " + file, e);
    } catch (DecodeException | ClassCastException | NullPointerException | java.time.DateTimeException e) {
      throw new IllegalStateException("the rule history " + file + " is damaged (" + e.getMessage()
          + "): move it away to start a new history", e);
    }
  }

  /** Replaces the file with the last {@link #KEPT} of {@code versions}. */
  void save(List<RuleDeployment.Version> versions) {
    JsonArray out = new JsonArray();
    for (RuleDeployment.Version v : versions.subList(Math.max(0, versions.size() - KEPT), versions.size())) {
      out.add(new JsonObject().put("version", v.version()).put("deployedAt", v.deployedAt().toString())
          .put("how", v.how()).put("files", new JsonObject(new LinkedHashMap<>(v.files()))));
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, new JsonObject().put("versions", out).encode(), StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rule history " + file, e);
    }
  }
}
