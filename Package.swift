// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Swiftlet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .executable(name: "swiftlet-runtime", targets: ["swiftlet-runtime"]),
        .executable(name: "swiftlet-bridge", targets: ["swiftlet-bridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // Everything between clone and execve, plus the syscalls and macros Swift cannot reach.
        .target(
            name: "CRuntimeShim",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [
                .linkedLibrary("seccomp"),
                .linkedLibrary("cap"),
            ]
        ),
        // The netlink the CNI plugin (rtnetlink) and the proxy (nf_tables) speak. Apart from
        // CRuntimeShim so the OCI runtime links neither libmnl nor libnftnl.
        .target(
            name: "CNetlink",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [
                .linkedLibrary("mnl"),
                .linkedLibrary("nftnl"),
            ]
        ),
        // libarchive, openat2 and SHA-256 for the image store (Runtime/Images).
        .target(
            name: "CArchive",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("archive"), .linkedLibrary("crypto")]
        ),
        // SHA-256 and MD5 from libcrypto's EVP, for the names upstream derives from digests
        // (kube-proxy's chain names, static pod UIDs).
        .target(
            name: "CDigest",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // TCP and TLS (OpenSSL) connections for the registry client's HTTP/1.1.
        .target(
            name: "CTLS",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        // The one error type for failed system calls (errno, operation, object), shared by
        // every Swift module that calls the kernel. No Foundation: the runtime binary links it.
        .target(name: "NodeSupport"),
        .target(
            name: "Runtime",
            dependencies: [
                "CRuntimeShim", "NodeSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // OCI images: references, the content store, layer unpacking, overlay rootfs. Apart
        // from Runtime so the runtime binary, exec'd per container, links no Foundation.
        .target(
            name: "Images",
            dependencies: [
                "CArchive", "CTLS", "NodeSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // IPv4 addresses and prefixes: dotted-quad and CIDR text, containment, host ranges.
        // Pure, no dependencies: shared by the CNI plugin, the proxy and the kubelet.
        .target(name: "NetAddress"),
        .target(
            name: "CNI",
            dependencies: [
                "CRuntimeShim", "CNetlink", "NetAddress", "NodeSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The cluster DNS responder: DNS wire format, the cluster.local records, the pure
        // answer planner, and the UDP/TCP server and forwarder around it.
        .target(
            name: "ClusterDNS",
            dependencies: ["NodeSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // KubeAPI imports Yams' internal C module `CYaml` (libyaml) in one file, on purpose:
        // YAMLEventScanner must refuse too-deep nesting and alias or collection keys before
        // Yams' recursive composer sees the text, and Yams' public API only composes. Yams
        // vends CYaml as no product, so it comes with the Yams dependency.
        .target(
            name: "KubeAPI",
            dependencies: ["CDigest", .product(name: "Yams", package: "Yams")]
        ),
        // Deployment, ReplicaSet, DaemonSet, Job and CronJob controllers: one pure pass from
        // objects, remembered state, observed pods and the clock to the next state.
        .target(name: "WorkloadControllers", dependencies: ["KubeAPI"]),
        .target(
            name: "KubeProxy",
            dependencies: ["CNetlink", "CDigest", "NetAddress", .product(name: "Logging", package: "swift-log")]
        ),
        // kubectl's columns for each kind (its printers), for the CLI and the API's Tables.
        .target(name: "KubePrinting", dependencies: ["KubeAPI"]),
        // The node's API objects: a versioned, durable store of JSON objects with watches.
        // Foundation only, so the agent and the CLI read it without the server's libraries.
        .target(
            name: "APIStore",
            dependencies: ["KubeAPI"]
        ),
        // The Kubernetes API over HTTPS (SwiftNIO, swift-nio-ssl): discovery, resources,
        // watches, patches, tables, streams; certificates from swift-certificates.
        .target(
            name: "KubeAPIServer",
            dependencies: [
                "APIStore", "KubeAPI", "KubePrinting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The built-in Ingress controller: a pure routing core (hosts, paths, backends to
        // endpoints, certificates by SNI) and its SwiftNIO HTTP/HTTPS reverse proxy.
        .target(
            name: "IngressController",
            dependencies: [
                "APIStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Kubelet",
            dependencies: [
                "CRuntimeShim", "Runtime", "Images", "CNI", "KubeAPI", "KubeProxy", "NetAddress", "ClusterDNS", "WorkloadControllers",
                "NodeSupport", "APIStore", "KubePrinting", "KubeAPIServer", "IngressController",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "swiftlet",
            dependencies: [
                "Kubelet", "KubeAPI", "KubeProxy", "Runtime", "Images", "NetAddress", "APIStore", "KubeAPIServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "swiftlet-runtime",
            dependencies: [
                "Runtime", "NodeSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Every container start execs this binary: resolving the Swift runtime's shared
            // libraries was a sixth of a `run`, so release builds link them statically.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims", "-lswiftSynchronization"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "swiftlet-bridge",
            dependencies: [
                "CNI",
                .product(name: "Logging", package: "swift-log"),
            ],
            // A CNI plugin is exec'd per pod: a static stdlib saves the dynamic loading.
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        ),
        // Benchmark driver for scripts/bench/kubeproxy.sh; not a product, never installed.
        .executableTarget(
            name: "swiftlet-proxy-bench",
            dependencies: ["KubeProxy", .product(name: "Logging", package: "swift-log")]
        ),
        // Test helpers more than one test target uses (the seeded random generator).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Images"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NetAddressTests", dependencies: ["NetAddress"]),
        .testTarget(name: "CNITests", dependencies: ["CNI", "NetAddress"], resources: [.copy("Golden")]),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KubeProxyTests", dependencies: ["KubeProxy", "TestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "ClusterDNSTests", dependencies: ["ClusterDNS", "NodeSupport", "TestSupport"]),
        .testTarget(name: "WorkloadControllersTests", dependencies: ["WorkloadControllers", "KubeAPI", "TestSupport"]),
        .testTarget(name: "APIStoreTests", dependencies: ["APIStore", "KubeAPI"]),
        .testTarget(name: "KubeAPIServerTests", dependencies: ["KubeAPIServer", "APIStore", "KubeAPI"]),
        .testTarget(name: "IngressControllerTests", dependencies: ["IngressController", "APIStore"]),
        .testTarget(name: "KubeletTests", dependencies: ["Kubelet", "KubeAPI", "KubePrinting", "Runtime", "Images"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Runtime", "Images", "CNI", "Kubelet", "KubeProxy", "KubeAPI", "CArchive", "NetAddress", "ClusterDNS", "NodeSupport"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
