import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealStore

/// `loopseal import`: seals every secret of a dotenv, JSON or YAML file, all or nothing.
///
/// The whole file is read first (``SecretFileReader``: every name checked, every value
/// parsed), then written in one ``SecretService/apply(_:identities:overwrite:dryRun:)``: a
/// value equal to the current one leaves its file untouched (`unchanged`), and without
/// `overwrite` a secret that holds another value (or one no identity opens) is `refused`, and
/// then nothing is written. A file git tracks is reported: its values are in the history.
public struct SecretImport: Sendable {
    /// Where the secrets come from.
    public enum Source: Sendable {
        /// A file, named as the user gave it.
        case file(String)
        /// What was read from standard input.
        case standardInput(SecureBytes)
    }

    /// The workspace written to.
    public var service: SecretService

    /// Creates the use case for `service`'s workspace.
    public init(service: SecretService) {
        self.service = service
    }

    /// Reads `source` in `format` (nil: from the file name, dotenv for standard input) and
    /// applies it. Throws for a file that cannot be read or parsed (nothing written); a refusal
    /// is reported in the result, with nothing written.
    public func run(_ source: Source, format: ImportFormat?, identities: [Identity], overwrite: Bool,
                    dryRun: Bool) throws -> SecretImportReport {
        let name = source.name
        let format = format ?? ImportFormat(guessingFrom: name)
        let secrets: [(key: String, value: SecureBytes)]
        switch source {
        case .file(let path):
            var bytes = try FileIO.contents(path, kind: "file to import")
            defer { Self.wipe(&bytes) }
            secrets = try SecretFileReader.read(bytes, format: format, fileName: path)
        case .standardInput(let input):
            secrets = try input.withUnsafeBytes { try SecretFileReader.read($0, format: format, fileName: name) }
        }
        let result = try service.apply(secrets.map { .set(key: $0.key, value: $0.value) }, identities: identities,
                                       overwrite: overwrite, dryRun: dryRun)
        return SecretImportReport(source: name, result: result, comparedValues: !identities.isEmpty,
                                  trackedByGit: source.isTrackedByGit)
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
    }
}

extension SecretImport.Source {
    /// The file as given, or `stdin`.
    var name: String {
        switch self {
        case .file(let path): return path
        case .standardInput: return "stdin"
        }
    }

    /// True when the file is in git's index (`git ls-files --error-unmatch`, run in the
    /// file's folder); false for standard input, outside a repository or without git.
    var isTrackedByGit: Bool {
        guard case .file(let path) = self else { return false }
        let folder = FileIO.parentDirectory(path)
        let git = GitRunner(directory: folder.isEmpty ? "." : folder)
        let name = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(path))
        return (try? git.run(["ls-files", "--error-unmatch", "--", name]).status) == 0
    }
}
