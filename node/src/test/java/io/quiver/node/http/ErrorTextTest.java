package io.quiver.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorTextTest {

  @Test
  void classNamesAreTakenOutOfMessages() {
    assertEquals("disk full", ErrorText.withoutClassNames("java.io.IOException: disk full", "?"));
    assertEquals(
        "SlidingWindow closed",
        ErrorText.withoutClassNames("AlreadyClosedException: SlidingWindow closed", "?"));
    assertEquals(
        "shard 1 of collection `c` is unavailable: no leader elected",
        ErrorText.withoutClassNames(
            "shard 1 of collection `c` is unavailable: no leader elected", "?"));
    assertEquals(
        "frame too long",
        ErrorText.withoutClassNames(
            "io.netty.handler.codec.TooLongFrameException: frame too long", "?"));
  }

  @Test
  void nothingLeftGivesTheFallback() {
    assertEquals(
        "an unexpected failure",
        ErrorText.withoutClassNames("java.lang.NullPointerException", "an unexpected failure"));
    assertEquals(
        "an unexpected failure", ErrorText.withoutClassNames(null, "an unexpected failure"));
  }
}
