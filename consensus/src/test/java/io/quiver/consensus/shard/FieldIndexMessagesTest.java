package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadIndexes;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import io.quiver.storage.payloadindex.StemmerParams;
import io.quiver.storage.payloadindex.Stopwords;
import io.quiver.storage.payloadindex.Tokenizer;
import java.io.DataInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: the payload-index commands, queries and the payload-schema reply survive their log and wire
 * encodings unchanged, for every index type and parameter. Oracle: record equality.
 */
class FieldIndexMessagesTest {

  private static final List<FieldIndexSchema> SCHEMAS =
      List.of(
          FieldIndexSchema.of(PayloadSchemaType.KEYWORD),
          FieldIndexSchema.integer(false, true),
          FieldIndexSchema.integer(true, false),
          FieldIndexSchema.of(PayloadSchemaType.FLOAT),
          FieldIndexSchema.withParams(PayloadSchemaType.BOOL),
          FieldIndexSchema.of(PayloadSchemaType.DATETIME),
          FieldIndexSchema.of(PayloadSchemaType.UUID),
          FieldIndexSchema.of(PayloadSchemaType.GEO),
          FieldIndexSchema.text(Tokenizer.PREFIX, false, 2, 10),
          FieldIndexSchema.text(Tokenizer.WHITESPACE, true, 0, 0),
          // The text options and keyword prefix (format version 2), each form of each option.
          FieldIndexSchema.text(
              Tokenizer.MULTILINGUAL,
              true,
              1,
              20,
              true,
              false,
              Stopwords.ofLanguage("english"),
              StemmerParams.snowball("english")),
          FieldIndexSchema.text(
              Tokenizer.WORD,
              false,
              0,
              0,
              null,
              true,
              Stopwords.ofSet(List.of("french", "german"), List.of("foo", "bär")),
              StemmerParams.NONE),
          FieldIndexSchema.text(
              Tokenizer.WORD, true, 0, 0, false, null, Stopwords.ofSet(null, List.of("x")), null),
          FieldIndexSchema.text(
              Tokenizer.PREFIX,
              true,
              0,
              0,
              null,
              null,
              Stopwords.ofSet(List.of("turkish"), null),
              null),
          FieldIndexSchema.keyword(true),
          FieldIndexSchema.keyword(false),
          FieldIndexSchema.keyword(null));

  @Test
  void commandsRoundTrip() throws Exception {
    for (FieldIndexSchema schema : SCHEMAS) {
      var create = new ShardCommand.CreateFieldIndex("a.b[].c", schema);
      assertEquals(create, ShardMessages.decodeCommand(ShardMessages.encode(create).getContent()));
    }
    var delete = new ShardCommand.DeleteFieldIndex("country.\"city name\"");
    assertEquals(delete, ShardMessages.decodeCommand(ShardMessages.encode(delete).getContent()));
  }

  @Test
  void queriesAndSchemaReplyRoundTrip() throws Exception {
    Filter filter =
        Filter.allOf(
            new Condition.Field(
                JsonPath.of("n"), new FieldPredicate.NumberRange(null, 1.0, 5.5, null)));
    for (ShardQuery query :
        List.of(
            new ShardQuery.EstimateCount(filter),
            new ShardQuery.EstimateCount(null),
            new ShardQuery.PayloadSchema())) {
      assertEquals(query, ShardMessages.decodeQuery(ShardMessages.encode(query).getContent()));
    }
    Map<String, PayloadIndexes.FieldInfo> schema = new LinkedHashMap<>();
    for (int i = 0; i < SCHEMAS.size(); i++) {
      schema.put("f" + i, new PayloadIndexes.FieldInfo(SCHEMAS.get(i), i * 7));
    }
    DataInputStream in =
        ShardMessages.openReply(ShardMessages.okPayloadSchema(schema).getContent());
    assertEquals(schema, assertInstanceOf(Map.class, ShardMessages.readPayloadSchema(in)));
  }
}
