// swift-tools-version:6.0
import PackageDescription

// The libFuzzer driver is a target only when asked for (scripts/fuzz.sh sets NBKEY_FUZZ=1), so
// that an ordinary build never links a fuzzer.
let fuzzing = Context.environment["NBKEY_FUZZ"] == "1"

let package = Package(
    name: "nbkey",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NumerBayKeys", targets: ["NumerBayKeys"]),
        .library(name: "NumerBayKeysFiles", targets: ["NumerBayKeysFiles"]),
        .library(name: "NumerBayBridge", targets: ["NumerBayBridge"]),
        .executable(name: "nbkey", targets: ["nbkey"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The wallet bridge's HTTP server: NIO's HTTP/1 parser and event loop, without Foundation.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // `make docs`: the DocC catalogs. A command plugin: nothing of it is built into nbkey.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"]), .brew(["secp256k1"])]),
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        // Linux's file-system calls (O_DIRECT, sync_file_range, O_TMPFILE); empty elsewhere.
        .target(name: "CFileIO"),
        // The executable's one C call (prctl is variadic); the libraries never import it.
        .target(name: "CProcess"),
        // The portable core: primitives, encodings, NumerBay and MetaMask formats. No system
        // calls, no threads, no process state.
        .target(
            name: "NumerBayKeys",
            dependencies: ["CSodium", "CSecp256k1", "CLibcrypto"]
        ),
        // Files: atomic outputs, the chunk pipeline (threads), sealed files of any size.
        .target(
            name: "NumerBayKeysFiles",
            dependencies: ["NumerBayKeys", "CSodium", "CFileIO"]
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
        // The libFuzzer harnesses: `package` access to the internals, not a product.
        .target(
            name: "NumerBayKeysFuzzing",
            dependencies: ["NumerBayKeys", "NumerBayKeysFiles"]
        ),
        .executableTarget(
            name: "nbkey",
            dependencies: [
                "NumerBayKeys",
                "NumerBayKeysFiles",
                "NumerBayBridge",
                "CProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["NumerBayKeys"], path: "Tests/TestSupport"),
        .testTarget(name: "NumerBayKeysTests", dependencies: ["NumerBayKeys", "TestSupport", "CSodium"]),
        .testTarget(name: "NumerBayKeysFilesTests", dependencies: ["NumerBayKeysFiles", "TestSupport"]),
        .testTarget(name: "NumerBayKeysFuzzingTests", dependencies: ["NumerBayKeysFuzzing", "TestSupport"]),
        .testTarget(name: "nbkeyTests", dependencies: ["nbkey", "TestSupport"]),
    ] + (fuzzing ? [
        .executableTarget(name: "nbkey-fuzz", dependencies: ["NumerBayKeysFuzzing"]),
    ] : [])
)
