import Testing

@testable import WrtformCommands

/// The output filter: every escaped form of a secret, by bytes; short secrets only as whole values.
@Suite struct ScrubberTests {
    @Test func escapedFormsAreMasked() {
        let secret = "pa'ss\"w\\o$r`d/1"
        let scrubber = Scrubber(secrets: [secret])
        let forms = [
            secret,
            "pa'\\''ss\"w\\o$r`d/1", // single-quoted for sh or uci
            "pa'ss\\\"w\\\\o$r`d/1", // double-quoted for uci, JSON
            "pa'ss\\\"w\\\\o\\$r\\`d/1", // double-quoted for sh
            "pa'ss\\\"w\\\\o$r`d\\/1", // JSON with escaped slashes
            "pa\\'ss\\\"w\\\\o\\$r\\`d/1", // outside quotes
        ]
        for form in forms {
            #expect(scrubber.clean("option password '\(form)' end") == "option password '(secret)' end", "\(form)")
        }
    }

    @Test func matchingIsByBytesNotCharacters() {
        // "S3cr3t-pw" + U+0301 is one grapheme more than the secret: a Character search misses it.
        let scrubber = Scrubber(secrets: ["S3cr3t-pw"])
        #expect(scrubber.clean("got S3cr3t-pw\u{301} back") == "got (secret)\u{301} back")
        #expect(scrubber.clean("line\r\nS3cr3t-pw\r\n") == "line\r\n(secret)\r\n")
    }

    @Test func shortSecretsAreMaskedOnlyAsWholeValues() {
        let scrubber = Scrubber(secrets: ["wan"])
        #expect(scrubber.clean("interface wanppp on wan") == "interface wanppp on (secret)")
        #expect(scrubber.clean("option x 'wan'") == "option x '(secret)'")
        // A long one is masked wherever it occurs.
        #expect(Scrubber(secrets: ["longer-S3cret"]).clean("xlonger-S3cretx") == "x(secret)x")
    }
}
