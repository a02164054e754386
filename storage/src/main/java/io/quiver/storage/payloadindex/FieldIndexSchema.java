package io.quiver.storage.payloadindex;

import io.quiver.storage.BadRequestException;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * What a payload field index is: its type and the parameters Quiver honours. Parameters Qdrant
 * accepts that change only memory placement or HNSW links ({@code on_disk}, {@code is_tenant},
 * {@code is_principal}, {@code enable_hnsw}) are accepted at the edge and not kept.
 *
 * @param type the index type
 * @param explicitParams true when the request gave a params object (collection info then reports {@code params})
 * @param lookup integer index: answers {@code match} (Qdrant's default true)
 * @param range integer index: answers {@code range} (Qdrant's default true)
 * @param tokenizer text index: how strings become tokens (default {@link Tokenizer#WORD})
 * @param lowercase text index: tokens lowercased, in documents and queries alike (default true)
 * @param minTokenLength text index: shorter tokens are dropped (0: no limit)
 * @param maxTokenLength text index: longer tokens are dropped (0: no limit)
 */
public record FieldIndexSchema(PayloadSchemaType type, boolean explicitParams, boolean lookup, boolean range,
    Tokenizer tokenizer, boolean lowercase, int minTokenLength, int maxTokenLength) {

  private static final int FORMAT_VERSION = 1;

  public FieldIndexSchema {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(tokenizer, "tokenizer");
    if (minTokenLength < 0 || maxTokenLength < 0) {
      throw new BadRequestException("field_schema: token lengths must be >= 0");
    }
    if (maxTokenLength > 0 && minTokenLength > maxTokenLength) {
      throw new BadRequestException("field_schema: min_token_len " + minTokenLength + " > max_token_len " + maxTokenLength);
    }
    if (type == PayloadSchemaType.INTEGER && !lookup && !range) {
      throw new BadRequestException("field_schema: an integer index needs `lookup` or `range` (both are false)");
    }
  }

  /** The type with Qdrant's default parameters, given as a plain type name. */
  public static FieldIndexSchema of(PayloadSchemaType type) {
    return new FieldIndexSchema(type, false, true, true, Tokenizer.WORD, true, 0, 0);
  }

  /** An integer index given as a params object. */
  public static FieldIndexSchema integer(boolean lookup, boolean range) {
    return new FieldIndexSchema(PayloadSchemaType.INTEGER, true, lookup, range, Tokenizer.WORD, true, 0, 0);
  }

  /** A full-text index given as a params object. */
  public static FieldIndexSchema text(Tokenizer tokenizer, boolean lowercase, int minTokenLength, int maxTokenLength) {
    return new FieldIndexSchema(PayloadSchemaType.TEXT, true, true, true, tokenizer, lowercase, minTokenLength, maxTokenLength);
  }

  /** Any other type given as a params object ({@code {"type": "keyword"}}). */
  public static FieldIndexSchema withParams(PayloadSchemaType type) {
    return new FieldIndexSchema(type, true, true, true, Tokenizer.WORD, true, 0, 0);
  }

  /** Binary form (log entries and the shard's metadata): version, then the fields. */
  public void write(DataOutput out) throws IOException {
    out.writeByte(FORMAT_VERSION);
    out.writeByte(type.ordinal());
    out.writeBoolean(explicitParams);
    out.writeBoolean(lookup);
    out.writeBoolean(range);
    out.writeByte(tokenizer.ordinal());
    out.writeBoolean(lowercase);
    out.writeInt(minTokenLength);
    out.writeInt(maxTokenLength);
  }

  public static FieldIndexSchema read(DataInput in) throws IOException {
    int version = in.readByte();
    if (version != FORMAT_VERSION) {
      throw new IOException("unknown field index schema format " + version);
    }
    int type = in.readByte();
    if (type < 0 || type >= PayloadSchemaType.values().length) {
      throw new IOException("unknown payload schema type " + type);
    }
    boolean explicitParams = in.readBoolean();
    boolean lookup = in.readBoolean();
    boolean range = in.readBoolean();
    int tokenizer = in.readByte();
    if (tokenizer < 0 || tokenizer >= Tokenizer.values().length) {
      throw new IOException("unknown tokenizer " + tokenizer);
    }
    return new FieldIndexSchema(PayloadSchemaType.values()[type], explicitParams, lookup, range,
        Tokenizer.values()[tokenizer], in.readBoolean(), in.readInt(), in.readInt());
  }
}
