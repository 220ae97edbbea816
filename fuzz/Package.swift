// swift-tools-version:6.0
// The libFuzzer harnesses (docs/FUZZING.md). A package of its own, so that the root package's
// `swift build` never links a fuzzer; build it with scripts/fuzz.sh.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where the repository was
// cloned: name it from this manifest's location.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "nbkey-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "nbkey-fuzz",
            dependencies: [.product(name: "NumerBayKeys", package: root.lastPathComponent)]
        ),
    ]
)
