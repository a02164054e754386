package io.quiver.storage;

import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored form of a shard's payload index schema: version 1, count, then per field its key path
 * text (UTF) and its {@link FieldIndexSchema}. Kept in the shard's metadata, so RocksDB checkpoints
 * (Raft snapshots) carry it.
 */
final class PayloadSchemaCodec {

  private static final int VERSION = 1;

  private PayloadSchemaCodec() {}

  static byte[] encode(Map<JsonPath, FieldIndexSchema> schema) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeInt(schema.size());
      for (Map.Entry<JsonPath, FieldIndexSchema> e : schema.entrySet()) {
        out.writeUTF(e.getKey().toString());
        e.getValue().write(out);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the payload schema", e);
    }
  }

  static Map<JsonPath, FieldIndexSchema> decode(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      int version = in.readByte();
      if (version != VERSION) {
        throw new IOException("unknown payload schema format " + version);
      }
      int n = in.readInt();
      Map<JsonPath, FieldIndexSchema> schema = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        schema.put(JsonPath.parse(in.readUTF()), FieldIndexSchema.read(in));
      }
      return schema;
    } catch (IOException | IllegalArgumentException e) {
      throw new StorageException("corrupt payload schema in shard store", e);
    }
  }
}
