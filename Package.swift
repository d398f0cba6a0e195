// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Loopseal",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "loopseal", targets: ["loopseal"]),
        .library(name: "LoopsealCrypto", targets: ["LoopsealCrypto"]),
        .library(name: "LoopsealStore", targets: ["LoopsealStore"]),
        .library(name: "LoopsealSync", targets: ["LoopsealSync"]),
        .library(name: "LoopsealTemplates", targets: ["LoopsealTemplates"]),
        .library(name: "LoopsealWorkflows", targets: ["LoopsealWorkflows"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "LoopsealDiagnostics"),
        .target(name: "LoopsealCrypto", dependencies: ["CSodium", "LoopsealDiagnostics"]),
        .target(name: "CLoopsealSystem"),
        .target(name: "LoopsealSystem", dependencies: ["CLoopsealSystem"]),
        .target(name: "LoopsealBuildInfo"),
        .target(
            name: "LoopsealStore",
            dependencies: [
                "LoopsealYAML",
                "LoopsealDiagnostics",
                "LoopsealCrypto",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "LoopsealGit", dependencies: ["LoopsealDiagnostics", "LoopsealStore", "LoopsealCrypto", "LoopsealSystem", "LoopsealValue"]),
        .target(name: "LoopsealValue", dependencies: ["LoopsealDiagnostics"]),
        .target(name: "LoopsealYAML", dependencies: ["LoopsealDiagnostics", .product(name: "Yams", package: "Yams")]),
        .target(name: "LoopsealTemplates", dependencies: ["LoopsealDiagnostics", "LoopsealValue"]),
        .target(
            name: "LoopsealSync",
            dependencies: [
                "LoopsealSystem",
                "LoopsealDiagnostics",
                "LoopsealStore",
                "LoopsealTemplates",
                "LoopsealValue",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "LoopsealWorkflows",
            dependencies: [
                "LoopsealYAML",
                "LoopsealDiagnostics",
                "LoopsealStore",
                "LoopsealTemplates",
                "LoopsealValue",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "LoopsealKit",
            dependencies: [
                "LoopsealDiagnostics",
                "LoopsealCrypto",
                "LoopsealGit",
                "LoopsealStore",
                "LoopsealSync",
                "LoopsealSystem",
                "LoopsealValue",
                "LoopsealWorkflows",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "LoopsealServer",
            dependencies: [
                "LoopsealSystem",
                "LoopsealDiagnostics",
                "LoopsealKit",
                "LoopsealSync",
                "LoopsealWorkflows",
                "LoopsealTemplates",
                "LoopsealValue",
                .product(name: "Ink", package: "Ink"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "LoopsealMCP",
            dependencies: [
                "LoopsealDiagnostics",
                "LoopsealKit",
                "LoopsealValue",
                "LoopsealWorkflows",
                "LoopsealSync",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "loopseal",
            dependencies: [
                "LoopsealDiagnostics",
                "LoopsealBuildInfo",
                "LoopsealGit",
                "LoopsealKit",
                "LoopsealSystem",
                "LoopsealMCP",
                "LoopsealStore",
                "LoopsealSync",
                "LoopsealServer",
                "LoopsealTemplates",
                "LoopsealValue",
                "LoopsealWorkflows",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "LoopsealFuzzTargets",
            dependencies: ["LoopsealCrypto", "LoopsealStore", "LoopsealSync", "LoopsealTemplates", "LoopsealValue", "LoopsealWorkflows"]
        ),
        .executableTarget(
            name: "loopseal-fuzz",
            dependencies: ["LoopsealFuzzTargets"]
        ),
        .executableTarget(
            name: "loopseal-bench",
            dependencies: ["LoopsealTemplates", "LoopsealValue", "LoopsealWorkflows", "LoopsealSync", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/LoopsealBench"
        ),
        .testTarget(name: "LoopsealCryptoTests", dependencies: ["LoopsealCrypto", "LoopsealSystem"]),
        .testTarget(name: "LoopsealSystemTests", dependencies: ["LoopsealSystem", "LoopsealCrypto"]),
        .testTarget(name: "LoopsealKitTests", dependencies: ["LoopsealKit", "LoopsealGit", "LoopsealStore", "LoopsealCrypto", "LoopsealDiagnostics", "LoopsealValue", "LoopsealTemplates", "LoopsealWorkflows", "LoopsealSync"]),
        .testTarget(name: "LoopsealMCPTests", dependencies: ["LoopsealMCP", "LoopsealKit", "LoopsealStore", "LoopsealCrypto", "LoopsealValue", "LoopsealWorkflows", .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(
            name: "LoopsealStoreTests",
            dependencies: ["LoopsealStore", "LoopsealSystem"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "LoopsealGitTests", dependencies: ["LoopsealGit", "LoopsealStore", "LoopsealCrypto"]),
        .testTarget(name: "LoopsealSyncTests", dependencies: ["LoopsealSync", "LoopsealSystem"]),
        .testTarget(
            name: "LoopsealServerTests",
            dependencies: [
                "LoopsealServer", "LoopsealSync", "LoopsealSystem", "LoopsealWorkflows", "LoopsealValue",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "LoopsealWorkflowsTests",
            dependencies: ["LoopsealWorkflows", "LoopsealSync", "LoopsealTemplates", "LoopsealValue"],
            exclude: ["testdata"]
        ),
        .testTarget(
            name: "LoopsealTemplatesTests",
            dependencies: ["LoopsealTemplates", "LoopsealValue"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "LoopsealFuzzTests", dependencies: ["LoopsealFuzzTargets", "LoopsealCrypto", "LoopsealSync"]),
        .testTarget(name: "EndToEndTests", dependencies: ["LoopsealCrypto", "LoopsealSystem"], exclude: ["testdata"]),
        .testTarget(
            name: "loopsealTests",
            dependencies: ["loopseal", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
