package dev.parley.chat.store.jdbc.internal;

import java.util.Locale;

/** Reads PostgreSQL's {@code search_path} setting. */
public final class SearchPath {
    private SearchPath() {
    }

    /**
     * The first schema name of a {@code search_path} value as PostgreSQL resolves it: a quoted entry
     * ({@code "Chat A"}) as written without its quotes, an unquoted one in lower case; {@code $user}
     * for the user's schema; {@code null} for an empty path.
     */
    public static String first(String searchPath) {
        if (searchPath == null) {
            return null;
        }
        String s = searchPath.strip();
        if (s.isEmpty()) {
            return null;
        }
        if (s.charAt(0) == '"') {
            StringBuilder name = new StringBuilder();
            for (int i = 1; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        name.append('"');
                        i++;
                        continue;
                    }
                    return name.toString();
                }
                name.append(ch);
            }
            return name.toString();
        }
        int comma = s.indexOf(',');
        String entry = (comma < 0 ? s : s.substring(0, comma)).strip();
        return entry.isEmpty() ? null : entry.toLowerCase(Locale.ROOT);
    }
}
