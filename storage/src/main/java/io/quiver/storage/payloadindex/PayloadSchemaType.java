package io.quiver.storage.payloadindex;

/**
 * The kinds of payload field index, with Qdrant's names ({@code PayloadSchemaType}). Only append:
 * the ordinal is stored.
 */
public enum PayloadSchemaType {
  KEYWORD("keyword"),
  INTEGER("integer"),
  FLOAT("float"),
  GEO("geo"),
  TEXT("text"),
  BOOL("bool"),
  DATETIME("datetime"),
  UUID("uuid");

  private final String qdrantName;

  PayloadSchemaType(String qdrantName) {
    this.qdrantName = qdrantName;
  }

  public String qdrantName() {
    return qdrantName;
  }

  /** The type with this Qdrant name, or null. */
  public static PayloadSchemaType fromQdrantName(String name) {
    for (PayloadSchemaType t : values()) {
      if (t.qdrantName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
