import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealValue

/// What was last synced to each target: a keyed BLAKE2b hash of the whole payload and of each
/// key's value, never a value. Kept in the git-ignored `.loopseal/sync-state.json` (mode 0600);
/// the hash key is a random salt in `.loopseal/sync-salt`, so the hashes mean nothing elsewhere.
public struct SyncState: Sendable {
    /// One target's record.
    public struct Record: Sendable, Equatable {
        public var payloadHash: String
        public var keys: [String: String]
        public var syncedAt: String
    }

    public var records: [String: Record]
    let salt: [UInt8]

    static func paths(_ workspace: Workspace) -> (state: String, salt: String) {
        ("\(workspace.stateDirectory)/sync-state.json", "\(workspace.stateDirectory)/sync-salt")
    }

    /// Loads the state of `workspace` (empty when never synced), creating the salt if needed.
    public static func load(_ workspace: Workspace) throws -> SyncState {
        let (statePath, saltPath) = paths(workspace)
        try FileIO.makeDirectory(workspace.stateDirectory)
        var salt = try FileIO.contentsIfExists(saltPath) ?? []
        if salt.count != 32 {
            salt = Random.bytes(32)
            try FileIO.writeAtomically(salt, to: saltPath, mode: 0o600)
        }
        var records: [String: Record] = [:]
        if let bytes = try FileIO.contentsIfExists(statePath),
           case .object(let targets)? = try? TemplateValue(jsonText: String(decoding: bytes, as: UTF8.self)).property("targets") {
            for (name, value) in zip(targets.keys, targets.values) {
                guard case .string(let payloadHash)? = value.property("payloadHash") else { continue }
                var keys: [String: String] = [:]
                if case .object(let table)? = value.property("keys") {
                    for (key, hash) in zip(table.keys, table.values) { if case .string(let h) = hash { keys[key] = h } }
                }
                records[name] = Record(payloadHash: payloadHash, keys: keys, syncedAt: value.property("syncedAt")?.javaScriptString ?? "")
            }
        }
        return SyncState(records: records, salt: salt)
    }

    /// Writes the state atomically.
    public func save(_ workspace: Workspace) throws {
        let targets = records.sorted { $0.key < $1.key }.map { name, record -> (String, TemplateValue) in
            (name, .dictionary([
                ("payloadHash", .string(record.payloadHash)),
                ("keys", .dictionary(record.keys.keys.sorted().map { ($0, .string(record.keys[$0] ?? "")) })),
                ("syncedAt", .string(record.syncedAt)),
            ]))
        }
        let text = TemplateValue.dictionary([("targets", .dictionary(targets))]).jsonText(pretty: true) + "\n"
        try FileIO.writeAtomically(Array(text.utf8), to: Self.paths(workspace).state, mode: 0o600)
    }

    /// The keyed hash of a payload.
    public func hash(payload: [UInt8]) -> String {
        Hash.hex(Hash.blake2b(payload, key: salt))
    }

    /// The keyed hash of one key's value (the name is bound in, so equal values of two keys differ).
    public func hash(key: String, value: [UInt8]) -> String {
        Hash.hex(Hash.blake2b(Array(key.utf8) + [0] + value, key: salt))
    }
}
