package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressCountsTest {
    @Test
    void capsEachAddressOnItsOwn() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        AddressCounts counts = new AddressCounts(2);
        assertTrue(counts.tryAcquire(a));
        assertTrue(counts.tryAcquire(a));
        assertFalse(counts.tryAcquire(a), "a third from the same address");
        assertTrue(counts.tryAcquire(b), "another address is not affected");
        counts.release(a);
        assertTrue(counts.tryAcquire(a), "room again after one ended");
        counts.release(a);
        counts.release(a);
        counts.release(a); // more releases than acquires never go below zero
        assertEquals(0, counts.count(a));
        assertEquals(1, counts.count(b));
    }
}
