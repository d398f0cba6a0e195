import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

@Suite("writers add and rm as use cases")
struct WriterChangesTests {
    /// A workspace with one unsigned secret.
    private static func workspace(_ scratch: KitScratch) throws -> Workspace {
        let workspace = try Workspace.create(root: scratch.path, id: "kit", recipients: [
            Recipient(name: "alice", publicKey: try Identity.generate().publicKey),
        ])
        _ = try SecretService(workspace: workspace).upsert(key: "OLD", value: try SecureBytes(copying: Array("v".utf8)))
        return workspace
    }

    @Test("the first writer turns signatures on: the files written before are named as refused")
    func addNamesRefusedFiles() throws {
        let scratch = try KitScratch()
        let workspace = try Self.workspace(scratch)
        let key = try SigningKey.generate()
        let writer = try WriterChanges.newWriter(name: "ci", publicKey: key.publicKey.description)
        #expect(try WriterChanges.add(writer, to: workspace).refused == ["OLD"])
        #expect(try workspace.loadConfig().writers == [writer])
        #expect(throws: StoreError.self) { try WriterChanges.add(writer, to: workspace) }
        let renamed = Writer(name: "other", publicKey: key.publicKey)
        #expect(throws: StoreError.self) { try WriterChanges.add(renamed, to: workspace) }
        #expect(try workspace.loadConfig().writers.count == 1)
    }

    @Test("a bad name or key is refused before the workspace is touched")
    func newWriterChecks() throws {
        #expect(throws: StoreError.self) { try WriterChanges.newWriter(name: "bad name", publicKey: "loopsealsign1x") }
        #expect(throws: KitError.self) { try WriterChanges.newWriter(name: "ci", publicKey: "loopsealsign1notakey") }
        do {
            _ = try WriterChanges.newWriter(name: "ci", publicKey: "loopsealsign1notakey")
        } catch {
            #expect("\(error)".hasPrefix("writer 'ci': "))
        }
    }

    @Test("removing a writer names the files it signed; the last writer and an unknown one are refused")
    func remove() throws {
        let scratch = try KitScratch()
        let workspace = try Self.workspace(scratch)
        let ci = try SigningKey.generate(), ops = try SigningKey.generate()
        _ = try WriterChanges.add(try WriterChanges.newWriter(name: "ci", publicKey: ci.publicKey.description), to: workspace)
        _ = try WriterChanges.add(try WriterChanges.newWriter(name: "ops", publicKey: ops.publicKey.description), to: workspace)
        let signer = SecretService(workspace: workspace, signingKeys: SigningKeyLoader(
            file: try scratch.write("ci.key", ci.encodedSecretKey() + "\n"), environment: [:]))
        _ = try signer.upsert(key: "NEW", value: try SecureBytes(copying: Array("n".utf8)))
        #expect(WriterChanges.refused(in: workspace) == ["OLD"])
        #expect(try WriterChanges.remove(name: "ci", from: workspace).refused == ["NEW", "OLD"])
        #expect(throws: StoreError.self) { try WriterChanges.remove(name: "nobody", from: workspace) }
        #expect(throws: KitError.lastWriter(name: "ops")) { try WriterChanges.remove(name: "ops", from: workspace) }
        #expect(try workspace.loadConfig().writers.map(\.name) == ["ops"])
    }
}
