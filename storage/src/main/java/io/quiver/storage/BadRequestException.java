package io.quiver.storage;

/**
 * The caller's input is wrong (wrong dimension, unknown vector name, a limit out of range). It is
 * expected, carries a message that names the offending field, and becomes an HTTP 400. It never
 * means that stored data is broken.
 */
public class BadRequestException extends RuntimeException {
  public BadRequestException(String message) {
    super(message);
  }
}
