import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealKit
import LoopsealStore
import LoopsealValue

struct SetSecret: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Seal a value for KEY (from stdin, or typed at a hidden prompt).",
        discussion: """
            Values never come from arguments: they would leak into shell history and process lists. \
            One trailing newline on stdin is dropped unless --raw. When an identity opens the current value and it is the same, the file is left as it was ("unchanged"). At the hidden prompt a value is one \
            line; a paste with line breaks is refused unless --multiline (end the value with Ctrl-D). \
            An empty value is refused unless --allow-empty. --owner, --expires, --rotate-every and \
            --description set metadata as 'loopseal meta' does; a new value records today as 'rotated'.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(help: "The secret's name, an environment variable name.") var key: String
    @Argument(help: .hidden) var refusedValue: String?
    @OptionGroup var input: ValueInputOptions
    @OptionGroup var metadata: MetadataOptions

    func validate() throws {
        guard refusedValue == nil else {
            throw ValidationError("values are never taken from arguments (they leak into shell history and 'ps'): pipe the value on stdin or type it at the prompt")
        }
    }

    func run() throws {
        try Names.checkKey(key)
        let service = try workspace.service(signingKeys: signing.loader)
        let edit = try metadata.edit(service.workspace)
        let value = try input.read(prompt: "Value for \(key): ", key: key)
        switch try SecretMetadataUpdate.set(key: key, value: value, identities: identities.loadIfAny(), edit: edit, service: service) {
        case .unchanged: Terminal.warn("\(key) unchanged: the value is the same; the file was left as it was")
        default: Terminal.warn("sealed \(key) to \(try service.workspace.loadConfig().recipients.count) recipient(s)")
        }
    }

    static func dropTrailingNewline(_ value: SecureBytes) throws -> SecureBytes {
        let drop = value.withUnsafeBytes { bytes -> Int in
            if bytes.count >= 2 && bytes[bytes.count - 2] == 0x0D && bytes[bytes.count - 1] == 0x0A { return 2 }
            return bytes.last == 0x0A ? 1 : 0
        }
        guard drop > 0 else { return value }
        return try SecureBytes(count: value.count - drop) { out in
            value.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<(value.count - drop)])) }
        }
    }
}

struct GetSecret: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the value of KEY (exact bytes; a newline is added only on a terminal).")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(help: "The secret's name.") var key: String
    @Option(help: ArgumentHelp("Print the value as it was at this git commit (a hash, branch, tag or HEAD~2), checked against that commit's writers.",
                               valueName: "rev"))
    var at: String?

    func run() throws {
        if let at { return try Self.run(workspace: workspace.selection, identityFiles: identities.identity, key: key, at: at) }
        try Self.run(workspace: workspace.selection, identityFiles: identities.identity, key: key)
    }

    /// The value of `key` at the commit `revision` names (`get KEY --at REV`), read from git.
    static func run(workspace: WorkspaceSelection, identityFiles: [String], key: String, at revision: String) throws {
        try Names.checkKey(key)
        let resolved = try workspace.resolve()
        let value = try SecretAtRevision.value(of: key, at: revision, in: resolved,
                                               identities: try IdentityLoader(files: identityFiles).load(), git: GitRunner())
        value.withUnsafeBytes { Terminal.write($0) }
        if Terminal.stdoutIsTerminal { Terminal.print("\n") }
    }

    /// `run()` with plain values (``QuickParse`` calls it without ArgumentParser).
    static func run(workspace: WorkspaceSelection, identityFiles: [String], key: String) throws {
        try Names.checkKey(key)
        let read = try workspace.service().revealSealed(key: key, identities: try IdentityLoader(files: identityFiles).load())
        StaleWarning.print(read.sealing)
        read.value.withUnsafeBytes { Terminal.write($0) }
        if Terminal.stdoutIsTerminal { Terminal.print("\n") }
    }
}

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List secret names, whether each has a value, and their metadata (never values).",
        discussion: "A file that cannot be read (a merge conflict, a bad edit) is listed with its problem, and named on stderr; the others are listed as usual. A file in merge conflict is listed as 'conflict': 'loopseal resolve KEY' settles it.")
    @OptionGroup var workspace: WorkspaceOptions
    @Flag(help: "Print JSON: [{\"id\", \"key\", \"hasValue\"}] plus \"owner\", \"expires\", \"rotateEvery\", \"rotated\", \"description\" when set; an unreadable file has \"id\" and \"hasValue\" null and a \"problem\" (and \"conflict\": true for a merge conflict).") var json = false

    func run() throws {
        let items = try workspace.service().keys()
        for item in items { if let problem = item.problem { Terminal.warn("loopseal: problem: \(problem)") } }
        Terminal.print(json ? Self.json(items) : Self.table(items))
    }

    /// `[{"id", "key", "hasValue"}]`; an unreadable file has `id` and `hasValue` null and a `problem`.
    private static func json(_ items: [SecretKeyInfo]) -> String {
        TemplateValue.list(items.map { item in
            guard let problem = item.problem else {
                return .dictionary([("id", .string(item.id)), ("key", .string(item.key)), ("hasValue", .bool(item.hasValue))]
                                   + MetadataColumns.json(item.metadata))
            }
            let conflict: [(String, TemplateValue)] = item.conflict ? [("conflict", .bool(true))] : []
            return .dictionary([("id", .null), ("key", .string(item.key)), ("hasValue", .null), ("problem", .string(problem))] + conflict)
        }).jsonText() + "\n"
    }

    /// `KEY  VALUE  ID` columns, the names padded to the longest, and the metadata columns
    /// when a secret has metadata.
    private static func table(_ items: [SecretKeyInfo]) -> String {
        let width = max(3, items.map(\.key.utf8.count).max() ?? 0)
        let metadata = items.contains { !$0.metadata.isEmpty } ? MetadataColumns.table(items.map(\.metadata)) : nil
        var out = Self.pad("KEY", width) + (metadata.map { "  VALUE    ID" + String(repeating: " ", count: 34) + $0.header + "\n" } ?? "  VALUE    ID\n")
        out.reserveCapacity(items.count * (width + 50))
        for (index, item) in items.enumerated() {
            out += Self.pad(item.key, width)
            if item.conflict {
                out += "  conflict (resolve: loopseal resolve \(item.key) --ours|--theirs|--edit)"
            } else if item.problem != nil {
                out += "  ?        (unreadable: see the problem above)"
            } else {
                out += item.hasValue ? "  set      " : "  missing  "
                out += item.id
                if let metadata { out += metadata.rows[index] }
            }
            out += "\n"
        }
        return out
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.utf8.count))
    }
}

struct RemoveSecret: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a secret.")
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The secret's name.") var key: String

    func run() throws {
        try Names.checkKey(key)
        try workspace.service().delete(key: key)
        Terminal.warn("removed \(key)")
    }
}
