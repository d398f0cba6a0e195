import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

/// `Tests/Vectors/workspace/*.json` (docs/FORMAT.md §11), made by `generate.py` from the
/// specification alone: every `good_*` workspace.yaml gives the signed bytes, is signed byte for
/// byte by `loopseal writers sign`'s path, and is trusted; every `fail_*` one is refused by
/// ``PinnedTrust`` for its reason.
@Suite struct WorkspaceVectorTests {
    struct Vector: Decodable {
        var name: String
        var workspace: String
        var pinned: [String]
        var signingKey: String?
        var signedBytes: String?
        var canonical: Bool?
        var file: String
        var error: String?
    }

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors").appendingPathComponent("workspace")
    }

    static func load(_ name: String) throws -> Vector {
        try JSONDecoder().decode(Vector.self, from: Data(contentsOf: directory.appendingPathComponent("\(name).json")))
    }

    static func names(_ prefix: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// `vector.file` as `workspaces/<id>/workspace.yaml` of a fresh root.
    static func workspace(_ vector: Vector, text: String? = nil, in scratch: KitScratch) throws -> Workspace {
        let workspace = try Workspace(root: scratch.path, id: vector.workspace)
        try FileIO.makeDirectory(workspace.secretsDirectory)
        try FileIO.writeAtomically(Array((text ?? vector.file).utf8), to: workspace.configPath)
        return workspace
    }

    static func trust(_ vector: Vector) throws -> PinnedTrust {
        PinnedTrust(keys: try vector.pinned.map(SigningPublicKey.init(string:)), source: "pinned")
    }

    @Test func thereAreVectorsForEveryCaseTheSpecNames() {
        #expect(Self.names("good_") == ["good_respelled", "good_signed", "good_signed_escapes"])
        for name in ["fail_unsigned", "fail_target_path_changed", "fail_target_command_changed", "fail_target_hosts_changed",
                     "fail_recipient_added", "fail_writer_added_self_signed", "fail_signed_by_unpinned_writer", "fail_sealed_file_context"] {
            #expect(Self.names("fail_").contains(name), "missing \(name)")
        }
    }

    @Test(arguments: WorkspaceVectorTests.names("good_"))
    func goodVectorIsSignedByteForByteAndTrusted(name: String) throws {
        let vector = try Self.load(name)
        let scratch = try KitScratch()
        let workspace = try Self.workspace(vector, in: scratch)
        let config = try workspace.loadConfig()
        let key = try SigningKey(string: try #require(vector.signingKey))
        #expect(String(decoding: WorkspaceSignature.signedBytes(of: config, writer: key.publicKey), as: UTF8.self) == vector.signedBytes)
        #expect(WorkspaceSignature.status(of: config) == .valid(key.publicKey))
        #expect(try Self.trust(vector).verify(workspace).refusals == [])

        // Signing the unsigned text gives the vector's file exactly (Ed25519 is deterministic).
        let unsigned = String(vector.file[..<(try #require(vector.file.range(of: "signature:\n"))).lowerBound])
        try FileIO.writeAtomically(Array(unsigned.utf8), to: workspace.configPath)
        let loader = SigningKeyLoader(environment: ["LOOPSEAL_SIGNING_KEY": key.encodedSecretKey()])
        _ = try WriterChanges.signConfig(of: workspace, signingKeys: loader)
        #expect(String(decoding: try FileIO.contents(workspace.configPath), as: UTF8.self) == vector.file)
        if vector.canonical == true {
            #expect(try workspace.loadConfig().serialized() == unsigned, "\(name): not the text Loopseal writes")
        }
    }

    @Test(arguments: WorkspaceVectorTests.names("fail_"))
    func failVectorIsRefusedForItsReason(name: String) throws {
        let vector = try Self.load(name)
        let scratch = try KitScratch()
        let workspace = try Self.workspace(vector, in: scratch)
        let refusals = try Self.trust(vector).verify(workspace).refusals
        try #require(refusals.count == 1, "\(name): \(refusals)")
        #expect(refusals[0].file == workspace.configPath)
        switch (vector.error, refusals[0].reason) {
        case ("unsigned", .unsigned), ("unpinned", .unpinned), ("mismatch", .mismatch):
            break
        default:
            Issue.record("\(name): expected \(vector.error ?? "?"), got \(refusals[0].reason)")
        }
    }
}
