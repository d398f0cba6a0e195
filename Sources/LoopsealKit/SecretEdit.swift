import LoopsealCrypto
import LoopsealStore
import LoopsealSync

/// `loopseal edit [KEY…]`: the chosen secrets (all by default) as dotenv text in the person's
/// editor (``EditSession``), then only the differences written: changed values sealed again,
/// new names created, deleted lines deleted. The text is read as python-dotenv reads it
/// (``DotenvParser``) and written by the dotenv writer, so every value reads back exactly.
///
/// A secret no identity opens, whose file does not read, or whose value dotenv cannot show
/// exactly is not editable: named and refused when asked for by name, named and left out when
/// editing all. A name added in the editor that belongs to a secret not in the edit is refused.
/// Before writing, the values shown are checked to be still current (another command or a
/// `git pull` while the editor was open refuses the edit).
public struct SecretEdit {
    /// The workspace edited.
    public var service: SecretService
    /// The identities that open the values.
    public var identities: [Identity]

    /// The use case for `service`'s workspace.
    public init(service: SecretService, identities: [Identity]) {
        self.service = service
        self.identities = identities
    }

    /// The text and values for `keys` (every secret when empty).
    public func view(keys: [String]) throws -> SecretEditView {
        for key in keys { try Names.checkKey(key) }
        let scan = try service.scanAll()
        var chosen = scan.secrets
        if !keys.isEmpty {
            let known = Set(scan.secrets.map(\.key)).union(scan.problems.map(\.key))
            if let missing = keys.first(where: { !known.contains($0) }) {
                throw StoreError.secretNotFound(key: missing, workspace: service.workspace.id)
            }
            chosen = scan.secrets.filter { keys.contains($0.key) }
        }
        var skipped = scan.problems.filter { keys.isEmpty || keys.contains($0.key) }
            .map { (key: $0.key, reason: "its file does not read (see 'loopseal keys')") }
        var values: [(key: String, value: SecureBytes)] = []
        var lines: [String] = []
        for secret in chosen where secret.hasValue {
            do {
                let value = try service.reveal(key: secret.key, identities: identities)
                let entry = EnvEntry(key: secret.key, value: value.withUnsafeBytes { Array($0) })
                guard let line = try? OutputFormat.dotenv.render([entry]) else {
                    skipped.append((secret.key, "dotenv cannot show its value exactly (a NUL byte, bytes that are not UTF-8, or a final backslash after white space): use 'loopseal set'"))
                    continue
                }
                values.append((secret.key, value))
                lines.append(line)
            } catch {
                skipped.append((secret.key, "no identity opens it (or its writer signature does not hold)"))
            }
        }
        skipped.sort { $0.key < $1.key }
        if !keys.isEmpty, !skipped.isEmpty {
            throw EditError.notEditable(keys: skipped.map(\.key), reason: skipped[0].reason)
        }
        let requested = chosen.filter { !$0.hasValue }.map(\.key)
        let text = header(shown: values.count, requested: requested, skipped: skipped) + lines.joined()
            + requested.map { "# \($0)=\n" }.joined()
        return SecretEditView(text: try SecureBytes(copying: Array(text.utf8)), values: values, requested: requested, skipped: skipped)
    }

    /// The comment at the top of the text: what it is and how to use it.
    private func header(shown: Int, requested: [String], skipped: [(key: String, reason: String)]) -> String {
        var text = """
            # loopseal edit: workspace \(service.workspace.id), \(shown) secret(s). One NAME=value per secret, read as
            # python-dotenv reads it (interpolate=False): quote a value in '…' (where \\' and \\\\ escape) or "…"
            # (which also knows \\n and \\t); a quoted value may span lines. Change a value, add a line for a new
            # secret, delete a line to delete that secret (you will be asked to confirm). Save and quit to apply;
            # to change nothing, quit without saving or make the editor exit with an error (:cq in vi).
            # This file is private, and is overwritten and removed afterwards.

            """
        if !skipped.isEmpty {
            text += "# Not in this edit: \(skipped.map(\.key).joined(separator: ", ")) (see the warning in your terminal).\n"
        }
        if !requested.isEmpty {
            text += "# Requested, without a value yet (remove the # and give one a value): see the end of the file.\n"
        }
        return text + "\n"
    }

    /// The differences between `view` and the names and values the editor returned.
    public func changes(from view: SecretEditView, to edited: [(key: String, value: SecureBytes)]) throws -> SecretEditChanges {
        var result = SecretEditChanges(changes: [], added: [], changed: [], removed: [])
        var outside: [String] = []
        let existing = Set(try service.keyNames())
        for (key, value) in edited {
            if let shown = view.value(of: key) {
                guard !shown.constantTimeEquals(value) else { continue }
                result.changed.append(key)
            } else if view.requested.contains(key) || !existing.contains(key) {
                result.added.append(key)
            } else {
                outside.append(key)
                continue
            }
            result.changes.append(.set(key: key, value: value))
        }
        guard outside.isEmpty else { throw EditError.existsOutsideTheEdit(keys: outside) }
        let kept = Set(edited.map(\.key))
        result.removed = view.values.map(\.key).filter { !kept.contains($0) }
        result.changes += result.removed.map { .remove(key: $0) }
        return result
    }

    /// Writes `changes` in one all-or-nothing batch, checking under the same lock that what the
    /// editor showed is still what the workspace holds.
    public func apply(_ changes: SecretEditChanges, shown view: SecretEditView) throws -> SecretBatchResult {
        let expected = (changes.changed + changes.removed).map { (key: $0, value: view.value(of: $0)) }
            + changes.added.map { (key: $0, value: SecureBytes?.none) }
        do {
            return try service.apply(changes.changes, identities: identities, overwrite: true, expected: expected)
        } catch StoreError.changedMeanwhile(let keys) {
            throw EditError.changedMeanwhile(keys: keys)
        }
    }

    /// The whole edit: `view` in `session`'s editor, the text parsed and compared (a problem
    /// goes to `reopen`, which may open the editor again), deletions confirmed by
    /// `confirmRemoval`, then ``apply(_:shown:)``. Returns the changes and what was written (nil
    /// when nothing differed).
    public func run(_ view: SecretEditView, session: EditSession, reopen: (Error) -> Bool,
                    confirmRemoval: ([String]) -> Bool) throws -> (changes: SecretEditChanges, result: SecretBatchResult?) {
        let fileName = "\(service.workspace.id).env"
        let changes = try session.run(view.text, fileName: fileName, accept: { edited in
            let secrets = try edited.withUnsafeBytes { try DotenvParser.parse($0, fileName: fileName) }
            return try self.changes(from: view, to: secrets)
        }, reopen: reopen)
        guard !changes.isEmpty else { return (changes, nil) }
        if !changes.removed.isEmpty, !confirmRemoval(changes.removed) {
            throw EditError.removalNotConfirmed(keys: changes.removed)
        }
        return (changes, try apply(changes, shown: view))
    }
}
