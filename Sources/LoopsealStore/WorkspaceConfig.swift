import LoopsealCrypto
import Yams

/// The contents of `workspaces/<id>/workspace.yaml`: who can decrypt, who may write (when
/// signatures are on), and where secrets sync to.
public struct WorkspaceConfig: Sendable {
    /// Must equal the workspace directory name.
    public var workspace: String
    /// Recipients in file order.
    public var recipients: [Recipient]
    /// Writers in file order. When not empty, every sealed file must carry a signature by one
    /// of them; when empty (no `writers:`), files are not signed.
    public var writers: [Writer]
    /// The `targets:` list, with positions, for the sync module to interpret.
    public var targets: ConfigNode? { targetsNode.map { ConfigNode($0.node) } }
    /// The `targets:` list as composed, written back unchanged by ``serialized()``.
    private var targetsNode: YAMLNode?
    /// The file's `signature:` block as read (docs/FORMAT.md §8, "The signed workspace file"):
    /// a writer's signature over ``WorkspaceSignature/signedBytes(of:writer:)``. Nil when the
    /// file has none or the value was made in memory. ``serialized()`` never writes it:
    /// ``Workspace/saveConfig(_:signingKeys:resign:)`` decides what signs the saved file.
    public var signature: SealedSecret.Signature?

    /// Every top-level field. All but `signature` are covered by the signature: a new field
    /// must be added to ``WorkspaceSignature/content(of:)`` too.
    static let knownFields = ["workspace", "recipients", "writers", "targets", "signature"]

    /// Creates a configuration without targets.
    public init(workspace: String, recipients: [Recipient], writers: [Writer] = []) {
        self.init(workspace: workspace, recipients: recipients, writers: writers, targets: nil)
    }

    init(workspace: String, recipients: [Recipient], writers: [Writer], targets: YAMLNode?) {
        self.workspace = workspace
        self.recipients = recipients
        self.writers = writers
        self.targetsNode = targets
    }

    /// The recipients' public keys, sorted and de-duplicated.
    public var publicKeys: [PublicKey] {
        Array(Set(recipients.map(\.publicKey))).sorted()
    }

    /// The name of the recipient holding `key`, if listed.
    public func name(of key: String) -> String? {
        recipients.first { $0.publicKey.description == key }?.name
    }

    /// Parses `workspace.yaml` text; `file` names it in errors, `expectedID` is the directory name.
    public static func parse(_ text: String, file: String, expectedID: String) throws -> WorkspaceConfig {
        guard let root = try YAMLSource.compose(text, file: file) else {
            throw StoreError.malformed(file: file, line: 1, column: 1, problem: "empty file: expected 'workspace:' and 'recipients:'")
        }
        guard case .mapping(let mapping) = root else {
            throw YAMLSource.malformed(file, root, "expected a mapping with 'workspace:' and 'recipients:'")
        }
        try refuseLocalTags(root, file: file)
        var workspace: String?
        var recipients: [Recipient] = []
        var writers: [Writer] = []
        var targets: YAMLNode?
        var signature: SealedSecret.Signature?
        for (keyNode, valueNode) in mapping {
            let field = try YAMLSource.scalar(keyNode, file: file, field: "field name")
            switch field {
            case "workspace":
                let id = try YAMLSource.scalar(valueNode, file: file, field: "workspace")
                guard id == expectedID else {
                    throw YAMLSource.malformed(file, valueNode, "'workspace: \(StoreError.printable(id))' must equal the directory name '\(expectedID)'")
                }
                workspace = id
            case "recipients":
                recipients = try parseRecipients(valueNode, file: file)
            case "writers":
                writers = try parseWriters(valueNode, file: file)
            case "targets":
                switch valueNode {
                case .sequence: targets = YAMLNode(valueNode)
                case .scalar(let s) where s.string.isEmpty || s.string == "null" || s.string == "~": targets = nil
                default: throw YAMLSource.malformed(file, valueNode, "'targets' must be a list")
                }
            case "signature":
                signature = try parseSignature(keyNode, valueNode, file: file)
            default:
                throw YAMLSource.malformed(file, keyNode, "unknown field '\(StoreError.printable(field))' (known: \(knownFields.joined(separator: ", "))): remove it or upgrade loopseal")
            }
        }
        guard let workspace else {
            throw YAMLSource.malformed(file, root, "missing 'workspace: \(expectedID)'")
        }
        var config = WorkspaceConfig(workspace: workspace, recipients: recipients, writers: writers, targets: targets)
        config.signature = signature
        return config
    }

    /// `signature:` maps exactly `writer` (a `loopsealsign1…` key) and `ed25519` (64 bytes of
    /// canonical base64), as in a sealed file.
    private static func parseSignature(_ keyNode: Node, _ valueNode: Node, file: String) throws -> SealedSecret.Signature {
        guard case .mapping(let entries) = valueNode else {
            throw YAMLSource.malformed(file, valueNode, "'signature' must map 'writer' and 'ed25519' to their values (run 'loopseal writers sign' to write it)")
        }
        let located = try entries.map {
            (try SealedSecretCodec.located($0, file: file, field: "signature field"), try SealedSecretCodec.located($1, file: file, field: "signature value"))
        }
        return try SealedSecretCodec.buildSignature(located, line: keyNode.mark?.line ?? 0, file: file)
    }

    /// workspace.yaml uses plain YAML only. A local tag (`!name`) makes two keys that look the same
    /// distinct (`!x command` and `command`), and writing the file back would merge them.
    private static func refuseLocalTags(_ node: Node, file: String) throws {
        if node.tag.rawValue.hasPrefix("!") {
            throw YAMLSource.malformed(file, node, "YAML tags ('\(StoreError.printable(node.tag.rawValue))') are not allowed in workspace.yaml: remove the '!…' before the value")
        }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping { try refuseLocalTags(key, file: file); try refuseLocalTags(value, file: file) }
        case .sequence(let sequence):
            for item in sequence { try refuseLocalTags(item, file: file) }
        default:
            break
        }
    }

    private static func parseRecipients(_ node: Node, file: String) throws -> [Recipient] {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "null" || s.string == "~" { return [] }
        guard case .mapping(let mapping) = node else {
            throw YAMLSource.malformed(file, node, "'recipients' must map names to age1… public keys")
        }
        return try namedKeys(mapping, file: file, kind: "recipient", invalidName: StoreError.invalidRecipientName,
                             parse: PublicKey.init(string:)).map(Recipient.init)
    }

    /// `writers:` must list at least one name -> `loopsealsign1…` key: an empty list would
    /// silently mean "nobody may write" or "signatures off", so it is refused either way.
    private static func parseWriters(_ node: Node, file: String) throws -> [Writer] {
        guard case .mapping(let mapping) = node, !mapping.isEmpty else {
            throw YAMLSource.malformed(file, node, "'writers' must map names to loopsealsign1… public keys (remove the field to turn signatures off)")
        }
        return try namedKeys(mapping, file: file, kind: "writer", invalidName: StoreError.invalidWriterName,
                             parse: SigningPublicKey.init(string:)).map(Writer.init)
    }

    /// `name: key` pairs in file order: names valid, keys parsed and not listed twice.
    private static func namedKeys<Key: Equatable>(
        _ mapping: Node.Mapping, file: String, kind: String, invalidName: (String) -> StoreError,
        parse: (String) throws -> Key
    ) throws -> [(name: String, publicKey: Key)] {
        var result: [(name: String, publicKey: Key)] = []
        for (nameNode, keyNode) in mapping {
            let name = try YAMLSource.scalar(nameNode, file: file, field: "\(kind) name")
            guard Names.isValidRecipientName(name) else {
                throw YAMLSource.malformed(file, nameNode, invalidName(name).description)
            }
            let text = try YAMLSource.scalar(keyNode, file: file, field: "\(kind)s.\(name)")
            let key: Key
            do {
                key = try parse(text)
            } catch let error as CryptoError {
                throw YAMLSource.malformed(file, keyNode, "\(kind) '\(name)': \(error)")
            }
            if let other = result.first(where: { $0.publicKey == key }) {
                throw YAMLSource.malformed(file, keyNode, "\(kind) '\(name)' has the same key as '\(other.name)'")
            }
            result.append((name, key))
        }
        return result
    }

    /// The canonical `workspace.yaml` text.
    public func serialized() throws -> String {
        var text = "workspace: \(workspace)\n"
        if recipients.isEmpty {
            text += "recipients: {}\n"
        } else {
            text += "recipients:\n"
            for recipient in recipients { text += "  \(recipient.name): \(recipient.publicKey)\n" }
        }
        if !writers.isEmpty {
            text += "writers:\n"
            for writer in writers { text += "  \(writer.name): \(writer.publicKey)\n" }
        }
        if let targets = targetsNode, case .sequence(let sequence) = targets.node, !sequence.isEmpty {
            text += try Yams.serialize(node: .mapping(Node.Mapping([(Node("targets"), targets.node)])))
        } else {
            text += "targets: []\n"
        }
        return text
    }
}

/// A parsed YAML node with its source marks. Yams' `Node` is a value type without a
/// `Sendable` annotation; it holds no references, so sharing it is safe. Internal: other
/// modules see ``ConfigNode``.
struct YAMLNode: @unchecked Sendable {
    let node: Node
    init(_ node: Node) { self.node = node }
}
