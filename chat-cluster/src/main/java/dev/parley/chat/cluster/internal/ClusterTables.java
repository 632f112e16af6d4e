package dev.parley.chat.cluster.internal;

/**
 * The cluster's table names and SQL, for one schema and table prefix (the message store's). The prefix
 * is validated by the store's builder; the schema name is quoted here. Every value is bound.
 */
public final class ClusterTables {
    /** The prefix the shipped schema file uses. */
    public static final String DEFAULT_PREFIX = "parley_";

    final String prefix;
    final String node;
    final String name;
    final String nameHolder;
    final String nameKey;
    final String member;
    final String presence;
    final String roomEvents;
    final String presenceEvent;
    final String schemaVersion;
    /** The message store's head table, read for {@code after_seq} and the safety poll. */
    final String storeConversation;

    // nodes and leases
    final String guard;
    final String register;
    final String renew;
    final String expired;
    final String sameName;
    final String lockNodeForReap;
    final String reaperLimits;
    final String endNode;
    final String forgetOldNodes;
    // names
    final String insertName;
    final String insertNameKey;
    final String deleteName;
    final String lockName;
    final String insertHolder;
    final String deleteHolder;
    final String deleteNameIfUnheld;
    final String holderName;
    // rooms
    final String insertMember;
    final String deleteMember;
    final String addConnection;
    final String removeConnection;
    final String deletePresence;
    final String nextEvents;
    final String lastEvent;
    final String lastEvents;
    final String roomHead;
    final String insertEvent;
    final String eventsAfter;
    final String members;
    final String rooms;
    final String forgetOldEvents;
    // reaping
    final String reapMembers;
    final String lockReapedPresence;
    final String reapPresence;
    final String deleteEmptyPresence;
    final String reapHolders;
    // safety poll
    final String heads;

    /**
     * @param schema the schema of the store's tables (quoted here), or {@code null} for unqualified
     * @param prefix the store's table prefix
     */
    public ClusterTables(String schema, String prefix) {
        String in = schema == null ? "" : '"' + schema.replace("\"", "\"\"") + "\".";
        this.prefix = prefix;
        node = in + prefix + "node";
        name = in + prefix + "name";
        nameHolder = in + prefix + "name_holder";
        nameKey = in + prefix + "name_key";
        member = in + prefix + "member";
        presence = in + prefix + "presence";
        roomEvents = in + prefix + "room_events";
        presenceEvent = in + prefix + "presence_event";
        schemaVersion = in + prefix + "cluster_schema_version";
        storeConversation = in + prefix + "conversation";

        // Share-locks the node's own row for the transaction (FOR KEY SHARE: lease renewals, which
        // update the row, do not wait for it; a reaper's FOR UPDATE does), and has PostgreSQL end the
        // session if the transaction then stays idle too long (a node stopped mid-transaction must not
        // hold the lock, and so the reaper, forever).
        guard = "SELECT set_config('idle_in_transaction_session_timeout', ?, true) FROM " + node
                + " WHERE id = ? AND state = 'alive' AND lease_until > clock_timestamp() FOR KEY SHARE";
        register = "INSERT INTO " + node + " (name, state, started_at, lease_until)"
                + " VALUES (?, 'alive', clock_timestamp(), clock_timestamp() + CAST(? AS INTERVAL)) RETURNING id";
        renew = "UPDATE " + node + " SET lease_until = clock_timestamp() + CAST(? AS INTERVAL)"
                + " WHERE id = ? AND state = 'alive' AND lease_until > clock_timestamp()";
        expired = "SELECT id, name FROM " + node + " WHERE state = 'alive' AND lease_until < clock_timestamp()"
                + " ORDER BY id";
        sameName = "SELECT id FROM " + node + " WHERE state = 'alive' AND name = ? AND id <> ? ORDER BY id";
        reaperLimits = "SELECT set_config('idle_in_transaction_session_timeout', '5000', true),"
                + " set_config('lock_timeout', '5000', true)";
        lockNodeForReap = "SELECT lease_until < clock_timestamp() FROM " + node
                + " WHERE id = ? AND state = 'alive' FOR UPDATE";
        endNode = "UPDATE " + node + " SET state = ?, ended_at = clock_timestamp(), ended_by = ? WHERE id = ?";
        forgetOldNodes = "DELETE FROM " + node + " WHERE state <> 'alive' AND ended_at < clock_timestamp() - INTERVAL '1 day'";

        insertName = "INSERT INTO " + name + " (canonical, name, shared, identity) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (canonical) DO NOTHING";
        insertNameKey = "INSERT INTO " + nameKey + " (skeleton, canonical) VALUES (?, ?) ON CONFLICT (skeleton) DO NOTHING";
        deleteName = "DELETE FROM " + name + " WHERE canonical = ?";
        lockName = "SELECT COALESCE(identity, CASE WHEN shared THEN canonical END) FROM " + name
                + " WHERE canonical = ? FOR UPDATE";
        insertHolder = "INSERT INTO " + nameHolder + " (node_id, connection_id, canonical) VALUES (?, ?, ?)"
                + " ON CONFLICT (node_id, connection_id) DO NOTHING";
        deleteHolder = "DELETE FROM " + nameHolder + " WHERE node_id = ? AND connection_id = ? AND canonical = ?";
        deleteNameIfUnheld = "DELETE FROM " + name + " n WHERE n.canonical = ANY(?)"
                + " AND NOT EXISTS (SELECT 1 FROM " + nameHolder + " h WHERE h.canonical = n.canonical)";
        holderName = "SELECT name, COALESCE(identity, canonical) FROM " + name + " WHERE canonical = ?";

        insertMember = "INSERT INTO " + member + " (node_id, connection_id, room, canonical) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (node_id, connection_id, room) DO NOTHING";
        deleteMember = "DELETE FROM " + member + " WHERE node_id = ? AND connection_id = ? AND room = ?";
        addConnection = "INSERT INTO " + presence + " AS p (room, canonical, name, connections) VALUES (?, ?, ?, 1)"
                + " ON CONFLICT (room, canonical) DO UPDATE SET connections = p.connections + 1 RETURNING connections";
        removeConnection = "UPDATE " + presence + " SET connections = connections - 1"
                + " WHERE room = ? AND canonical = ? RETURNING connections, name";
        deletePresence = "DELETE FROM " + presence + " WHERE room = ? AND canonical = ? AND connections <= 0";
        nextEvents = "INSERT INTO " + roomEvents + " AS e (room, last_event) VALUES (?, ?)"
                + " ON CONFLICT (room) DO UPDATE SET last_event = e.last_event + EXCLUDED.last_event RETURNING last_event";
        lastEvent = "SELECT last_event FROM " + roomEvents + " WHERE room = ?";
        lastEvents = "SELECT room, last_event FROM " + roomEvents + " WHERE room = ANY(?)";
        roomHead = "SELECT head FROM " + storeConversation + " WHERE conversation = ?";
        insertEvent = "INSERT INTO " + presenceEvent
                + " (room, event, kind, name, reason, after_seq, origin_node, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, clock_timestamp())";
        eventsAfter = "SELECT event, kind, name, reason, after_seq, origin_node FROM " + presenceEvent
                + " WHERE room = ? AND event > ? ORDER BY event";
        members = "SELECT name FROM " + presence + " WHERE room = ?";
        rooms = "SELECT room, COUNT(*) FROM " + presence + " GROUP BY room";
        forgetOldEvents = "DELETE FROM " + presenceEvent + " WHERE created_at < clock_timestamp() - CAST(? AS INTERVAL)";

        reapMembers = "DELETE FROM " + member + " WHERE node_id = ? RETURNING room, canonical";
        lockReapedPresence = "SELECT room, canonical FROM " + presence
                + " WHERE (room, canonical) IN (SELECT room, canonical FROM " + member + " WHERE node_id = ?)"
                + " ORDER BY room, canonical FOR UPDATE";
        reapPresence = "UPDATE " + presence + " SET connections = connections - ? WHERE room = ? AND canonical = ?"
                + " RETURNING connections, name";
        deleteEmptyPresence = deletePresence;
        reapHolders = "DELETE FROM " + nameHolder + " WHERE node_id = ? RETURNING canonical";

        heads = "SELECT conversation, head FROM " + storeConversation + " WHERE head > 0";
    }
}
