import Testing
import WrtformEngine

@Suite struct ValidateTests {
    @Test func ipv4() {
        #expect(Validate.ipv4("192.168.1.5"))
        #expect(!Validate.ipv4("192.168.1.500"))
        #expect(!Validate.ipv4("192.168.1"))
        #expect(!Validate.ipv4("01.2.3.4"))
        #expect(!Validate.ipv4("1.2.3.4 "))
    }

    @Test func ipv6() {
        #expect(Validate.ipv6("2001:db8::1"))
        #expect(Validate.ipv6("::"))
        #expect(Validate.ipv6("fe80::1:2:3:4"))
        #expect(Validate.ipv6("::ffff:192.168.1.1"))
        #expect(!Validate.ipv6("2001:db8::1::2"))
        #expect(!Validate.ipv6("2001:db8:g::1"))
        #expect(!Validate.ipv6("1:2:3:4:5:6:7:8:9"))
    }

    @Test func prefixesAndPorts() {
        #expect(Validate.prefix("10.0.0.0/8", family: .ipv4) == nil)
        #expect(Validate.prefix("10.0.0.0/33", family: .ipv4) != nil)
        #expect(Validate.prefix("2001:db8::/32", family: .ipv6) == nil)
        #expect(Validate.port("443") == nil)
        #expect(Validate.port("70000") == "port 70000 is out of range (1-65535)")
        #expect(Validate.port("0") != nil)
        #expect(Validate.portOrRange("8000-8080") == nil)
        #expect(Validate.portOrRange("8080-8000") != nil)
    }

    @Test func names() {
        #expect(Validate.zoneName("wan_pppoe"))
        #expect(!Validate.zoneName("1wan"))
        #expect(Validate.uciName("cfg0a1b2c"))
        #expect(!Validate.uciName("wan-ppp"))
        #expect(Validate.configValue("a'b\"c$(d)`e`") == nil)
        #expect(Validate.configValue("a\nb") != nil)
    }
}
