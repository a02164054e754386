package io.quiver.node.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The minimal part of RFC 7578 that uploads need: the bytes of one named field of a {@code
 * multipart/form-data} body.
 */
public final class MultipartForm {

  private MultipartForm() {}

  /**
   * The content of the part named {@code field}.
   *
   * @throws ApiException 400 when the body is not multipart or has no such part
   */
  public static byte[] part(String contentType, byte[] body, String field) {
    String boundary = boundary(contentType);
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    byte[] headerEnd = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    int at = indexOf(body, delimiter, 0);
    while (at >= 0) {
      int headersStart = at + delimiter.length;
      if (headersStart + 2 <= body.length
          && body[headersStart] == '-'
          && body[headersStart + 1] == '-') {
        break; // the closing delimiter
      }
      int headersEnd = indexOf(body, headerEnd, headersStart);
      if (headersEnd < 0) {
        break;
      }
      String headers =
          new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1);
      int contentStart = headersEnd + headerEnd.length;
      byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
      int contentEnd = indexOf(body, next, contentStart);
      if (contentEnd < 0) {
        break;
      }
      if (names(headers, field)) {
        return Arrays.copyOfRange(body, contentStart, contentEnd);
      }
      at = contentEnd + 2;
    }
    throw ApiException.badRequest(
        "Wrong input: the multipart body has no part named `" + field + "`");
  }

  private static boolean names(String headers, String field) {
    for (String line : headers.split("\r\n")) {
      String lower = line.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("content-disposition:")
          && (line.contains("name=\"" + field + "\"")
              || line.contains("name=" + field + ";")
              || line.endsWith("name=" + field))) {
        return true;
      }
    }
    return false;
  }

  private static String boundary(String contentType) {
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
      throw ApiException.badRequest(
          "Wrong input: expected a multipart/form-data body with a `snapshot` file part");
    }
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(java.util.Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length());
        return b.startsWith("\"") && b.endsWith("\"") && b.length() >= 2
            ? b.substring(1, b.length() - 1)
            : b;
      }
    }
    throw ApiException.badRequest("Wrong input: multipart/form-data without a boundary");
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
