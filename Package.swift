// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "nbkey",
    products: [
        .library(name: "NumerBayKeys", targets: ["NumerBayKeys"]),
        .executable(name: "nbkey", targets: ["nbkey"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CSystem"),
        .target(
            name: "NumerBayKeys",
            dependencies: ["CSodium", "CSecp256k1", "CLibcrypto", "CSystem"]
        ),
        .executableTarget(
            name: "nbkey",
            dependencies: [
                "NumerBayKeys",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NumerBayKeysTests", dependencies: ["NumerBayKeys", "CSodium"]),
        .testTarget(name: "nbkeyTests", dependencies: ["nbkey"]),
    ]
)
