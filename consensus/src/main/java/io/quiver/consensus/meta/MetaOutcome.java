package io.quiver.consensus.meta;

import java.util.Objects;

/**
 * What applying one meta command came to: applied, or refused with a typed error, the way Qdrant's
 * {@code StorageError} / {@code OperationError} carry their kind instead of leaving the caller to
 * read it out of a message (qdrant/qdrant:lib/segment/src/common/operation_error.rs).
 *
 * <p>A refusal says three things, each for a different reader:
 *
 * <ul>
 *   <li>{@link Fault}: whose fault it is. A {@code USER} refusal is an answer to bad input, made
 *       identically on every replica; a {@code SERVICE} refusal means the cluster could not handle
 *       a well-formed request (today: a command this build cannot decode, sent by a newer node
 *       during a rolling upgrade), and is logged as such.
 *   <li>{@link Status}: the kind of refusal, which picks the HTTP status and exception.
 *   <li>{@link Subject} and {@code name}: what was missing or in the way (a collection, an alias, a
 *       peer), so that the caller builds its not-found or already-exists error from typed fields,
 *       never from the words of {@code message}.
 * </ul>
 *
 * {@code message} is the text for the user, unchanged from before this type existed.
 *
 * <p>Replies carry the ordinals of the three enums ({@link MetaMessages#reply}): append new
 * constants at the end, never reorder them.
 *
 * @param name the collection, alias or peer the refusal is about (a peer as its decimal id); empty
 *     for {@link Subject#NONE}
 */
public record MetaOutcome(
    Fault fault, Status status, Subject subject, String name, String message) {

  /** The outcome of every command that was applied. */
  static final MetaOutcome APPLIED = new MetaOutcome(Fault.NONE, Status.OK, Subject.NONE, "", "");

  /** Whose fault a refusal is. */
  public enum Fault {
    /** Not refused. */
    NONE,
    /** Bad input: the same on every replica, answered with a 4xx. */
    USER,
    /**
     * The cluster could not handle a well-formed request (a newer node's command, for instance).
     */
    SERVICE
  }

  /**
   * The kind of outcome, with the status byte that replies have carried since version 1 (readers of
   * an earlier build know only those four; {@link #ALREADY_EXISTS} travels as a conflict there).
   */
  public enum Status {
    OK(0),
    BAD_REQUEST(1),
    NOT_FOUND(2),
    CONFLICT(3),
    /**
     * The thing to create exists already (Qdrant's {@code AlreadyExists}); HTTP 409 like a
     * conflict.
     */
    ALREADY_EXISTS(3);

    /** The status byte of a version-1 reply. */
    final byte legacyCode;

    Status(int legacyCode) {
      this.legacyCode = (byte) legacyCode;
    }
  }

  /** What a refusal is about. */
  public enum Subject {
    NONE,
    COLLECTION,
    ALIAS,
    PEER
  }

  public MetaOutcome {
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(message, "message");
    if ((fault == Fault.NONE) != (status == Status.OK)) {
      throw new IllegalArgumentException(
          "an outcome is applied (no fault, status OK) or refused (a fault, another status): "
              + fault
              + " "
              + status);
    }
  }

  public boolean applied() {
    return status == Status.OK;
  }

  static MetaOutcome badRequest(String message) {
    return new MetaOutcome(Fault.USER, Status.BAD_REQUEST, Subject.NONE, "", message);
  }

  static MetaOutcome conflict(String message) {
    return new MetaOutcome(Fault.USER, Status.CONFLICT, Subject.NONE, "", message);
  }

  static MetaOutcome collectionNotFound(String collection) {
    return new MetaOutcome(
        Fault.USER,
        Status.NOT_FOUND,
        Subject.COLLECTION,
        collection,
        "Not found: Collection `" + collection + "` doesn't exist!");
  }

  static MetaOutcome aliasNotFound(String alias) {
    return new MetaOutcome(
        Fault.USER,
        Status.NOT_FOUND,
        Subject.ALIAS,
        alias,
        "Not found: Alias `" + alias + "` doesn't exist!");
  }

  static MetaOutcome peerNotFound(long peer) {
    return new MetaOutcome(
        Fault.USER,
        Status.NOT_FOUND,
        Subject.PEER,
        Long.toString(peer),
        "Not found: peer " + peer + " is not a member of the cluster");
  }

  static MetaOutcome collectionExists(String collection) {
    // The message is the bare name, as replies of version 1 carried it: builds before typed
    // outcomes read only the status and the command, and build their own message.
    return new MetaOutcome(
        Fault.USER, Status.ALREADY_EXISTS, Subject.COLLECTION, collection, collection);
  }

  /**
   * A delete of a collection that does not exist. The message is the bare name, as replies of
   * version 1 carried it: a build before typed outcomes tells this case (a delete that answers
   * {@code false}) from the other not-founds by the message not starting with "Not found".
   */
  static MetaOutcome nothingToDelete(String collection) {
    return new MetaOutcome(
        Fault.USER, Status.NOT_FOUND, Subject.COLLECTION, collection, collection);
  }

  /**
   * A command this build cannot decode: the cluster's fault, answered as a bad request as before.
   */
  static MetaOutcome undecodable(String message) {
    return new MetaOutcome(Fault.SERVICE, Status.BAD_REQUEST, Subject.NONE, "", message);
  }
}
