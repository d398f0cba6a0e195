import Foundation
import LoopsealCrypto
@testable import LoopsealKit
import LoopsealStore
import Testing

/// The merge driver keeps a metadata edit made on the side whose value lost (issue 18): one
/// person runs `meta KEY --owner …` while another rotates the value.
@Suite struct SealedMergeMetadataTests {
    @Test func aMetadataEditOnTheOtherSideIsKeptWithTheNewValue() throws {
        let alice = try Identity.generate()
        let sealer = SecretSealer(workspaceID: "app")
        let id = "6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20"
        var base = try sealer.seal(id: id, key: "K", value: try SecureBytes(copying: Array("old".utf8)), to: [alice.publicKey])
        base.metadata = SecretMetadata(owner: "alice", rotateEvery: RotationPeriod(string: "90d"), rotated: CalendarDate(string: "2026-01-01"))
        var edited = base
        edited.metadata.owner = "ops@example.com"
        edited.metadata.description = "Deploy key"
        var rotated = try sealer.seal(id: id, key: "K", value: try SecureBytes(copying: Array("new".utf8)), to: [alice.publicKey])
        rotated.metadata = base.metadata
        rotated.metadata.rotated = CalendarDate(string: "2026-06-01")
        let context = SealedMerge.Context(workspaceID: "app", config: nil, identities: [alice], signingKey: nil)
        for (ours, theirs) in [(edited, rotated), (rotated, edited)] {
            let outcome = SealedMerge.merge(base: SealedSecretCodec.encode(base), ours: SealedSecretCodec.encode(ours),
                                            theirs: SealedSecretCodec.encode(theirs), path: "K.sealed", context: context)
            guard case .merged(let bytes, _) = outcome else { Issue.record("expected a clean merge, got \(outcome)"); continue }
            let merged = try SealedSecretCodec.decode(bytes, file: "K")
            #expect(merged.value == rotated.value)
            #expect(merged.metadata == SecretMetadata(owner: "ops@example.com", rotateEvery: RotationPeriod(string: "90d"),
                                                      rotated: CalendarDate(string: "2026-06-01"), description: "Deploy key"))
        }
    }
}
