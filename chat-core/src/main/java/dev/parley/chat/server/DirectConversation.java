package dev.parley.chat.server;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;

/**
 * The direct conversation of two users. The recipient's connections get {@code MSG with=SENDER},
 * the sender's other connections {@code MSG with=RECIPIENT}; who is online is looked up at delivery.
 */
final class DirectConversation extends Conversation {
    private final Hub hub;
    private final String a;
    private final String b;

    DirectConversation(String canonicalA, String canonicalB, Hub hub) {
        super(Conversations.direct(canonicalA, canonicalB), hub.store);
        this.hub = hub;
        this.a = canonicalA;
        this.b = canonicalB;
    }

    @Override
    void deliverNow(StoredMessage m, Session origin) {
        String senderCanonical = Wire.canonicalUser(m.sender());
        String recipientCanonical = a.equals(senderCanonical) ? b : a;
        User sender = hub.user(senderCanonical);
        User recipient = hub.user(recipientCanonical);
        String time = Wire.time(m.time());
        int recipients = 0;
        if (recipient != null && recipient != sender) {
            byte[] toRecipient = Wire.encode(Frame.of("MSG").with("with", m.sender()).with("seq", m.seq())
                    .with("from", m.sender()).with("time", time).text(m.text()));
            for (Session s : recipient.sessions) {
                if (s != origin) {
                    s.out.send(toRecipient);
                    recipients++;
                }
            }
        }
        if (sender != null) {
            String with = recipient != null ? recipient.name : recipientCanonical;
            byte[] toSender = Wire.encode(Frame.of("MSG").with("with", with).with("seq", m.seq())
                    .with("from", m.sender()).with("time", time).text(m.text()));
            for (Session s : sender.sessions) {
                if (s != origin) {
                    s.out.send(toSender);
                    recipients++;
                }
            }
        }
        hub.counters.delivered(recipients);
        hub.events.post(l -> l.messageStored(m));
    }
}
