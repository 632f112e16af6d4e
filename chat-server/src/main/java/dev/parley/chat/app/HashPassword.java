package dev.parley.chat.app;

import dev.parley.chat.protocol.Names;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * {@code parley hash-password [--iterations N] [NAME]}: reads a password without echo (twice, on a
 * terminal; one line from standard input otherwise, for scripts) and prints its {@link PasswordHash},
 * or the whole {@code NAME HASH} line of the users file when a name is given. Add the rooms by hand.
 */
final class HashPassword {
    static final String COMMAND = "hash-password";
    private static final String USAGE = "Usage: parley hash-password [--iterations N] [NAME]";

    private HashPassword() {
    }

    /** Runs the sub-command; returns the exit status (0 done, 2 a mistake). */
    static int run(String[] args, Console console, InputStream in, PrintStream out, PrintStream err) {
        int iterations = PasswordHash.DEFAULT_ITERATIONS;
        String name = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (args[i].equals("--iterations") && i + 1 < args.length) {
                try {
                    iterations = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    iterations = -1;
                }
                if (iterations < PasswordHash.MIN_ITERATIONS) {
                    err.println("--iterations must be a number of at least " + PasswordHash.MIN_ITERATIONS);
                    return 2;
                }
            } else if (name == null && !args[i].startsWith("-")) {
                name = args[i];
                if (!Names.isValidUser(name)) {
                    err.println("not a valid user name: " + name);
                    return 2;
                }
            } else {
                err.println(USAGE);
                return 2;
            }
        }
        char[] password = read(console, in, err);
        if (password == null) {
            return 2;
        }
        try {
            String hash = PasswordHash.create(password, iterations, new SecureRandom()).encoded();
            out.println(name == null ? hash : name + " " + hash);
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] read(Console console, InputStream in, PrintStream err) {
        char[] password;
        if (console != null) {
            password = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                err.println("the passwords differ");
                return null;
            }
            Arrays.fill(again, '\0');
        } else {
            try {
                String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                password = line == null ? null : line.toCharArray();
            } catch (IOException e) {
                password = null;
            }
        }
        if (password == null || password.length == 0) {
            err.println("no password given");
            return null;
        }
        for (char c : password) {
            if (c <= ' ' || c == 0x7f) {
                err.println("a password may not contain spaces or control characters (it travels as HELLO token=)");
                return null;
            }
        }
        return password;
    }
}
