import Foundation
import LoopsealCrypto
@testable import LoopsealStore

/// A temporary root with one workspace, removed when the test drops it.
final class TempWorkspace {
    let root: String
    let alice: Identity
    let bob: Identity
    let workspace: Workspace
    var service: SecretService { SecretService(workspace: workspace) }

    init(id: String = "test", recipients: Int = 1) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-store-\(UUID().uuidString)").path
        alice = try Identity.generate()
        bob = try Identity.generate()
        var list = [Recipient(name: "alice", publicKey: alice.publicKey)]
        if recipients > 1 { list.append(Recipient(name: "bob", publicKey: bob.publicKey)) }
        workspace = try Workspace.create(root: root, id: id, recipients: list)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ key: String) throws -> String { try workspace.secretPath(for: key) }
    func text(_ key: String) throws -> String { String(decoding: try FileIO.contents(try path(key)), as: UTF8.self) }
}

func secure(_ text: String) throws -> SecureBytes { try SecureBytes(copying: Array(text.utf8)) }
func plain(_ bytes: SecureBytes) -> String { bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

/// Fixture files named by what they prove (`good_…`, `fail_…`).
enum Fixture {
    static func path(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw StoreError.io(path: name, problem: "fixture missing")
        }
        return url.path
    }
    static func bytes(_ name: String) throws -> [UInt8] { try FileIO.contents(try path(name)) }
    static func identity(_ name: String) throws -> Identity {
        try IdentityLoader.parse(String(decoding: try bytes("test_identity_\(name).txt"), as: UTF8.self), source: name)[0]
    }
}
