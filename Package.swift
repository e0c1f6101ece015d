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
        .target(
            name: "Kubelet",
            dependencies: [
                "CRuntimeShim", "Runtime", "Images", "CNI", "KubeAPI", "KubeProxy", "NetAddress", "ClusterDNS", "WorkloadControllers",
                "NodeSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "swiftlet",
            dependencies: [
                "Kubelet", "KubeAPI", "KubeProxy", "Runtime", "Images", "NetAddress",
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
        .testTarget(name: "KubeletTests", dependencies: ["Kubelet", "KubeAPI", "Runtime", "Images"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Runtime", "Images", "CNI", "Kubelet", "KubeProxy", "KubeAPI", "CArchive", "NetAddress", "ClusterDNS", "NodeSupport"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
