import NumerBayKeys

/// Reading and writing key files, with the warnings a user should see.
enum KeyFileIO {
    static func read(_ path: String) throws -> KeyPair {
        let input = try InputFile(path: path)
        if input.isGroupOrWorldReadable {
            Terminal.warn("warning: \(path) is readable by other users; run 'chmod 600 \(path)'")
        }
        return try KeyFile.parse(try input.readSecret())
    }

    static func write(_ pair: KeyPair, to path: String, force: Bool) throws {
        let out = try AtomicOutput(OutputTarget(path, overwrite: force), mode: 0o600)
        try out.write(KeyFile.serialize(pair))
        try out.commit()
    }
}
