package io.quiver.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A point's payload: a JSON object. The tree is Jackson's JSON model (not an HTTP DTO); it is
 * treated as immutable once built — callers that need to change it copy it first.
 */
public final class Payload {

  private static final ObjectMapper JSON = new ObjectMapper();
  public static final Payload EMPTY = new Payload(JSON.createObjectNode());

  private final ObjectNode tree;

  private Payload(ObjectNode tree) {
    this.tree = tree;
  }

  public static Payload of(ObjectNode tree) {
    return tree == null || tree.isEmpty() ? EMPTY : new Payload(tree);
  }

  /** The JSON tree. Do not modify it. */
  public ObjectNode tree() {
    return tree;
  }

  public boolean isEmpty() {
    return tree.isEmpty();
  }

  /** UTF-8 JSON: the payload's stored and logged form. */
  public byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize payload", e);
    }
  }

  public static Payload fromBytes(byte[] bytes) {
    try {
      return of((ObjectNode) JSON.readTree(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt payload bytes", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Payload p && tree.equals(p.tree);
  }

  @Override
  public int hashCode() {
    return tree.hashCode();
  }

  @Override
  public String toString() {
    return tree.toString();
  }
}
