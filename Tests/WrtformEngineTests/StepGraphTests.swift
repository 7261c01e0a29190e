import Testing
import WrtformEngine

@Suite struct StepGraphTests {
    @Test func impliedDependenciesOrderSteps() throws {
        // Written in the "wrong" order: the zone and rule come before what they refer to.
        let graph = try StepGraph([
            .init(
                step: try StepBuilder.step(
                    "rule", "network-rule", ["in": "lan", "src": "192.168.1.5", "lookup": "pppoe"], line: 1)),
            .init(
                step: try StepBuilder.step(
                    "zone", "firewall-zone", ["name": "wan_pppoe", "network": ["wanppp"]], line: 2)),
            .init(
                step: try StepBuilder.step(
                    "wanppp", "interface", ["name": "wanppp", "proto": "pppoe", "ip4table": "pppoe"], line: 3)),
            .init(step: try StepBuilder.step("table", "routing-table", ["id": "300", "name": "pppoe"], line: 4)),
        ])
        #expect(graph.ordered.map(\.id) == ["table", "rule", "wanppp", "zone"])
        #expect(graph.edges.contains(StepGraph.Edge(from: "table", to: "rule", implied: true)))
        #expect(graph.dot.contains("\"wanppp\" -> \"zone\" [style=dashed];"))
    }

    @Test func cycleIsNamed() throws {
        let a = try StepBuilder.step("a", "forwarding", ["src": "lan", "dest": "wan"], line: 1)
        let b = try StepBuilder.step("b", "forwarding", ["src": "wan", "dest": "lan"], line: 2)
        let error = #expect(throws: EngineError.self) {
            try StepGraph([.init(step: a, needs: [("b", nil)]), .init(step: b, needs: [("a", nil)])])
        }
        #expect(error?.message == "the steps depend on each other in a cycle: a → b → a")
    }

    @Test func unknownNeedsSuggests() throws {
        let a = try StepBuilder.step("wanppp", "forwarding", ["src": "lan", "dest": "wan"], line: 1)
        let b = try StepBuilder.step("zone", "forwarding", ["src": "wan", "dest": "lan"], line: 2)
        let error = #expect(throws: EngineError.self) {
            try StepGraph([
                .init(step: a), .init(step: b, needs: [("wanpp", SourceLocation(file: "x.yml", line: 9, column: 12))]),
            ])
        }
        #expect(error?.description == "x.yml:9:12: step 'zone' needs unknown step 'wanpp' (did you mean 'wanppp'?)")
    }

    @Test func duplicateIDs() throws {
        let a = try StepBuilder.step("x", "forwarding", ["src": "lan", "dest": "wan"], line: 3)
        let b = try StepBuilder.step("x", "forwarding", ["src": "wan", "dest": "lan"], line: 7)
        let error = #expect(throws: EngineError.self) { try StepGraph([.init(step: a), .init(step: b)]) }
        #expect(error?.description == "test.yml:7:3: duplicate step id 'x' (first at line 3)")
    }

    @Test func stepValidationErrorsPointAtFields() throws {
        let port = #expect(throws: EngineError.self) {
            try StepBuilder.step("r", "redirect", ["src_dport": "70000", "dest_ip": "192.168.1.5"])
        }
        #expect(port?.message == "port 70000 is out of range (1-65535)")
        let ip = #expect(throws: EngineError.self) {
            try StepBuilder.step("r", "redirect", ["src_dport": "443", "dest_ip": "192.168.1.500"])
        }
        #expect(ip?.message == "'192.168.1.500' is not a valid IPv4 address")
        let long = #expect(throws: EngineError.self) {
            try StepBuilder.step("w", "interface", ["name": "wanpppoe10", "proto": "pppoe"])
        }
        #expect(long?.message.contains("longer than 9 characters") == true)
        let kind = #expect(throws: EngineError.self) { try StepBuilder.step("z", "firewal-zone", ["name": "x"]) }
        #expect(kind?.description == "test.yml:1:3: unknown step kind 'firewal-zone' (did you mean 'firewall-zone'?)")
        let field = #expect(throws: EngineError.self) {
            try StepBuilder.step("f", "forwarding", ["src": "lan", "dset": "wan"])
        }
        #expect(field?.hint == "did you mean 'dest'?")
        let newline = #expect(throws: EngineError.self) {
            try StepBuilder.step("w", "interface", ["name": "wanppp", "username": "a\nb"])
        }
        #expect(newline?.message.contains("control character") == true)
        let configPath = #expect(throws: EngineError.self) {
            try StepBuilder.step("f", "file", ["path": "/etc/config/network2", "content": "x"])
        }
        #expect(configPath?.hint == "use uci-section or uci-option steps")
    }

    @Test func ruleSourceGetsHostPrefix() throws {
        let rule = try #require(
            try StepBuilder.step("r", "network-rule", ["in": "lan", "src": "192.168.1.5", "lookup": "pppoe"])
                as? NetworkRuleStep)
        #expect(rule.match.options["src"] == .single("192.168.1.5/32"))
        let rule6 = try #require(
            try StepBuilder.step("r", "network-rule", ["family": "ipv6", "src": "2001:db8::5", "lookup": "main"])
                as? NetworkRuleStep)
        #expect(rule6.match.type == "rule6")
        #expect(rule6.match.options["src"] == .single("2001:db8::5/128"))
    }
}
