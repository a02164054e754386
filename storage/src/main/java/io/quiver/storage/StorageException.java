package io.quiver.storage;

/**
 * Stored data cannot be read or written (I/O error, corrupt bytes). Unlike {@link
 * BadRequestException} this is never the caller's fault: a replica that sees it is broken.
 */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
