import WrtformUCI

/// `wrtform-bench uci`: parse + serialize of a generated 5,000-section config file, and one edit on it.
/// Prints the median of a few iterations; asserts nothing.
enum UCIBenchmark {
    static func run(iterations: Int = 7, sections: Int = 5000) {
        let text = generatedFile(sections: sections)
        print(
            "uci: generated file: \(sections) sections, \(text.utf8.count) bytes, \(text.split(separator: "\n", omittingEmptySubsequences: false).count) lines"
        )
        var parseTimes: [Double] = []
        var roundTripTimes: [Double] = []
        var editTimes: [Double] = []
        var checksum = 0
        let clock = ContinuousClock()
        for _ in 0..<iterations {
            var file: UCIFile?
            let parse = clock.measure {
                file = try? UCIFile(parsing: text, path: "/etc/config/firewall")
            }
            guard var parsed = file else {
                print("uci: generated file failed to parse")
                return
            }
            var serialized = ""
            let serialize = clock.measure {
                serialized = parsed.text
            }
            guard serialized.utf8.elementsEqual(text.utf8) else {
                print("uci: round trip changed the text")
                return
            }
            parseTimes.append(milliseconds(parse))
            roundTripTimes.append(milliseconds(parse + serialize))
            let target = parsed.sections[sections / 2].id
            let edit = clock.measure {
                try? parsed.set("target", to: .single("DROP"), in: target)
            }
            editTimes.append(milliseconds(edit))
            checksum &+= parsed.text.utf8.count
        }
        print("uci: parse            median \(format(median(parseTimes))) ms/iteration (\(iterations) iterations)")
        print("uci: parse+serialize  median \(format(median(roundTripTimes))) ms/iteration")
        print("uci: one set() edit   median \(format(median(editTimes))) ms/iteration (whole-file re-read included)")
        print("uci: (checksum \(checksum))")
        small()
    }

    /// A router-sized file (20 sections, like a firewall config): per-operation cost, many repetitions.
    static func small(repetitions: Int = 2000) {
        let text = generatedFile(sections: 20)
        let clock = ContinuousClock()
        var parsed: UCIFile?
        let parse = clock.measure {
            for _ in 0..<repetitions {
                parsed = try? UCIFile(parsing: text)
            }
        }
        guard var file = parsed else { return }
        let target = file.sections[10].id
        var value = 0
        let edit = clock.measure {
            for _ in 0..<repetitions {
                value += 1
                try? file.set("target", to: .single("v\(value)"), in: target)
            }
        }
        var diffLength = 0
        let diff = clock.measure {
            for _ in 0..<repetitions {
                diffLength &+= UnifiedDiff.make(old: text, new: file.text, path: "/etc/config/firewall").utf8.count
            }
        }
        print(
            "uci: 20-section file (\(text.utf8.count) bytes): parse \(format(milliseconds(parse) * 1000 / Double(repetitions))) µs, set() \(format(milliseconds(edit) * 1000 / Double(repetitions))) µs, diff \(format(milliseconds(diff) * 1000 / Double(repetitions))) µs (mean of \(repetitions); diff bytes \(diffLength / repetitions))"
        )
    }

    /// A firewall-like file: zones, forwardings, rules with lists and comments, redirects, in stock and uci-commit style.
    static func generatedFile(sections: Int) -> String {
        var out = ""
        for index in 0..<sections {
            switch index % 5 {
            case 0:
                out +=
                    "\nconfig zone 'zone\(index)'\n\toption name 'z\(index)'\n\tlist network 'lan\(index)'\n\tlist network 'guest\(index)'\n\toption input 'ACCEPT'\n\toption output 'ACCEPT'\n\toption forward 'REJECT'\n"
            case 1:
                out += "\nconfig forwarding\n\toption src 'lan'\n\toption dest 'z\(index - 1)'\n"
            case 2:
                out +=
                    "\n# Allow service \(index)\nconfig rule\n\toption name\t\tAllow-\(index)\n\toption src\t\twan\n\toption proto\t\ttcp\n\toption dest_port\t\(index % 65535)\n\toption target\t\tACCEPT\n"
            case 3:
                out +=
                    "\nconfig redirect\n\toption name 'Forward-\(index)'\n\toption src 'wan'\n\toption src_dport '\(index % 65535)'\n\toption dest 'lan'\n\toption dest_ip '192.168.1.\(index % 250 + 2)'\n\tlist proto 'tcp'\n\tlist proto 'udp'\n"
            default:
                out +=
                    "\nconfig rule\n\toption name \"It's rule \(index)\"\n\toption src wan # inbound\n\tlist icmp_type echo-request\n\tlist icmp_type echo-reply\n\toption family ipv6\n\toption target ACCEPT\n"
            }
        }
        return out
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    private static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
