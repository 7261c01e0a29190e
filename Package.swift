// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "wrtform",
    products: [
        .executable(name: "wrtform", targets: ["wrtform"]),
        .library(name: "WrtformEngine", targets: ["WrtformEngine"]),
        .library(name: "WrtformPlaybook", targets: ["WrtformPlaybook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libssh2 from the system (Debian: libssh2-1-dev). Imported `internal` by WrtformSSH only.
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        // SSH client: host-key policy, authentication, exec channels.
        .target(name: "WrtformSSH", dependencies: ["CLibSSH2"]),
        // Lossless parser, editor and serializer of /etc/config files.
        .target(name: "WrtformUCI"),
        // Steps, the step graph, plan, apply, journal, rollback; the SSH and local-directory targets.
        .target(name: "WrtformEngine", dependencies: ["WrtformSSH", "WrtformUCI"]),
        // YAML playbooks into a step graph, with variables and secrets.
        .target(
            name: "WrtformPlaybook",
            dependencies: [
                "WrtformEngine", .product(name: "Yams", package: "Yams"),
            ]),
        // The CLI's commands, as a library tests can drive.
        .target(
            name: "WrtformCommands",
            dependencies: [
                "WrtformPlaybook", "WrtformEngine", "WrtformSSH",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "wrtform", dependencies: ["WrtformCommands"]),

        // Test support: a virtual OpenWrt router (dropbear + busybox in bubblewrap) and a delaying TCP proxy.
        .target(name: "VirtualRouter"),
        .executableTarget(name: "virtual-router", dependencies: ["VirtualRouter", "WrtformCommands"]),
        .executableTarget(
            name: "wrtform-bench",
            dependencies: [
                "VirtualRouter", "WrtformSSH", "WrtformUCI", "WrtformEngine", "WrtformPlaybook", "WrtformCommands",
            ]),

        .testTarget(name: "WrtformSSHTests", dependencies: ["WrtformSSH", "VirtualRouter"]),
        .testTarget(name: "WrtformUCITests", dependencies: ["WrtformUCI"]),
        .testTarget(name: "WrtformEngineTests", dependencies: ["WrtformEngine", "WrtformUCI", "VirtualRouter"]),
        .testTarget(
            name: "WrtformPlaybookTests", dependencies: ["WrtformPlaybook", "WrtformEngine"], exclude: ["Fixtures"]),
        .testTarget(
            name: "WrtformCommandsTests",
            dependencies: [
                "WrtformCommands", "WrtformEngine", "VirtualRouter",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
