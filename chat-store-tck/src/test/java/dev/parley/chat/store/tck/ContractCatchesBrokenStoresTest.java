package dev.parley.chat.store.tck;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.parley.chat.store.MessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineTestKit;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kit must fail a store that breaks the contract. Each nested class runs the whole contract on a
 * {@link ReferenceStore} with one deliberate bug (nested classes are not run by surefire on their
 * own), and the test asserts which contract tests catch it.
 */
@Timeout(120)
class ContractCatchesBrokenStoresTest {

    static class SkipsASeq extends MessageStoreContractTest {
        @Override
        protected MessageStore createStore() {
            return new ReferenceStore(ReferenceStore.Flaw.SKIPS_A_SEQ);
        }
    }

    static class IgnoresClientIds extends MessageStoreContractTest {
        @Override
        protected MessageStore createStore() {
            return new ReferenceStore(ReferenceStore.Flaw.IGNORES_CLIENT_IDS);
        }
    }

    /** Runs the whole contract on one broken store; returns the names of the contract tests that failed. */
    private static Set<String> failedTests(Class<?> contract) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents()
                .failed().stream()
                .map(e -> e.getTestDescriptor().getDisplayName().replace("()", ""))
                .collect(Collectors.toSet());
    }

    @Test
    void aGapInTheSeqsFailsTheContract() {
        Set<String> failed = failedTests(SkipsASeq.class);
        assertTrue(failed.contains("seqsIncreaseByOneInListOrderPerConversation"), "failed: " + failed);
        assertTrue(failed.contains("concurrentAppendsFromManyThreadsHaveNoGapsOrDuplicates"), "failed: " + failed);
    }

    @Test
    void aResendStoredTwiceFailsTheContract() {
        Set<String> failed = failedTests(IgnoresClientIds.class);
        assertTrue(failed.contains("resendWithSameClientIdReturnsTheStoredMessage"), "failed: " + failed);
        assertTrue(failed.contains("concurrentResendsOfOneClientIdStoreItOnce"), "failed: " + failed);
    }
}
