package io.nudge.server.browser;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through the system's chromedriver. Nothing is ever downloaded:
 * the browser and the driver are the installed programs ({@code apt-get install chromium chromium-driver}),
 * or those named by {@code NUDGE_CHROMIUM} and {@code NUDGE_CHROMEDRIVER}.
 *
 * <p>Where they are missing, a browser test is skipped, and the test run says so once, with how to run
 * them. CI sets {@code NUDGE_BROWSER_TESTS=required}, which turns a missing browser into a failure, so the
 * browser tests cannot silently stop running there.
 */
public final class Chromium {
  private static final Path BROWSER = Path.of(setting("NUDGE_CHROMIUM", "/usr/bin/chromium"));
  private static final Path DRIVER = Path.of(setting("NUDGE_CHROMEDRIVER", "/usr/bin/chromedriver"));
  private static final AtomicBoolean TOLD = new AtomicBoolean();
  /**
   * Selenium warns on every start that it has no DevTools bindings for this Chromium version; the tests
   * use WebDriver only, so its warnings are left out of the build's output (errors still show).
   */
  private static final java.util.logging.Logger SELENIUM = java.util.logging.Logger.getLogger("org.openqa.selenium");

  static {
    SELENIUM.setLevel(java.util.logging.Level.SEVERE);
  }

  private Chromium() {}

  /** A new headless browser with an empty profile; the caller quits it. Skips the test if there is none. */
  public static ChromeDriver start() {
    boolean installed = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    String missing = "browser tests need Chromium at " + BROWSER + " and chromedriver at " + DRIVER
        + " (set NUDGE_CHROMIUM and NUDGE_CHROMEDRIVER to use others); install them with "
        + "'apt-get install chromium chromium-driver' and run 'mvn -B verify' again";
    if (!installed && "required".equals(System.getenv("NUDGE_BROWSER_TESTS"))) {
      throw new IllegalStateException("NUDGE_BROWSER_TESTS=required, but " + missing);
    }
    if (!installed && TOLD.compareAndSet(false, true)) {
      System.err.println("*** SKIPPING BROWSER TESTS: " + missing + " ***");
    }
    assumeTrue(installed, "skipped: " + missing);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return driver;
  }

  private static String profile() {
    try {
      File dir = Files.createTempDirectory("nudge-chromium").toFile();
      dir.deleteOnExit();
      return dir.getAbsolutePath();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot make a Chromium profile folder: " + e.getMessage(), e);
    }
  }

  private static String setting(String name, String otherwise) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? otherwise : value;
  }
}
