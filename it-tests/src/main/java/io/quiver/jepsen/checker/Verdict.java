package io.quiver.jepsen.checker;

/** A checker's verdict. */
public enum Verdict {
  /** The history satisfies the property. */
  VALID,
  /** The history violates the property; the result carries counterexamples. */
  INVALID,
  /**
   * The checker could not decide within its bounds (time, memory), or the history lacks what it
   * needs (e.g. no final read). Never silently counted as valid.
   */
  UNKNOWN;

  /**
   * @return the worse of the two verdicts (INVALID &gt; UNKNOWN &gt; VALID)
   */
  public Verdict and(Verdict other) {
    return this.ordinal() >= other.ordinal() ? this : other;
  }
}
