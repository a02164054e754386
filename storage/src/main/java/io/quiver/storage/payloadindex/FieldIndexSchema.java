package io.quiver.storage.payloadindex;

import io.quiver.storage.BadRequestException;
import io.quiver.storage.Memory;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * What a payload field index is: its type and the parameters Quiver honours. Parameters Qdrant
 * defines that Quiver does not implement are refused at the edge. The optional flags are kept as
 * given (null: absent) so collection info reports exactly the fields the request had, as Qdrant
 * does.
 *
 * @param type the index type
 * @param explicitParams true when the request gave a params object (collection info then reports
 *     {@code params})
 * @param lookup integer index: answers {@code match} (Qdrant's default true)
 * @param range integer index: answers {@code range} (Qdrant's default true)
 * @param tokenizer text index: how strings become tokens (default {@link Tokenizer#WORD})
 * @param lowercase text index: tokens lowercased, in documents and queries alike (default true)
 * @param minTokenLength text index: shorter tokens are dropped (0: no limit)
 * @param maxTokenLength text index: longer tokens are dropped (0: no limit)
 * @param asciiFolding text index: accented letters folded to ASCII (null: absent, false)
 * @param phraseMatching text index: word positions kept so the index answers {@code phrase} (null:
 *     absent, false)
 * @param stopwords text index: tokens dropped from documents and queries, or null
 * @param stemmer text index: tokens stemmed, or null (absent)
 * @param prefix keyword index: answers {@code match: {prefix}} from its sorted keys (null: absent,
 *     false)
 * @param memory Qdrant's {@code memory} placement of the index (null: absent): only {@code pinned}
 *     (Qdrant's default) and {@code cached} describe what Quiver does, an index held on the heap
 */
public record FieldIndexSchema(
    PayloadSchemaType type,
    boolean explicitParams,
    boolean lookup,
    boolean range,
    Tokenizer tokenizer,
    boolean lowercase,
    int minTokenLength,
    int maxTokenLength,
    Boolean asciiFolding,
    Boolean phraseMatching,
    Stopwords stopwords,
    StemmerParams stemmer,
    Boolean prefix,
    Memory memory) {

  /**
   * Version 1: up to the token lengths; version 2 adds the text options and keyword prefix; version
   * 3 adds the memory placement (byte: -1 absent, else the {@link Memory} ordinal).
   */
  private static final int FORMAT_VERSION = 2;

  private static final int FORMAT_VERSION_MEMORY = 3;

  public FieldIndexSchema {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(tokenizer, "tokenizer");
    if (minTokenLength < 0 || maxTokenLength < 0) {
      throw new BadRequestException("field_schema: token lengths must be >= 0");
    }
    if (maxTokenLength > 0 && minTokenLength > maxTokenLength) {
      throw new BadRequestException(
          "field_schema: min_token_len " + minTokenLength + " > max_token_len " + maxTokenLength);
    }
    if (type == PayloadSchemaType.INTEGER && !lookup && !range) {
      throw new BadRequestException(
          "field_schema: an integer index needs `lookup` or `range` (both are false)");
    }
    if (memory == Memory.COLD) {
      throw new BadRequestException(
          "field_schema.memory: `cold` is not supported (payload indexes are held on the heap"
              + " and rebuilt at open: `cached` or `pinned`)");
    }
  }

  /** The schema without a memory placement. */
  public FieldIndexSchema(
      PayloadSchemaType type,
      boolean explicitParams,
      boolean lookup,
      boolean range,
      Tokenizer tokenizer,
      boolean lowercase,
      int minTokenLength,
      int maxTokenLength,
      Boolean asciiFolding,
      Boolean phraseMatching,
      Stopwords stopwords,
      StemmerParams stemmer,
      Boolean prefix) {
    this(
        type,
        explicitParams,
        lookup,
        range,
        tokenizer,
        lowercase,
        minTokenLength,
        maxTokenLength,
        asciiFolding,
        phraseMatching,
        stopwords,
        stemmer,
        prefix,
        null);
  }

  /** This schema with a memory placement (null: absent); a placement makes the params explicit. */
  public FieldIndexSchema withMemory(Memory newMemory) {
    return new FieldIndexSchema(
        type,
        explicitParams || newMemory != null,
        lookup,
        range,
        tokenizer,
        lowercase,
        minTokenLength,
        maxTokenLength,
        asciiFolding,
        phraseMatching,
        stopwords,
        stemmer,
        prefix,
        newMemory);
  }

  /** The schema without the text options and keyword prefix (version-1 data, other types). */
  public FieldIndexSchema(
      PayloadSchemaType type,
      boolean explicitParams,
      boolean lookup,
      boolean range,
      Tokenizer tokenizer,
      boolean lowercase,
      int minTokenLength,
      int maxTokenLength) {
    this(
        type,
        explicitParams,
        lookup,
        range,
        tokenizer,
        lowercase,
        minTokenLength,
        maxTokenLength,
        null,
        null,
        null,
        null,
        null);
  }

  /** The type with Qdrant's default parameters, given as a plain type name. */
  public static FieldIndexSchema of(PayloadSchemaType type) {
    return new FieldIndexSchema(type, false, true, true, Tokenizer.WORD, true, 0, 0);
  }

  /** An integer index given as a params object. */
  public static FieldIndexSchema integer(boolean lookup, boolean range) {
    return new FieldIndexSchema(
        PayloadSchemaType.INTEGER, true, lookup, range, Tokenizer.WORD, true, 0, 0);
  }

  /** A full-text index given as a params object, without the analysis options. */
  public static FieldIndexSchema text(
      Tokenizer tokenizer, boolean lowercase, int minTokenLength, int maxTokenLength) {
    return new FieldIndexSchema(
        PayloadSchemaType.TEXT,
        true,
        true,
        true,
        tokenizer,
        lowercase,
        minTokenLength,
        maxTokenLength);
  }

  /**
   * A full-text index given as a params object with analysis options (each may be null: absent).
   */
  public static FieldIndexSchema text(
      Tokenizer tokenizer,
      boolean lowercase,
      int minTokenLength,
      int maxTokenLength,
      Boolean asciiFolding,
      Boolean phraseMatching,
      Stopwords stopwords,
      StemmerParams stemmer) {
    return new FieldIndexSchema(
        PayloadSchemaType.TEXT,
        true,
        true,
        true,
        tokenizer,
        lowercase,
        minTokenLength,
        maxTokenLength,
        asciiFolding,
        phraseMatching,
        stopwords,
        stemmer,
        null);
  }

  /** A keyword index given as a params object; {@code prefix} may be null (absent). */
  public static FieldIndexSchema keyword(Boolean prefix) {
    return new FieldIndexSchema(
        PayloadSchemaType.KEYWORD,
        true,
        true,
        true,
        Tokenizer.WORD,
        true,
        0,
        0,
        null,
        null,
        null,
        null,
        prefix);
  }

  /** Any other type given as a params object ({@code {"type": "keyword"}}). */
  public static FieldIndexSchema withParams(PayloadSchemaType type) {
    return new FieldIndexSchema(type, true, true, true, Tokenizer.WORD, true, 0, 0);
  }

  /** Text index: tokens are folded to ASCII. */
  public boolean foldsAscii() {
    return Boolean.TRUE.equals(asciiFolding);
  }

  /** Text index: the index keeps word positions and answers {@code phrase}. */
  public boolean matchesPhrases() {
    return Boolean.TRUE.equals(phraseMatching);
  }

  /** Keyword index: the index answers {@code match: {prefix}}. */
  public boolean matchesPrefixes() {
    return Boolean.TRUE.equals(prefix);
  }

  /** Binary form (log entries and the shard's metadata): version, then the fields. */
  public void write(DataOutput out) throws IOException {
    // Without the newer options the bytes are version 1, readable by nodes that predate them.
    boolean v1 =
        asciiFolding == null
            && phraseMatching == null
            && prefix == null
            && stopwords == null
            && stemmer == null
            && memory == null;
    out.writeByte(v1 ? 1 : memory == null ? FORMAT_VERSION : FORMAT_VERSION_MEMORY);
    out.writeByte(type.ordinal());
    out.writeBoolean(explicitParams);
    out.writeBoolean(lookup);
    out.writeBoolean(range);
    out.writeByte(tokenizer.ordinal());
    out.writeBoolean(lowercase);
    out.writeInt(minTokenLength);
    out.writeInt(maxTokenLength);
    if (v1) {
      return;
    }
    writeFlag(out, asciiFolding);
    writeFlag(out, phraseMatching);
    writeFlag(out, prefix);
    if (stopwords == null) {
      out.writeByte(0);
    } else {
      stopwords.write(out);
    }
    if (stemmer == null) {
      out.writeByte(0);
    } else if (stemmer.language() == null) {
      out.writeByte(1);
    } else {
      out.writeByte(2);
      out.writeUTF(stemmer.language());
    }
    if (memory != null) {
      out.writeByte(memory.ordinal());
    }
  }

  /** Reads version 1 (written before the text options existed), 2 and 3. */
  public static FieldIndexSchema read(DataInput in) throws IOException {
    int version = in.readByte();
    if (version != 1 && version != FORMAT_VERSION && version != FORMAT_VERSION_MEMORY) {
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
    boolean lowercase = in.readBoolean();
    int minTokenLength = in.readInt();
    int maxTokenLength = in.readInt();
    if (version == 1) {
      return new FieldIndexSchema(
          PayloadSchemaType.values()[type],
          explicitParams,
          lookup,
          range,
          Tokenizer.values()[tokenizer],
          lowercase,
          minTokenLength,
          maxTokenLength);
    }
    Boolean asciiFolding = readFlag(in);
    Boolean phraseMatching = readFlag(in);
    Boolean prefix = readFlag(in);
    int stopwordsKind = in.readByte();
    Stopwords stopwords = stopwordsKind == 0 ? null : Stopwords.read(stopwordsKind, in);
    int stemmerKind = in.readByte();
    StemmerParams stemmer =
        switch (stemmerKind) {
          case 0 -> null;
          case 1 -> StemmerParams.NONE;
          case 2 -> storedStemmer(in.readUTF());
          default -> throw new IOException("unknown stemmer form " + stemmerKind);
        };
    Memory memory = null;
    if (version == FORMAT_VERSION_MEMORY) {
      int placement = in.readByte();
      if (placement < 0 || placement >= Memory.values().length) {
        throw new IOException("unknown memory placement " + placement);
      }
      memory = Memory.values()[placement];
    }
    try {
      return new FieldIndexSchema(
          PayloadSchemaType.values()[type],
          explicitParams,
          lookup,
          range,
          Tokenizer.values()[tokenizer],
          lowercase,
          minTokenLength,
          maxTokenLength,
          asciiFolding,
          phraseMatching,
          stopwords,
          stemmer,
          prefix,
          memory);
    } catch (BadRequestException e) {
      throw new IOException("corrupt field index schema: " + e.getMessage(), e);
    }
  }

  private static StemmerParams storedStemmer(String language) throws IOException {
    try {
      return StemmerParams.snowball(language);
    } catch (BadRequestException e) {
      throw new IOException("stored stemmer no longer valid: " + e.getMessage(), e);
    }
  }

  private static void writeFlag(DataOutput out, Boolean flag) throws IOException {
    out.writeByte(flag == null ? 0 : flag ? 2 : 1);
  }

  private static Boolean readFlag(DataInput in) throws IOException {
    int b = in.readByte();
    return switch (b) {
      case 0 -> null;
      case 1 -> Boolean.FALSE;
      case 2 -> Boolean.TRUE;
      default -> throw new IOException("unknown flag value " + b);
    };
  }
}
