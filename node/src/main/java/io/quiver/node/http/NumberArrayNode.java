package io.quiver.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON array of numbers from a request body ({@link JsonBodyReader}), held as one primitive array
 * instead of a node per number: a vector of 784 numbers is one {@code long[]} and one {@code
 * byte[]} rather than 784 {@link DoubleNode}s in a list. It behaves as the {@link ArrayNode}
 * Jackson's tree reader builds (its elements are made on each access as {@link IntNode}, {@link
 * LongNode} or {@link DoubleNode}, as Jackson would make them, so equality and serialization are
 * the same), and {@link #floats} hands a vector over in one pass.
 */
public final class NumberArrayNode extends ArrayNode {

  static final byte INT = 0;
  static final byte LONG = 1;
  static final byte DOUBLE = 2;

  private final Numbers numbers;

  NumberArrayNode(long[] values, byte[] kinds, int size) {
    this(new Numbers(values, kinds, size));
  }

  private NumberArrayNode(Numbers numbers) {
    super(JsonNodeFactory.instance, numbers);
    this.numbers = numbers;
  }

  /**
   * The numbers as float32 values ({@code (float)} of each, as {@link JsonNode#floatValue} gives),
   * or null when the array was changed after it was read.
   */
  public float[] floats() {
    if (numbers.changed != null) {
      return null;
    }
    float[] out = new float[numbers.size];
    long[] values = numbers.values;
    byte[] kinds = numbers.kinds;
    for (int i = 0; i < out.length; i++) {
      out[i] = kinds[i] == DOUBLE ? (float) Double.longBitsToDouble(values[i]) : (float) values[i];
    }
    return out;
  }

  /**
   * The elements: made on access from the primitive arrays; a change (Jackson's {@code add}, {@code
   * set}, {@code remove}) first copies them into an ordinary list, which then holds them.
   */
  private static final class Numbers extends AbstractList<JsonNode> {
    private final long[] values;
    private final byte[] kinds;
    private final int size;
    private List<JsonNode> changed;

    Numbers(long[] values, byte[] kinds, int size) {
      this.values = values;
      this.kinds = kinds;
      this.size = size;
    }

    @Override
    public JsonNode get(int index) {
      if (changed != null) {
        return changed.get(index);
      }
      if (index < 0 || index >= size) {
        throw new IndexOutOfBoundsException(index);
      }
      return switch (kinds[index]) {
        case INT -> IntNode.valueOf((int) values[index]);
        case LONG -> LongNode.valueOf(values[index]);
        default -> DoubleNode.valueOf(Double.longBitsToDouble(values[index]));
      };
    }

    @Override
    public int size() {
      return changed != null ? changed.size() : size;
    }

    private List<JsonNode> changeable() {
      if (changed == null) {
        List<JsonNode> copy = new ArrayList<>(Math.max(size, 4));
        for (int i = 0; i < size; i++) {
          copy.add(get(i));
        }
        changed = copy;
      }
      return changed;
    }

    @Override
    public JsonNode set(int index, JsonNode element) {
      return changeable().set(index, element);
    }

    @Override
    public void add(int index, JsonNode element) {
      changeable().add(index, element);
    }

    @Override
    public JsonNode remove(int index) {
      return changeable().remove(index);
    }

    @Override
    public void clear() {
      changeable().clear();
    }
  }
}
