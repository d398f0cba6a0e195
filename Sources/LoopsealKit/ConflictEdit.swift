import LoopsealCrypto
import LoopsealStore
import LoopsealSync

/// `loopseal resolve KEY --edit`: both sides' values in a person's editor (an ``EditSession``),
/// as two dotenv lines, `OURS=` and `THEIRS=`; the one line left (edited or not) is the value.
public enum ConflictEdit {
    /// Why the edited text was not taken (names only).
    public struct Problem: Error, CustomStringConvertible {
        /// What to do.
        public var description: String
    }

    /// The value chosen in `session` for `key`, whose sides are `sides`. Each side must open
    /// with `identities` (and carry a listed writer's signature when the workspace has
    /// writers). `reopen` decides, after a problem with the text, whether to open the editor again.
    public static func value(key: String, sides: SealedConflict, service: SecretService, identities: [Identity],
                             session: EditSession, reopen: (Error) -> Bool) throws -> SecureBytes {
        let path = try service.workspace.secretPath(for: key)
        let config = try service.workspace.loadConfig()
        let sealer = SecretSealer(workspaceID: service.workspace.id)
        var lines: [String] = []
        for (name, bytes) in [("OURS", sides.ours), ("THEIRS", sides.theirs)] {
            let file = "\(path) (\(name.lowercased()))"
            let secret = try SealedSecretCodec.decode(bytes, file: file)
            try WriterSignatures(config).verify(secret, file: file)
            let value = try sealer.open(secret, identities: identities, file: file, names: { config.name(of: $0) })
            guard let line = try? OutputFormat.dotenv.render([EnvEntry(key: name, value: value.withUnsafeBytes { Array($0) })]) else {
                throw Problem(description: "\(file): dotenv cannot show this value exactly: use 'loopseal resolve \(key) --ours' or '--theirs', then 'loopseal set \(key)'")
            }
            lines.append("# \(name == "OURS" ? "ours (HEAD in a merge)" : "theirs (the branch merged in)")\n" + line)
        }
        let text = """
            # loopseal resolve: \(key) in workspace \(service.workspace.id) is in merge conflict. Keep exactly one
            # of the two lines below (edit its value if you like) and delete the other: the value left becomes
            # \(key)'s. Lines are read as python-dotenv reads them. Quit with an error (:cq in vi) to change
            # nothing. This file is private and is overwritten and removed afterwards.

            """ + lines.joined(separator: "\n")
        return try session.run(try SecureBytes(copying: Array(text.utf8)), fileName: "\(key).env", accept: { edited in
            let entries = try edited.withUnsafeBytes { try DotenvParser.parse($0, fileName: "\(key).env") }
            guard entries.count == 1, let chosen = entries.first else {
                throw Problem(description: "keep exactly one line, OURS= or THEIRS= (found \(entries.count))")
            }
            return chosen.value
        }, reopen: reopen)
    }
}
