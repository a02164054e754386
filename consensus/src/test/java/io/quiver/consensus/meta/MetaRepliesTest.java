package io.quiver.consensus.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.consensus.codec.Envelope;
import java.io.DataInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: a meta reply carries its typed outcome, and stays readable across a rolling upgrade in both
 * directions: a reply of this build, read as an earlier build reads it (status byte, then the
 * message; nothing after), gives the same status and message as before, and a reply of an earlier
 * build (no typed trailer) decodes to a user refusal without a subject. Oracle: equality with the
 * outcome encoded, and the version-1 layout written by hand.
 */
@Timeout(30)
class MetaRepliesTest {

  @Test
  void everyOutcomeRoundTrips() throws Exception {
    for (MetaOutcome outcome :
        List.of(
            MetaOutcome.badRequest("Wrong input: x"),
            MetaOutcome.conflict("peer 2 still holds"),
            MetaOutcome.collectionNotFound("c"),
            MetaOutcome.aliasNotFound("a"),
            MetaOutcome.peerNotFound(7),
            MetaOutcome.collectionExists("c"),
            MetaOutcome.nothingToDelete("c"),
            MetaOutcome.undecodable("undecodable command"))) {
      MetaMessages.Reply reply =
          MetaMessages.decodeReply(MetaMessages.reply(outcome, 5).getContent());
      assertEquals(outcome, reply.outcome());
      assertEquals(-1, reply.value());
    }
    MetaMessages.Reply applied =
        MetaMessages.decodeReply(MetaMessages.reply(MetaOutcome.APPLIED, 42).getContent());
    assertEquals(MetaOutcome.APPLIED, applied.outcome());
    assertEquals(42, applied.value());
  }

  @Test
  void anEarlierBuildReadsTheStatusByteAndTheMessage() throws Exception {
    var content = MetaMessages.reply(MetaOutcome.collectionExists("c"), 5).getContent();
    DataInputStream in = Envelope.open(content, MetaMessages.REPLY_MAGIC, MetaMessages.VERSION);
    assertEquals(
        3, in.readByte(), "an existing collection travels as the conflict status of version 1");
    assertEquals("c", in.readUTF(), "with the bare name, as version 1 sent it");

    in =
        Envelope.open(
            MetaMessages.reply(MetaOutcome.aliasNotFound("a"), 5).getContent(),
            MetaMessages.REPLY_MAGIC,
            MetaMessages.VERSION);
    assertEquals(2, in.readByte());
    assertEquals("Not found: Alias `a` doesn't exist!", in.readUTF());
  }

  @Test
  void aReplyOfAnEarlierBuildHasNoSubject() throws Exception {
    var legacy =
        Envelope.message(
                MetaMessages.REPLY_MAGIC,
                MetaMessages.VERSION,
                out -> {
                  out.writeByte(2);
                  out.writeUTF("Not found: Collection `c` doesn't exist!");
                })
            .getContent();
    MetaOutcome outcome = MetaMessages.decodeReply(legacy).outcome();
    assertEquals(
        new MetaOutcome(
            MetaOutcome.Fault.USER,
            MetaOutcome.Status.NOT_FOUND,
            MetaOutcome.Subject.NONE,
            "",
            "Not found: Collection `c` doesn't exist!"),
        outcome);
  }
}
