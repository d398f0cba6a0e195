import Foundation
import LoopsealCrypto

/// Finds the writer's signing key, first found wins: `--signing-key FILE`,
/// `LOOPSEAL_SIGNING_KEY` (the key text itself), `LOOPSEAL_SIGNING_KEY_FILE`, then
/// `$XDG_CONFIG_HOME/loopseal/signing.key` (default `~/.config/loopseal/signing.key`).
public struct SigningKeyLoader: Sendable {
    /// The file named with `--signing-key`, if any.
    public var file: String?
    /// The environment to read variables from.
    public var environment: [String: String]

    /// The variables this loader reads, from the process environment.
    public static var processEnvironment: [String: String] {
        ProcessEnvironment.values(["LOOPSEAL_SIGNING_KEY", "LOOPSEAL_SIGNING_KEY_FILE", "XDG_CONFIG_HOME", "HOME"])
    }

    /// Creates a loader.
    public init(file: String? = nil, environment: [String: String] = Self.processEnvironment) {
        self.file = file
        self.environment = environment
    }

    /// The default key file: `$XDG_CONFIG_HOME/loopseal/signing.key` or `~/.config/loopseal/signing.key`.
    public var defaultPath: String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return "\(xdg)/loopseal/signing.key" }
        if let home = environment["HOME"], !home.isEmpty { return "\(home)/.config/loopseal/signing.key" }
        return nil
    }

    /// Where ``find()`` looks, for messages.
    public var searched: [String] {
        (file.map { [$0] } ?? []) + ["$LOOPSEAL_SIGNING_KEY", "$LOOPSEAL_SIGNING_KEY_FILE"] + (defaultPath.map { [$0] } ?? [])
    }

    /// The first signing key found and where it came from, or nil when there is none.
    /// A named file (`--signing-key`, `LOOPSEAL_SIGNING_KEY_FILE`) that is missing is an error.
    public func find() throws -> (key: SigningKey, source: String)? {
        if let file {
            return (try Self.parse(try requiredText(of: file), source: file), file)
        }
        if let inline = environment["LOOPSEAL_SIGNING_KEY"], !inline.isEmpty {
            return (try Self.parse(inline, source: "$LOOPSEAL_SIGNING_KEY"), "$LOOPSEAL_SIGNING_KEY")
        }
        if let path = environment["LOOPSEAL_SIGNING_KEY_FILE"], !path.isEmpty {
            return (try Self.parse(try requiredText(of: path), source: path), path)
        }
        if let path = defaultPath, let bytes = try FileIO.contentsIfExists(path) {
            return (try Self.parse(String(decoding: bytes, as: UTF8.self), source: path), path)
        }
        return nil
    }

    /// Parses signing key text: one `LOOPSEAL-SIGNING-KEY-1…` line; `#` lines and blank lines are
    /// ignored. Errors name the source and line, never the line's content.
    public static func parse(_ text: String, source: String) throws -> SigningKey {
        var found: SigningKey?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard found == nil else {
                throw StoreError.invalidSigningKey(source: source, line: index + 1, problem: "holds a second signing key: keep one per file")
            }
            do {
                found = try SigningKey(string: line)
            } catch {
                throw StoreError.invalidSigningKey(source: source, line: index + 1, problem: "not a LOOPSEAL-SIGNING-KEY-1… signing key (\(error))")
            }
        }
        guard let found else {
            throw StoreError.invalidSigningKey(source: source, line: nil, problem: "holds no LOOPSEAL-SIGNING-KEY-1… line")
        }
        return found
    }

    private func requiredText(of path: String) throws -> String {
        guard let bytes = try FileIO.contentsIfExists(path) else {
            throw StoreError.invalidSigningKey(source: path, line: nil, problem: "no such signing key file")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
