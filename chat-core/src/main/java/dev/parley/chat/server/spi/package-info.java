/**
 * The seams that let several {@link dev.parley.chat.server.ChatServer}s act as one chat: a
 * {@link dev.parley.chat.server.spi.Cluster} plugged in with
 * {@link dev.parley.chat.server.ChatServer.Builder#cluster(Cluster)} supplies a
 * {@link dev.parley.chat.server.spi.MessageBus} (store a message and tell the other nodes) and a
 * {@link dev.parley.chat.server.spi.Presence} (who holds a name, who is in a room, the 0&lt;-&gt;1
 * transitions that make {@code JOINED} and {@code LEFT}), and is handed the server's
 * {@link dev.parley.chat.server.spi.Node}, through which it delivers what happened elsewhere.
 *
 * <h2>What crosses the seams</h2>
 * Values only: {@link dev.parley.chat.store.NewMessage}, {@link dev.parley.chat.store.StoredMessage},
 * {@link dev.parley.chat.server.spi.PresenceEvent}, names, room names, conversation keys and numbers.
 * Nothing connection-shaped: a connection is named by a {@code long} id unique within its server,
 * which an implementation qualifies with its own node id if it stores it.
 *
 * <h2>How a message travels</h2>
 * <ol>
 *   <li>A client's SEND (or {@code ChatServer.post}) is checked by the server, which calls
 *       {@link dev.parley.chat.server.spi.MessageBus#publish} on the sender's thread. The bus stores
 *       the batch (the {@link dev.parley.chat.store.MessageStore} assigns the seqs) and, once it is
 *       committed, tells the other nodes, e.g. with a "conversation:seq range" doorbell.</li>
 *   <li>When {@code publish} returns, the server acknowledges the sender and delivers the messages to
 *       its own connections through the conversation's ordered-delivery step.</li>
 *   <li>On every other node, the implementation calls
 *       {@link dev.parley.chat.server.spi.Node#messagesStored} (a doorbell: the server reads the rows
 *       from the store, only for conversations that have recipients on that node) or
 *       {@link dev.parley.chat.server.spi.Node#messageStored} (a bus that carries the message itself).
 *       Both feed the same ordered-delivery step: each connection gets a conversation's messages in
 *       seq order, each once, never skipping one. A seq that is missing while this node's own appends
 *       are in flight is waited for (a bounded time); any other missing seq is read from the store.
 *       A seq the store no longer has (retention) is passed over, as on a single server.</li>
 * </ol>
 *
 * <h2>How presence travels</h2>
 * The server calls {@link dev.parley.chat.server.spi.Presence#join} and
 * {@link dev.parley.chat.server.spi.Presence#leave} for each connection; the implementation counts
 * connections per identity and room across the cluster and returns {@code true} on the cluster-wide
 * 0-&gt;1 and 1-&gt;0 transitions. On a {@code true}, this server sends the notice to its own members;
 * the implementation sends a {@link dev.parley.chat.server.spi.PresenceEvent} to every other node,
 * which delivers it with {@link dev.parley.chat.server.spi.Node#presenceChanged} in the room's order
 * (after the event's {@code afterSeq}). An implementation that reaps a dead node sends the
 * {@code LEFT} events of its memberships the same way, once each.
 *
 * <p>Without a cluster, the server uses in-process implementations of the same interfaces.
 */
package dev.parley.chat.server.spi;
