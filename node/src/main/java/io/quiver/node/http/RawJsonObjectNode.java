package io.quiver.node.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON object read from a request body that also keeps its own bytes of that body, exactly as the
 * client sent them (see {@link JsonBodyReader#read(com.fasterxml.jackson.core.JsonParser,
 * byte[])}): a point's payload then goes into the log as those bytes, not serialized again from the
 * tree. A tree like any other {@link ObjectNode}; once changed, its bytes no longer say what it
 * holds, so only read it.
 */
public final class RawJsonObjectNode extends ObjectNode {

  private byte[] rawJson;

  RawJsonObjectNode() {
    super(JsonNodeFactory.instance);
  }

  void setRawJson(byte[] rawJson) {
    this.rawJson = rawJson;
  }

  /**
   * The object's UTF-8 JSON as the body held it, or null when the reader did not keep it (the
   * object repeats a key); the caller must not change the array.
   */
  public byte[] rawJson() {
    return rawJson;
  }
}
