import Foundation
import LoopsealCrypto
import LoopsealStore

/// A temporary root with one workspace sealed to alice (and bob), removed when dropped.
final class TempWorkspace {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-git-\(UUID().uuidString)").path
    let alice: Identity
    let bob: Identity
    let workspace: Workspace
    var service: SecretService { SecretService(workspace: workspace) }

    init(recipients: Int) throws {
        alice = try Identity.generate()
        bob = try Identity.generate()
        let list = [Recipient(name: "alice", publicKey: alice.publicKey), Recipient(name: "bob", publicKey: bob.publicKey)]
        workspace = try Workspace.create(root: root, id: "test", recipients: Array(list.prefix(recipients)))
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ key: String) throws -> String { try workspace.secretPath(for: key) }
}

func secure(_ text: String) throws -> SecureBytes { try SecureBytes(copying: Array(text.utf8)) }
