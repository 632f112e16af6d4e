package dev.parley.chat.server;

import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;

/**
 * The direct conversation of two users, as this server delivers it: the recipient's connections here
 * get {@code MSG with=SENDER}, the sender's other connections here {@code MSG with=RECIPIENT}. Who is
 * connected is looked up at delivery; a user connected to another node of a cluster is served there.
 */
final class DirectConversation extends Conversation {
    private final Users users;
    private final Events events;
    private final String a;
    private final String b;
    /** The names of a and b as registered, once seen (a user on another node is shown this way). */
    private volatile String shownA;
    private volatile String shownB;

    DirectConversation(String canonicalA, String canonicalB, Conversation.Env env, Users users, Events events) {
        super(Conversations.direct(canonicalA, canonicalB), env);
        this.users = users;
        this.events = events;
        this.a = canonicalA;
        this.b = canonicalB;
        this.shownA = canonicalA;
        this.shownB = canonicalB;
    }

    /** Remembers how a participant registered its name (learnt when a DM to it is sent). */
    void shownAs(String canonical, String name) {
        if (canonical.equals(a)) {
            shownA = name;
        } else if (canonical.equals(b)) {
            shownB = name;
        }
    }

    @Override
    void deliverNow(StoredMessage m, Session origin, boolean local) {
        String senderCanonical = Wire.canonicalUser(m.sender());
        String recipientCanonical = a.equals(senderCanonical) ? b : a;
        User sender = users.local(senderCanonical);
        User recipient = users.local(recipientCanonical);
        int recipients = 0;
        if (recipient != null && recipient != sender) {
            byte[] toRecipient = Wire.msg(null, m.sender(), m, null);
            for (Session s : recipient.sessions) {
                if (s != origin) {
                    s.out.send(toRecipient);
                    recipients++;
                }
            }
        }
        if (sender != null) {
            String with = recipient != null ? recipient.name : (recipientCanonical.equals(a) ? shownA : shownB);
            byte[] toSender = Wire.msg(null, with, m, null);
            for (Session s : sender.sessions) {
                if (s != origin) {
                    s.out.send(toSender);
                    recipients++;
                }
            }
        }
        counters().delivered(recipients);
        if (local) {
            events.post(l -> l.messageStored(m));
        }
    }

    @Override
    boolean hasRecipients() {
        return users.local(a) != null || users.local(b) != null;
    }
}
