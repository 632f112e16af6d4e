package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 16: access rules. The application's {@link AccessPolicy} and {@link RoomAccess}, over TCP. */
@Timeout(30)
class AccessRulesTest {

    private static ChatServer.Builder server() {
        return ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create());
    }

    private static List<String> rooms(RawClient c) {
        return c.callAll("ROOMS").stream().filter(f -> f.verb().equals("ROOM")).map(f -> f.field("name")).toList();
    }

    @Test
    void aUserNotAdmittedToAPrivateRoomIsForbiddenEverythingAndDoesNotSeeIt() {
        try (ChatServer server = server().build().start();
                RawClient alice = RawClient.hello(server.port(), "alice");
                RawClient bob = RawClient.hello(server.port(), "bob")) {
            server.access().admit("Secret", "ALICE");
            server.access().makePrivate("secret");
            server.access().makePrivate("empty-private");
            alice.join("secret");
            alice.call("SEND room=secret :for members only");
            alice.join("lobby");

            Frame join = bob.expectError("JOIN room=secret", "FORBIDDEN");
            Frame history = bob.expectError("HISTORY room=secret", "FORBIDDEN");
            Frame send = bob.expectError("SEND room=secret :let me in", "FORBIDDEN");
            Frame who = bob.expectError("WHO room=secret", "FORBIDDEN");
            // No hint whether the room exists: a private room nobody ever entered answers the same.
            Frame whoEmpty = bob.expectError("WHO room=empty-private", "FORBIDDEN");
            Frame joinEmpty = bob.expectError("JOIN room=empty-private", "FORBIDDEN");
            for (Frame f : List.of(join, history, send, who, whoEmpty, joinEmpty)) {
                assertEquals(join.text(), f.text());
            }
            assertEquals(List.of("lobby"), rooms(bob));
            assertEquals(List.of("lobby", "secret"), rooms(alice));
            assertEquals(List.of("MEMBER", "END"), alice.callAll("WHO room=secret").stream().map(Frame::verb).toList());
            // bob is still a working connection, and nothing of the room reached him
            assertEquals("PONG", bob.call("PING").verb());
            assertTrue(bob.drainNow().stream().noneMatch(f -> "secret".equals(f.field("room"))));
            assertTrue(server.access().isPrivate("SECRET"));
            assertEquals(Set.of("alice"), server.access().admitted("secret"));
        }
    }

    @Test
    void aRemovedMemberIsTakenOutWithLeftRemovedAndIsForbiddenAfterwards() {
        try (ChatServer server = server().build().start();
                RawClient alice = RawClient.hello(server.port(), "alice");
                RawClient carol = RawClient.hello(server.port(), "carol")) {
            server.access().admit("team", "alice");
            server.access().admit("team", "carol");
            server.access().makePrivate("team");
            alice.join("team");
            carol.join("team");
            alice.next(f -> f.verb().equals("JOINED") && "carol".equals(f.field("name")));

            assertEquals(1, server.access().remove("team", "Carol"));
            Frame own = carol.next("LEFT");
            assertEquals("team", own.field("room"));
            assertEquals("carol", own.field("name"));
            assertEquals("removed", own.field("reason"));
            Frame notice = alice.next("LEFT");
            assertEquals("carol", notice.field("name"));
            assertEquals("removed", notice.field("reason"));
            assertEquals(List.of("alice"), server.members("team"));

            alice.call("SEND room=team :after carol left");
            carol.expectError("SEND room=team :still here?", "FORBIDDEN");
            carol.expectError("HISTORY room=team", "FORBIDDEN");
            carol.expectError("JOIN room=team", "FORBIDDEN");
            carol.expectError("PART room=team", "NOT_IN_ROOM"); // her connection forgot the room
            assertTrue(carol.drainNow().stream().noneMatch(f -> f.verb().equals("MSG")));
            assertEquals(0, server.access().remove("team", "carol"));

            server.access().admit("team", "carol");
            carol.join("team");
            server.access().makePublic("team");
            assertFalse(server.access().isPrivate("team"));
            assertEquals(Set.of(), server.access().admitted("team"));
        }
    }

    @Test
    void makingARoomPrivateTakesOutWhoeverIsNotAdmitted() {
        try (ChatServer server = server().build().start();
                RawClient alice = RawClient.hello(server.port(), "alice");
                RawClient mallory = RawClient.hello(server.port(), "mallory")) {
            alice.join("board");
            mallory.join("board");
            server.access().admit("board", "alice");
            server.access().makePrivate("board");
            assertEquals("removed", mallory.next("LEFT").field("reason"));
            assertEquals("mallory", alice.next("LEFT").field("name"));
            assertEquals(List.of("alice"), server.members("board"));
        }
    }

    @Test
    void theApplicationPolicyIsAskedWithTheIdentityAndComposesWithRoomAccess() {
        Authenticator auth = request -> request.name().equals("boss")
                ? Authenticator.Result.identity("boss") : Authenticator.Result.anonymous(request.name());
        AccessPolicy policy = new AccessPolicy() {
            @Override
            public boolean allows(Identity who, Action action, String room) {
                if (room.equals("broken")) {
                    throw new IllegalStateException("policy bug");
                }
                // staff rooms: authenticated identities only; "announcements": everybody reads, boss posts
                return !room.startsWith("staff") && !(room.equals("announcements") && action == Action.SEND
                        && !who.name().equals("boss")) || who.authenticated();
            }

            @Override
            public boolean allowsDirect(Identity from, Identity to) {
                return !to.name().equals("boss") || from.authenticated();
            }
        };
        try (ChatServer server = server().authenticator(auth).accessPolicy(policy).build().start();
                RawClient boss = RawClient.hello(server.port(), "boss");
                RawClient eve = RawClient.hello(server.port(), "eve")) {
            boss.join("staff-room");
            boss.join("announcements");
            eve.expectError("JOIN room=staff-room", "FORBIDDEN");
            assertEquals(List.of("announcements"), rooms(eve));
            eve.join("announcements");
            eve.expectError("SEND room=announcements :hi all", "FORBIDDEN");
            assertEquals("ACK", boss.call("SEND room=announcements :hello").verb());
            eve.expectError("SEND to=boss :let me in", "FORBIDDEN");
            assertEquals("ACK", boss.call("SEND to=eve :no").verb());
            eve.expectError("SEND to=nobody :x", "NO_SUCH_USER");
            // A policy that throws refuses (and is logged)
            eve.expectError("JOIN room=broken", "FORBIDDEN");
            // both must allow: the policy lets boss in, RoomAccess does not
            server.access().makePrivate("staff-room");
            assertEquals("removed", boss.next(f -> f.verb().equals("LEFT") && f.field("ref") == null).field("reason"));
            boss.expectError("JOIN room=staff-room", "FORBIDDEN");
        }
    }

    /** PROTOCOL.md, "Order of checks": FORBIDDEN before TOO_MANY_ROOMS, after TEXT_TOO_LONG. */
    @Test
    void forbiddenTakesItsPlaceInTheOrderOfChecks() {
        try (ChatServer server = server().maxRoomsPerConnection(1).maxTextLength(10).build().start();
                RawClient bob = RawClient.hello(server.port(), "bob")) {
            server.access().makePrivate("closed");
            bob.join("open");
            bob.expectError("JOIN room=closed", "FORBIDDEN");
            bob.expectError("JOIN room=another", "TOO_MANY_ROOMS");
            bob.expectError("SEND room=closed :more than ten bytes", "TEXT_TOO_LONG");
            bob.expectError("SEND room=closed :short", "FORBIDDEN");
            bob.expectError("SEND room=another :short", "NOT_IN_ROOM");
        }
    }

    @Test
    void invalidNamesAreRefusedByTheServerApi() {
        try (ChatServer server = server().build().start()) {
            assertThrows(IllegalArgumentException.class, () -> server.access().makePrivate("bad room"));
            assertThrows(IllegalArgumentException.class, () -> server.access().admit("ok", "bad name"));
        }
    }
}
