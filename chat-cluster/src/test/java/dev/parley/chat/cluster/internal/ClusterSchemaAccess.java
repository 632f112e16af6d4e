package dev.parley.chat.cluster.internal;

import java.util.List;

/** Tests: the statements of the shipped version 1 schema, to set up a database to migrate. */
public final class ClusterSchemaAccess {
    private ClusterSchemaAccess() {
    }

    /** Version 1's statements, every table qualified with the schema. */
    public static List<String> v1(String schema) {
        String qualified = ClusterSchema.script(ClusterSchema.RESOURCE_V1, ClusterTables.DEFAULT_PREFIX)
                .replace("TABLE IF NOT EXISTS parley_", "TABLE IF NOT EXISTS \"" + schema + "\".parley_")
                .replace(" ON parley_", " ON \"" + schema + "\".parley_")
                .replace("INSERT INTO parley_", "INSERT INTO \"" + schema + "\".parley_");
        return ClusterSchema.statements(qualified);
    }
}
