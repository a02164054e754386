package io.quiver.node.http;

import java.util.regex.Pattern;

/**
 * The last guard before an error message reaches a user: Java exception class names are taken out
 * ({@code java.io.IOException: disk full} becomes {@code disk full}). The code that fails says what
 * went wrong in words; this catches a library's message that names a class anyway.
 */
final class ErrorText {

  /**
   * A (qualified) exception or error class name, with its nested classes, and the ": " after it.
   */
  private static final Pattern CLASS_NAME =
      Pattern.compile(
          "\\b(?:[a-z_][\\w]*\\.)*[A-Z][\\w]*(?:Exception|Error)(?:\\$[\\w]+)*(?::\\s*|\\b)");

  private ErrorText() {}

  /** {@code message} without exception class names; {@code fallback} when nothing is left. */
  static String withoutClassNames(String message, String fallback) {
    if (message == null) {
      return fallback;
    }
    String text = CLASS_NAME.matcher(message).replaceAll("").strip();
    return text.isEmpty() ? fallback : text;
  }
}
