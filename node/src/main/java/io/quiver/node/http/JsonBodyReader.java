package io.quiver.node.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a request body into a JSON tree in one pass of Jackson's streaming parser, as Jackson's
 * tree reader does ({@code ObjectMapper.readTree} with {@code FAIL_ON_TRAILING_TOKENS}: the same
 * node types, a repeated key keeps its last value, trailing content is an error), except that an
 * array holding only numbers becomes a {@link NumberArrayNode}: a vector's numbers go into one
 * primitive array, not a node each. A batch of 1,000 vectors of 784 numbers is 784,000 nodes less
 * to allocate and to walk.
 *
 * <p>Iterative, not recursive: the nesting depth is bounded by the parser's {@code
 * StreamReadConstraints} (1,000 by default), never by the thread's stack.
 */
final class JsonBodyReader {

  /** Each thread's buffer for the numbers of the array being read (see {@link Scratch}). */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private JsonBodyReader() {}

  /**
   * The one JSON value of {@code p}'s input, or null when it holds none; trailing content fails
   * with a {@link JsonParseException}.
   */
  static JsonNode read(JsonParser p) throws IOException {
    return read(p, null);
  }

  /**
   * As {@link #read(JsonParser)}, for a parser over {@code source} (from its first byte): each
   * payload object (the value of a {@code payload} field, or an element of a {@code payloads}
   * array) also keeps its own bytes of the body, as a {@link RawJsonObjectNode}, so that it goes
   * into the log without being serialized again. Not for an object that repeats a key anywhere in
   * it: its bytes would carry both values where the tree keeps the last.
   */
  static JsonNode read(JsonParser p, byte[] source) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      return null;
    }
    ArrayDeque<Container> open = new ArrayDeque<>();
    Scratch scratch = SCRATCH.get();
    while (true) {
      JsonNode value;
      switch (t) {
        case START_OBJECT -> {
          Container parent = open.peek();
          if (parent instanceof ArrayContainer a) {
            a.leaveNumbers();
          }
          ObjectContainer object;
          if (source != null && isPayloadPlace(parent) && parent.rawOwner() == null) {
            object = new ObjectContainer(new RawJsonObjectNode(), null);
            object.rawStart = p.currentTokenLocation().getByteOffset();
          } else {
            object =
                new ObjectContainer(
                    JsonNodeFactory.instance.objectNode(),
                    parent == null ? null : parent.rawOwner());
          }
          open.push(object);
          t = p.nextToken();
          continue;
        }
        case START_ARRAY -> {
          Container parent = open.peek();
          if (parent instanceof ArrayContainer a) {
            a.leaveNumbers();
          }
          open.push(
              new ArrayContainer(
                  scratch,
                  parent instanceof ObjectContainer o
                      && "payloads".equals(o.name)
                      && o.rawOwner() == null,
                  parent == null ? null : parent.rawOwner()));
          t = p.nextToken();
          continue;
        }
        case FIELD_NAME -> {
          ((ObjectContainer) open.peek()).name = p.currentName();
          t = p.nextToken();
          continue;
        }
        case END_OBJECT -> {
          ObjectContainer object = (ObjectContainer) open.pop();
          if (object.node instanceof RawJsonObjectNode raw && object.rawStart >= 0) {
            long end = p.currentTokenLocation().getByteOffset() + 1;
            raw.setRawJson(Arrays.copyOfRange(source, (int) object.rawStart, (int) end));
          }
          value = object.node;
        }
        case END_ARRAY -> value = open.pop().finish();
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
          if (open.peek() instanceof ArrayContainer a && a.addNumber(p)) {
            t = p.nextToken();
            continue;
          }
          value = numberNode(p);
        }
        case VALUE_STRING -> value = TextNode.valueOf(p.getText());
        case VALUE_TRUE -> value = BooleanNode.TRUE;
        case VALUE_FALSE -> value = BooleanNode.FALSE;
        case VALUE_NULL -> value = NullNode.instance;
        default ->
            throw new JsonParseException(p, "Unexpected token (" + t + ") in a request body");
      }
      if (open.isEmpty()) {
        scratch.trim();
        JsonToken trailing = p.nextToken();
        if (trailing != null) {
          throw new JsonParseException(
              p,
              "Trailing token (of type "
                  + trailing
                  + ") found after value (bound as `com.fasterxml.jackson.databind.JsonNode`):"
                  + " not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
        }
        return value;
      }
      open.peek().add(value);
      t = p.nextToken();
    }
  }

  /** A number outside a numbers-only array, as Jackson's tree reader makes it. */
  private static JsonNode numberNode(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
      return DoubleNode.valueOf(p.getDoubleValue());
    }
    return switch (p.getNumberType()) {
      case INT -> IntNode.valueOf(p.getIntValue());
      case LONG -> LongNode.valueOf(p.getLongValue());
      default -> JsonNodeFactory.instance.numberNode(p.getBigIntegerValue());
    };
  }

  /**
   * Where an object opening in {@code parent} is a payload: see {@link #read(JsonParser, byte[])}.
   * (Not inside another payload: a {@code payload} key within a payload is that payload's data.)
   */
  private static boolean isPayloadPlace(Container parent) {
    return parent instanceof ObjectContainer o && "payload".equals(o.name)
        || parent instanceof ArrayContainer a && a.payloads;
  }

  private interface Container {
    void add(JsonNode value);

    JsonNode finish();

    /** The payload object this container is inside (or is), whose bytes are kept; else null. */
    ObjectContainer rawOwner();
  }

  private static final class ObjectContainer implements Container {
    private final ObjectNode node;
    private final ObjectContainer rawOwner;
    private String name;

    /** Where this payload object starts in the body; -1 when its bytes are not kept. */
    private long rawStart = -1;

    /**
     * @param rawOwner the payload object this one is inside, or null (this one's own, if it is a
     *     payload, is itself)
     */
    ObjectContainer(ObjectNode node, ObjectContainer rawOwner) {
      this.node = node;
      this.rawOwner = rawOwner;
    }

    @Override
    public ObjectContainer rawOwner() {
      return node instanceof RawJsonObjectNode ? this : rawOwner;
    }

    @Override
    public void add(JsonNode value) {
      if (node.replace(name, value) != null) {
        // A repeated key: the tree keeps the last value, the bytes both.
        ObjectContainer owner = rawOwner();
        if (owner != null) {
          owner.rawStart = -1;
        }
      }
    }

    @Override
    public JsonNode finish() {
      return node;
    }
  }

  /**
   * Where the numbers of the array being read go, shared by all arrays of one body (and kept by the
   * thread for the next body): only the innermost open array can still hold numbers only (an array
   * or object opening inside one ends that), so one buffer serves them all, and each array keeps an
   * exact-size copy.
   */
  private static final class Scratch {
    /** Kept between bodies up to this many numbers (a vector of 4,096 dimensions: 36 KB). */
    private static final int KEPT = 4_096;

    long[] values = new long[64];
    byte[] kinds = new byte[64];

    /** After a body: a buffer grown past {@link #KEPT} numbers is not kept. */
    void trim() {
      if (values.length > KEPT) {
        values = new long[64];
        kinds = new byte[64];
      }
    }

    void ensure(int size) {
      if (size > values.length) {
        values = Arrays.copyOf(values, Math.max(size, values.length * 2));
        kinds = Arrays.copyOf(kinds, values.length);
      }
    }
  }

  /**
   * An array being read: numbers go into the scratch buffer as long as every element so far is a
   * number that fits a long or a double; the first other element moves them into nodes.
   */
  private static final class ArrayContainer implements Container {
    private final Scratch scratch;

    /** The value of a {@code payloads} field: its objects are payloads. */
    private final boolean payloads;

    private final ObjectContainer rawOwner;
    private int count;
    private List<JsonNode> nodes; // non-null once an element is not a plain number

    ArrayContainer(Scratch scratch, boolean payloads, ObjectContainer rawOwner) {
      this.scratch = scratch;
      this.payloads = payloads;
      this.rawOwner = rawOwner;
    }

    @Override
    public ObjectContainer rawOwner() {
      return rawOwner;
    }

    /** Takes the parser's current number into the scratch buffer; false if it cannot. */
    boolean addNumber(JsonParser p) throws IOException {
      if (nodes != null) {
        return false;
      }
      long value;
      byte kind;
      if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
        // From the parser's own characters: getDoubleValue() would first make a String of them
        // (a vector of 784 numbers: 784 Strings), then parse it the same way.
        value =
            Double.doubleToRawLongBits(
                NumberInput.parseDouble(
                    p.getTextCharacters(),
                    p.getTextOffset(),
                    p.getTextLength(),
                    p.isEnabled(StreamReadFeature.USE_FAST_DOUBLE_PARSER)));
        kind = NumberArrayNode.DOUBLE;
      } else {
        switch (p.getNumberType()) {
          case INT -> {
            value = p.getIntValue();
            kind = NumberArrayNode.INT;
          }
          case LONG -> {
            value = p.getLongValue();
            kind = NumberArrayNode.LONG;
          }
          default -> {
            leaveNumbers();
            return false;
          }
        }
      }
      scratch.ensure(count + 1);
      scratch.values[count] = value;
      scratch.kinds[count] = kind;
      count++;
      return true;
    }

    /** Moves the numbers read so far into nodes: the array holds something else too. */
    void leaveNumbers() {
      if (nodes != null) {
        return;
      }
      nodes = new ArrayList<>(Math.max(count + 4, 8));
      NumberArrayNode numbers = numbersNode();
      for (int i = 0; i < count; i++) {
        nodes.add(numbers.get(i));
      }
    }

    private NumberArrayNode numbersNode() {
      return new NumberArrayNode(
          Arrays.copyOf(scratch.values, count), Arrays.copyOf(scratch.kinds, count), count);
    }

    @Override
    public void add(JsonNode value) {
      leaveNumbers();
      nodes.add(value);
    }

    @Override
    public JsonNode finish() {
      if (nodes != null) {
        return new ArrayNode(JsonNodeFactory.instance, nodes);
      }
      if (count == 0) {
        return JsonNodeFactory.instance.arrayNode();
      }
      return numbersNode();
    }
  }
}
