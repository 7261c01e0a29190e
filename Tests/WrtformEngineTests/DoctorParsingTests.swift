import Testing

@testable import WrtformEngine

/// The probe outputs doctor reads, in the other formats a router may print them.
@Suite struct DoctorParsingTests {
    @Test func ipAddrInBothFormats() {
        // iproute2 (ip-full installed) words the missing device differently from busybox.
        let missing = InterfaceStatus.kernel("Device \"pppoe-wanppp\" does not exist.", exitStatus: 1)
        #expect(!missing.exists && !missing.up && missing.message == "Device \"pppoe-wanppp\" does not exist.")
        let down = InterfaceStatus.kernel(
            "9: pppoe-wanppp: <POINTOPOINT,MULTICAST,NOARP> mtu 1492 qdisc noop state DOWN qlen 3\n    link/ppp\n",
            exitStatus: 0)
        #expect(down.exists && !down.up && down.mtu == 1492 && down.address == nil)
    }

    @Test func ifstatusJSON() {
        let status = InterfaceStatus.netifd(
            "{ \"up\": false, \"errors\": [ { \"subsystem\": \"pppoe\", \"code\": \"AUTH_TOPEER_FAILED\" } ] }")
        #expect(status.exists && !status.up && status.errors == ["AUTH_TOPEER_FAILED"])
        #expect(!InterfaceStatus.netifd("Interface wanppp not found").exists)
    }

    @Test func nslookupAnswers() {
        // Older busybox: "Address 1: A NAME"; the server's own address is never an answer.
        let old = NslookupAnswer(
            "Server:    127.0.0.1\nAddress 1: 127.0.0.1 localhost\n\nName:      home.example.net\nAddress 1: 153.240.10.20 home.example.net\n"
        )
        #expect(old.addresses == ["153.240.10.20"])
        let both = NslookupAnswer(
            "Server:\t\t127.0.0.1\nAddress:\t127.0.0.1:53\n\nName:\th\nAddress: 153.240.10.20\n\nName:\th\nAddress: 2001:db8::20\n"
        )
        #expect(both.addresses == ["153.240.10.20", "2001:db8::20"])
        #expect(NslookupAnswer("Server:\t\t127.0.0.1\nAddress:\t127.0.0.1:53\n").addresses.isEmpty)
    }

    @Test func ipRules() {
        let rules = IPRuleLine.parse(
            "0:\tfrom all lookup local\n20000:\tfrom all to 153.240.10.20 lookup pppoe\n90007:\tfrom all iif lo lookup pppoe\n32765:\tfrom 192.168.1.0/24 iif br-lan lookup 300\n"
        )
        #expect(rules.map(\.lookup) == ["local", "pppoe", "pppoe", "300"])
        #expect(rules.map(\.isNetifdOwn) == [false, true, true, false])
        #expect(rules[3].from == "192.168.1.0/24" && rules[3].iif == "br-lan")
    }

    @Test func publicAddresses() {
        #expect(Validate.isPublicIPv4("153.240.10.20"))
        for address in [
            "10.1.2.3", "100.64.0.1", "100.127.255.254", "172.16.0.1", "192.168.1.1", "169.254.1.1", "127.0.0.1",
            "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "224.0.0.1", "0.1.2.3",
        ] {
            #expect(!Validate.isPublicIPv4(address), "\(address)")
        }
        #expect(Validate.isPublicIPv4("100.128.0.1") && Validate.isPublicIPv4("172.32.0.1"))
    }

    @Test func loggerTagOfAHook() {
        #expect(DoctorSetup.loggerTag(in: "#!/bin/sh\nlogger -t wrtform-ddns \"x\"\n") == "wrtform-ddns")
        #expect(DoctorSetup.loggerTag(in: "/usr/bin/logger -p notice -t'ddns.ocn' hi") == "ddns.ocn")
        #expect(DoctorSetup.loggerTag(in: "logger -t \"$TAG\" hi") == nil)
        #expect(DoctorSetup.loggerTag(in: "echo no logging") == nil)
    }
}
