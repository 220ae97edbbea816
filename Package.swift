// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "nbkey",
    products: [
        .library(name: "NumerBayKeys", targets: ["NumerBayKeys"]),
        .library(name: "NumerBayBridge", targets: ["NumerBayBridge"]),
        .executable(name: "nbkey", targets: ["nbkey"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The wallet bridge's HTTP server: NIO's HTTP/1 parser and event loop, without Foundation.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CFileIO"),
        // The executable's one C call (prctl is variadic); the library never imports it.
        .target(name: "CProcess"),
        .target(
            name: "NumerBayKeys",
            dependencies: ["CSodium", "CSecp256k1", "CLibcrypto", "CFileIO"]
        ),
        .target(
            name: "NumerBayBridge",
            dependencies: [
                "NumerBayKeys",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            resources: [.embedInCode("Page/bridge.html"), .embedInCode("Page/bridge.js"), .embedInCode("Page/bridge.css")]
        ),
        .executableTarget(
            name: "nbkey",
            dependencies: [
                "NumerBayKeys",
                "NumerBayBridge",
                "CProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NumerBayKeysTests", dependencies: ["NumerBayKeys", "CSodium"]),
        .testTarget(name: "nbkeyTests", dependencies: ["nbkey"]),
    ]
)
