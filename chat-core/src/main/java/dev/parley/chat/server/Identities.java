package dev.parley.chat.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Identities and resume tokens (PROTOCOL.md, "Identities"). An authenticated user's identity is its
 * canonical name. An anonymous user's is {@code canonical~ID}, with a random 128-bit ID made at
 * {@code HELLO} (22 base64url characters): it ends when its holder leaves, unless the holder comes back
 * with its resume token {@code 1.ID.MAC}, where MAC is HMAC-SHA256 of the identity (UTF-8) under the
 * server's resume secret, truncated to 128 bits, in base64url without padding. Direct messages are
 * keyed by identity.
 *
 * <p>Thread safe: each call works on its own copy of one {@link Mac} keyed once at construction
 * ({@code clone()}), so a HELLO looks up no provider: {@code Mac.getInstance} on a connection's reader
 * left a {@code ThreadLocal} (the JDK's provider-lookup cache) on every virtual thread that registered,
 * about 160 bytes per connection for its whole life.
 */
final class Identities {
    /** Between the canonical name and the random id of an anonymous identity (never in a name). */
    static final char SEPARATOR = '~';
    /** The shortest resume secret {@link ChatServer.Builder#resumeSecret} accepts, in bytes. */
    static final int MIN_SECRET_BYTES = 16;
    private static final String TOKEN_VERSION = "1";
    private static final int ID_BYTES = 16;
    private static final int MAC_BYTES = 16;
    private static final int ENCODED_LENGTH = 22;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    /** Keyed once; never used itself, only copied (read-only, so copies may be taken concurrently). */
    private final Mac keyed;
    private final SecureRandom random = new SecureRandom();

    /** @param secret the HMAC key, at least {@value #MIN_SECRET_BYTES} bytes (copied) */
    Identities(byte[] secret) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("resumeSecret must be at least " + MIN_SECRET_BYTES + " bytes, was "
                    + secret.length);
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.keyed = newMac();
    }

    /** Identities under a random secret: their tokens are good for this object's life only. */
    static Identities withRandomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new Identities(secret);
    }

    /** A new anonymous identity for a canonical name. */
    String anonymous(String canonical) {
        byte[] id = new byte[ID_BYTES];
        random.nextBytes(id);
        return canonical + SEPARATOR + ENCODER.encodeToString(id);
    }

    /** The resume token of an anonymous identity. */
    String token(String identity) {
        int at = identity.lastIndexOf(SEPARATOR);
        if (at < 0) {
            throw new IllegalArgumentException("not an anonymous identity");
        }
        return TOKEN_VERSION + '.' + identity.substring(at + 1) + '.' + ENCODER.encodeToString(mac(identity));
    }

    /**
     * The identity a token resumes for a canonical name, or {@code null} if the token is malformed
     * (base64url not in its canonical spelling included), of another version, of another name or not
     * made with this secret. The MAC is compared in constant time.
     */
    String resume(String canonical, String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals(TOKEN_VERSION) || parts[1].length() != ENCODED_LENGTH
                || parts[2].length() != ENCODED_LENGTH) {
            return null;
        }
        byte[] id;
        byte[] presented;
        try {
            id = DECODER.decode(parts[1]);
            presented = DECODER.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // Only the canonical encoding: the last character's unused bits must be zero (no second spelling).
        if (id.length != ID_BYTES || presented.length != MAC_BYTES || !ENCODER.encodeToString(id).equals(parts[1])
                || !ENCODER.encodeToString(presented).equals(parts[2])) {
            return null;
        }
        String identity = canonical + SEPARATOR + parts[1];
        return MessageDigest.isEqual(mac(identity), presented) ? identity : null;
    }

    /** Whether an identity is anonymous (has a random id). */
    static boolean isAnonymous(String identity) {
        return identity.indexOf(SEPARATOR) >= 0;
    }

    /** The canonical name an identity was made for. */
    static String canonicalOf(String identity) {
        int at = identity.indexOf(SEPARATOR);
        return at < 0 ? identity : identity.substring(0, at);
    }

    private byte[] mac(String identity) {
        Mac mac;
        try {
            mac = (Mac) keyed.clone();
        } catch (CloneNotSupportedException e) {
            mac = newMac(); // a provider whose Mac cannot be copied
        }
        byte[] full = mac.doFinal(identity.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[MAC_BYTES];
        System.arraycopy(full, 0, out, 0, MAC_BYTES);
        return out;
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "Identities[secret=****]";
    }
}
