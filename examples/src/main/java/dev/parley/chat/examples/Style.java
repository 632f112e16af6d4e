package dev.parley.chat.examples;

/**
 * Colours for the terminal client: each person's name in a colour of its own (the same every time),
 * joins and leaves in green, notices dimmed, errors in red. With colours off every method returns
 * its text as it is. The texts given here are already {@linkplain ClientMain#clean cleaned}: they
 * hold no escape character of their own.
 */
final class Style {
    private static final String RESET = "\033[0m";
    /** Readable on dark and light backgrounds: red, green, yellow are for notices, so blue, magenta, cyan and bright ones. */
    private static final String[] NAME_COLOURS = {"\033[34m", "\033[35m", "\033[36m", "\033[94m", "\033[95m", "\033[96m", "\033[33m", "\033[32m"};

    private final boolean on;

    Style(boolean on) {
        this.on = on;
    }

    private String wrap(String code, String text) {
        return on ? code + text + RESET : text;
    }

    /** A person's name, in the colour their name always gets; bold for oneself. */
    String name(String name, boolean self) {
        if (!on) {
            return name;
        }
        String colour = NAME_COLOURS[Math.floorMod(name.toLowerCase(java.util.Locale.ROOT).hashCode(), NAME_COLOURS.length)];
        return (self ? "\033[1m" : "") + colour + name + RESET;
    }

    /** A time stamp or other secondary text. */
    String dim(String text) {
        return wrap("\033[2m", text);
    }

    /** Someone joined or left. */
    String presence(String text) {
        return wrap("\033[32m", text);
    }

    /** A notice from the client: joined, rooms, reconnecting. */
    String notice(String text) {
        return wrap("\033[36m", text);
    }

    /** Something went wrong. */
    String error(String text) {
        return wrap("\033[31m", text);
    }

    /** Something that needs attention but is not an error (offline). */
    String warning(String text) {
        return wrap("\033[33m", text);
    }
}
