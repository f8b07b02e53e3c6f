package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StickyBucketingTest {

    @Test
    void matchesUnleashsPublicMurmur3Vectors() {
        assertThat(StickyBucketing.unsignedHash("gr1:123") % 100 + 1).isEqualTo(73);
        assertThat(StickyBucketing.unsignedHash("groupX:999") % 100 + 1).isEqualTo(25);
    }
}
