import Testing

@testable import WrtformUCI

@Suite("UnifiedDiff")
struct UnifiedDiffTests {
    private func numbered(_ count: Int) -> [String] {
        (1...count).map { "l\($0)\n" }
    }

    @Test func equalTextsGiveNothing() {
        #expect(UnifiedDiff.make(old: "", new: "", path: "x") == "")
        #expect(UnifiedDiff.make(old: "a\nb\n", new: "a\nb\n", path: "x") == "")
    }

    @Test func oneChangedLineWithThreeLinesOfContext() {
        var new = numbered(10)
        new[4] = "X\n"
        let diff = UnifiedDiff.make(old: numbered(10).joined(), new: new.joined(), path: "/etc/config/firewall")
        #expect(
            diff == """
                --- /etc/config/firewall
                +++ /etc/config/firewall
                @@ -2,7 +2,7 @@
                 l2
                 l3
                 l4
                -l5
                +X
                 l6
                 l7
                 l8

                """)
    }

    @Test func hunksMergeWhenTheirContextTouches() {
        var close = numbered(20)
        close[2] = "A\n"
        close[9] = "B\n"
        let merged = UnifiedDiff.make(old: numbered(20).joined(), new: close.joined(), path: "p")
        #expect(merged.components(separatedBy: "@@ ").count - 1 == 1)
        #expect(merged.contains("@@ -1,13 +1,13 @@\n"))
        var far = numbered(20)
        far[2] = "A\n"
        far[10] = "B\n"
        let split = UnifiedDiff.make(old: numbered(20).joined(), new: far.joined(), path: "p")
        #expect(split.contains("@@ -1,6 +1,6 @@\n"))
        #expect(split.contains("@@ -8,7 +8,7 @@\n"))
    }

    @Test func insertionsDeletionsAndFileEnds() {
        #expect(UnifiedDiff.make(old: "", new: "x\n", path: "p") == "--- p\n+++ p\n@@ -0,0 +1 @@\n+x\n")
        #expect(UnifiedDiff.make(old: "x\ny\n", new: "", path: "p") == "--- p\n+++ p\n@@ -1,2 +0,0 @@\n-x\n-y\n")
        #expect(
            UnifiedDiff.make(old: "a\nb", new: "a\nc", path: "p")
                == "--- p\n+++ p\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        )
        #expect(
            UnifiedDiff.make(old: "a", new: "a\n", path: "p")
                == "--- p\n+++ p\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n")
        #expect(
            UnifiedDiff.make(old: "a\r\nb\r\n", new: "a\r\nc\r\n", path: "p")
                == "--- p\n+++ p\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n")
    }

    @Test func minimalAroundSmallEditsWholesaleForHugeOnes() {
        // A few lines changed among many: only those lines.
        var edited = numbered(3000)
        edited[1000] = "X\n"
        edited.insert("Y\n", at: 2000)
        let small = UnifiedDiff.make(old: numbered(3000).joined(), new: edited.joined(), path: "p")
        #expect(small.split(separator: "\n").filter { $0.hasPrefix("-") || $0.hasPrefix("+") }.count == 2 + 3)
        // Everything different: shown as replaced, still a correct diff.
        let other = (1...1500).map { "other \($0)\n" }
        let huge = UnifiedDiff.make(old: numbered(1500).joined(), new: other.joined(), path: "p")
        #expect(huge.hasPrefix("--- p\n+++ p\n@@ -1,1500 +1,1500 @@\n-l1\n"))
        #expect(huge.split(separator: "\n").filter { $0.hasPrefix("-") }.count == 1500 + 1)
        #expect(huge.split(separator: "\n").filter { $0.hasPrefix("+") }.count == 1500 + 1)
    }

    @Test func aChangedPasswordIsMaskedOnBothSides() {
        let old =
            "config interface 'wanppp'\n\toption proto 'pppoe'\n\toption username 'u'\n\toption password 'hunter2'\n"
        let new =
            "config interface 'wanppp'\n\toption proto 'pppoe'\n\toption username 'v'\n\toption password 'swordfish'\n"
        let diff = UnifiedDiff.make(old: old, new: new, path: "/etc/config/network")
        #expect(
            diff == """
                --- /etc/config/network
                +++ /etc/config/network
                @@ -1,4 +1,4 @@
                 config interface 'wanppp'
                 \toption proto 'pppoe'
                -\toption username 'u'
                -\toption password '(secret)'
                +\toption username 'v'
                +\toption password '(secret)'

                """)
        #expect(!diff.contains("hunter2") && !diff.contains("swordfish"))
    }

    @Test func secretsInContextLinesAreMaskedToo() {
        let old =
            "config wifi-iface\n\toption ssid 'home'\n\toption key \"s3cret pass\" # wpa2\n\tlist psk 'x1'\n\toption mode 'ap'\n"
        let new = old.replacingOccurrences(of: "'ap'", with: "'sta'")
        let diff = UnifiedDiff.make(old: old, new: new, path: "/etc/config/wireless")
        #expect(diff.contains(" \toption key '(secret)' # wpa2\n"))
        #expect(diff.contains(" \tlist psk '(secret)'\n"))
        #expect(!diff.contains("s3cret") && !diff.contains("x1"))
    }

    @Test func secretsSpanningLinesKeysInAnyCaseAndQuotedKeys() {
        let old = "config a\n\toption Password 'first\nsecond\nthird'\n\toption 'psk' \"abc\"\n\toption x 1\n"
        let new = old.replacingOccurrences(of: "option x 1", with: "option x 2")
        let diff = UnifiedDiff.make(old: old, new: new, path: "p")
        for secret in ["first", "second", "third", "abc"] {
            #expect(!diff.contains(secret), "\(secret) leaked:\n\(diff)")
        }
        #expect(diff.contains("-\toption x 1\n+\toption x 2\n"))
    }

    @Test func moreSecretOptionsCanBePassed() {
        let old = "config ddns\n\toption username 'alice'\n\toption password 'pw1'\n"
        let new = "config ddns\n\toption username 'bob'\n\toption password 'pw2'\n"
        let diff = UnifiedDiff.make(old: old, new: new, path: "p", secretOptions: ["username"])
        #expect(!diff.contains("alice") && !diff.contains("bob"))
        #expect(!diff.contains("pw1") && !diff.contains("pw2"), "the defaults always apply")
        #expect(diff.contains("-\toption username '(secret)'\n"))
    }

    @Test func aLineThatIsSecretOnlyInTheNewTextIsMasked() {
        // The line `hunter2` is the same in both texts: an ordinary value's line in the old one, part of the
        // password in the new one. As context it must not show.
        let old = "config a\n\toption note 'x\nhunter2\n'\n"
        let new = "config a\n\toption password 'x\nhunter2\n'\n"
        let diff = UnifiedDiff.make(old: old, new: new, path: "p")
        #expect(!diff.contains("hunter2"), "\(diff)")
    }

    @Test func textUciWouldRejectIsStillMasked() {
        let old = "config a\n\toption password hunter2 extra words\n\toption x 1\n"
        let new = "config a\n\toption password 'open\nquote hunter3\n\toption x 2\n"
        let diff = UnifiedDiff.make(old: old, new: new, path: "p")
        #expect(!diff.contains("hunter2") && !diff.contains("hunter3"), "\(diff)")
        #expect(diff.contains("-\toption password '(secret)'\n"))
    }

    @Test func theDiffOfAnEditShowsOnlyTheEditedLines() throws {
        var file = try Fixtures.file("firewall-24.10-stock")
        let old = file.text
        let wan = try #require(file.sections(ofType: "zone", matching: ["name": "wan"]).first)
        try file.set("forward", to: "DROP", in: wan.id)
        let diff = UnifiedDiff.make(old: old, new: file.text, path: "/etc/config/firewall")
        let changed = diff.split(separator: "\n").filter { $0.hasPrefix("-") || $0.hasPrefix("+") }
        #expect(
            changed == [
                "--- /etc/config/firewall", "+++ /etc/config/firewall", "-\toption forward\t\tREJECT",
                "+\toption forward 'DROP'",
            ])
    }
}
