package io.quiver.storage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A point's payload: a JSON object, held as its UTF-8 JSON bytes, as a Jackson tree, or both.
 * Immutable once built: callers that need to change the tree copy it first.
 *
 * <p>Most payloads only pass through: the log entry's bytes go into RocksDB, RocksDB's bytes go
 * into a shard reply, and the reply's bytes go into the REST response. A payload made from bytes
 * ({@link #fromBytes}) keeps them and parses its tree only when something asks for it (a payload
 * index adding the point, a filter without an index, a payload update, a {@code with_payload}
 * selection of keys), once; {@link #toBytes} hands back the very bytes it was made from. Before,
 * every hop parsed the bytes into a tree and serialized the tree again, to the same bytes.
 */
public final class Payload {

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build());
  public static final Payload EMPTY = new Payload(null, JSON.createObjectNode());

  /** The UTF-8 JSON object, or null until {@link #toBytes} first serializes {@link #tree}. */
  private volatile byte[] bytes;

  /** The tree, or null until {@link #tree()} first parses {@link #bytes}. */
  private volatile ObjectNode tree;

  private Payload(byte[] bytes, ObjectNode tree) {
    this.bytes = bytes;
    this.tree = tree;
  }

  public static Payload of(ObjectNode tree) {
    return tree == null || tree.isEmpty() ? EMPTY : new Payload(null, tree);
  }

  /**
   * A payload of UTF-8 JSON bytes that {@link #toBytes} wrote (the log's and the store's form), or
   * a JSON object's bytes exactly as a client sent them (whitespace and all, no key repeated): they
   * are kept as they are and parsed only when the tree is needed. The array must not change
   * afterwards.
   */
  public static Payload fromBytes(byte[] bytes) {
    return new Payload(bytes, null);
  }

  /** The JSON tree, parsed on first use. Do not modify it. */
  public ObjectNode tree() {
    ObjectNode t = tree;
    if (t == null) {
      try {
        JsonNode parsed = JSON.readTree(bytes);
        if (!(parsed instanceof ObjectNode object)) {
          throw new UncheckedIOException(
              new IOException("corrupt payload bytes: not a JSON object"));
        }
        tree = t = object;
      } catch (IOException e) {
        throw new UncheckedIOException("corrupt payload bytes", e);
      }
    }
    return t;
  }

  public boolean isEmpty() {
    ObjectNode t = tree;
    return t != null ? t.isEmpty() : isEmptyObject(bytes);
  }

  /** {@code {}} with any JSON whitespace around or inside it. */
  private static boolean isEmptyObject(byte[] json) {
    int i = skipSpace(json, 0);
    if (i >= json.length || json[i] != '{') {
      return false;
    }
    i = skipSpace(json, i + 1);
    return i < json.length && json[i] == '}' && skipSpace(json, i + 1) == json.length;
  }

  private static int skipSpace(byte[] json, int i) {
    while (i < json.length
        && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t')) {
      i++;
    }
    return i;
  }

  /**
   * UTF-8 JSON: the payload's stored and logged form. The bytes this payload was made from, or the
   * tree serialized once; the caller must not change the array.
   */
  public byte[] toBytes() {
    byte[] b = bytes;
    if (b == null) {
      try {
        bytes = b = JSON.writeValueAsBytes(tree);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialize payload", e);
      }
    }
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Payload p)) {
      return false;
    }
    byte[] mine = bytes;
    byte[] theirs = p.bytes;
    return (mine != null && theirs != null && Arrays.equals(mine, theirs))
        || tree().equals(p.tree());
  }

  @Override
  public int hashCode() {
    return tree().hashCode();
  }

  @Override
  public String toString() {
    ObjectNode t = tree;
    return t != null ? t.toString() : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }
}
