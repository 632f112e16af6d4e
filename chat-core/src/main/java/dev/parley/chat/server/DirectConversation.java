package dev.parley.chat.server;

import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;

/**
 * The direct conversation of two identities ({@link Identities}), as this server delivers it: the
 * recipient's connections here get {@code MSG with=SENDER}, the sender's other connections here
 * {@code MSG with=RECIPIENT}. Who is connected is looked up at delivery, by identity: a later holder
 * of a participant's name is another identity and gets nothing. A user connected to another node of
 * a cluster is served there.
 */
final class DirectConversation extends Conversation {
    private final Users users;
    private final Events events;
    private final String a;
    private final String b;
    /** The names of a and b as registered, once seen (a user on another node is shown this way). */
    private volatile String shownA;
    private volatile String shownB;

    DirectConversation(String identityA, String identityB, Conversation.Env env, Users users, Events events) {
        super(Conversations.direct(identityA, identityB), env);
        this.users = users;
        this.events = events;
        this.a = identityA;
        this.b = identityB;
        this.shownA = Identities.canonicalOf(identityA);
        this.shownB = Identities.canonicalOf(identityB);
    }

    /** Remembers how a participant registered its name (learnt when a DM to it is sent). */
    void shownAs(String identity, String name) {
        if (identity.equals(a)) {
            shownA = name;
        } else if (identity.equals(b)) {
            shownB = name;
        }
    }

    @Override
    void deliverNow(StoredMessage m, Session origin, boolean local) {
        // Two participants online at once never share a canonical name, so the sender's name tells which.
        String senderCanonical = Wire.canonicalUser(m.sender());
        boolean fromA = Identities.canonicalOf(a).equals(senderCanonical);
        String recipientIdentity = fromA ? b : a;
        User sender = users.localIdentity(fromA ? a : b);
        User recipient = users.localIdentity(recipientIdentity);
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
            String with = recipient != null ? recipient.name : (recipientIdentity.equals(a) ? shownA : shownB);
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
        return users.localIdentity(a) != null || users.localIdentity(b) != null;
    }
}
